"""National scale: hx against an independent pandas computation on the raw tables, summaries
that are never stale, the PostgreSQL-ready SQL, and the benchmark at a reduced scale."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import OperationalError

from hxcore.bench import LIMIT, run_benchmark, same_answer
from hxcore.db import measures, schema
from hxcore.db.schema import make_engine
from hxcore.engine import compute, summary
from hxcore.engine.compute import district_choices, evaluate, province_choices
from hxcore.engine.report_data import gather
from hxcore.io.demo import database as demo_database
from hxcore.io.national import Fact, Organisation, build_national
from hxcore.model.filters import Filter
from hxcore.model.texts import t
from hxcore.present.report import build


def _independent(engine, flt: Filter) -> dict[str, float]:
    """The same figures from the raw tables with pandas, written without hxcore.compute."""
    end = flt.parsed_period.end
    with engine.connect() as connection:
        orgs = pd.read_sql(select(schema.organisations), connection)
        facts = pd.read_sql(select(schema.facts).where(schema.facts.c.as_of.between(date(end.year, 1, 1), end)),
                            connection)
    for column in ("registered_on", "dissolved_on", "alliance_joined_on"):
        orgs[column] = pd.to_datetime(orgs[column])
    facts["as_of"] = pd.to_datetime(facts["as_of"])
    if flt.province:
        orgs = orgs[orgs["province_code"] == flt.province]
    if flt.districts:
        orgs = orgs[orgs["district_code"].isin(flt.districts)]
    coops = orgs[orgs["kind"].isin(["htx", "credit_fund"])]
    if flt.sectors:
        coops = coops[coops["sector_code"].isin(flt.sectors)]
    end_ts, start_ts = pd.Timestamp(end), pd.Timestamp(date(end.year, 1, 1))
    existing = coops[(coops["registered_on"] <= end_ts) & (coops["dissolved_on"].isna() | (coops["dissolved_on"] > end_ts))]
    at_end = facts[facts["as_of"] == end_ts].merge(coops, left_on="org_id", right_on="id")
    operating = at_end[at_end["status"] == "operating"]
    ytd = facts.merge(coops, left_on="org_id", right_on="id")
    return {
        "coops_total": len(existing),
        "coops_new": int(coops["registered_on"].between(start_ts, end_ts).sum()),
        "coops_operating": len(operating),
        "coop_charter_capital": operating["charter_capital"].sum(),
        "coop_members": operating["members"].sum(),
        "coop_workers": operating["workers"].sum(),
        "coop_new_members": ytd["new_members"].sum(),
        "coops_effective_share": operating["rating"].isin(["tot", "kha"]).sum() / len(operating) * 100,
        "coops_alliance_share": (operating["alliance_joined_on"] <= end_ts).sum() / len(operating) * 100,
        "communes_with_operating_coop": operating["commune_code"].nunique(),
    }


@pytest.mark.parametrize(
    "flt",
    [
        Filter("2023-H1"),
        Filter("2020-H2", province="01"),
        Filter("2024", province="79", sectors=("agriculture", "trade")),
        Filter("2023-H1", province="12"),
        Filter("2018-H1", districts=("0101", "0102")),
        Filter("2022-H2", sectors=("construction",)),
    ],
    ids=["nation", "ha-noi-2020", "hcm-2024-two-sectors", "lai-chau", "two-districts", "construction"],
)
def test_national_figures_match_an_independent_computation(national, flt):
    expected = _independent(national, flt)
    frame = evaluate(national, flt, [c for c in expected if c != "communes_with_operating_coop"]
                     + ["communes_with_coop_share"], compare=False, with_targets=False).set_index("indicator")
    for code, value in expected.items():
        actual = (frame.loc["communes_with_coop_share", "numerator"] if code == "communes_with_operating_coop"
                  else frame.loc[code, "value"])
        assert actual == pytest.approx(value), code


def test_lai_chau_inside_the_nation_still_matches_the_report(national):
    frame = evaluate(national, Filter("2023-H1", province="12"), ["coops_total", "coop_charter_capital",
                                                                  "coops_effective_share"], with_targets=True)
    values = frame.set_index("indicator")
    assert values.loc["coops_total", "value"] == 416
    assert values.loc["coop_charter_capital", "value"] == 1_056_714
    assert round(values.loc["coops_effective_share", "value"], 1) == 36.8
    assert values.loc["coops_effective_share", "target"] == 45  # Lai Châu's resolution applies to Lai Châu
    nation = evaluate(national, Filter("2023-H1"), ["coops_effective_share"]).iloc[0]
    assert nation["target"] is None  # ... and not to the whole country


def test_summaries_follow_every_write(engine, demo_db_path, tmp_path):
    copy = tmp_path / "hx.sqlite"
    shutil.copy(demo_db_path, copy)
    writable = make_engine(f"sqlite:///{copy}")
    before = evaluate(writable, Filter("2023-H1"), ["coop_charter_capital"], compare=False).iloc[0]["value"]
    with writable.connect() as connection:
        org_id = connection.execute(
            select(schema.facts.c.org_id).where(schema.facts.c.as_of == date(2023, 6, 30),
                                                schema.facts.c.status == "operating").limit(1)).scalar()
    with writable.begin() as connection:
        connection.execute(update(schema.facts).where(schema.facts.c.org_id == org_id,
                                                      schema.facts.c.as_of == date(2023, 6, 30))
                           .values(charter_capital=schema.facts.c.charter_capital + 1000))
        summary.data_changed(connection)
    after = evaluate(writable, Filter("2023-H1"), ["coop_charter_capital"], compare=False).iloc[0]["value"]
    assert after == before + 1000


def test_a_rebuild_leaves_the_planner_its_statistics(demo_db_path, tmp_path):
    """A full rebuild makes the summary tables anew, and their statistics with them (without them SQLite
    chose a slower plan for a national breakdown by district)."""
    copy = tmp_path / "hx.sqlite"
    shutil.copy(demo_db_path, copy)
    engine = make_engine(f"sqlite:///{copy}")
    with engine.begin() as connection:
        summary.refresh_summaries(connection)
    with engine.connect() as connection:
        analysed = set(connection.exec_driver_sql("SELECT tbl FROM sqlite_stat1").scalars())
    assert {table.name for table in schema.SUMMARY_TABLES} <= analysed


def test_stale_summaries_are_never_read(demo_db_path, tmp_path):
    """A write that bumps the data version but does not rebuild summaries still gives the new figure."""
    copy = tmp_path / "hx.sqlite"
    shutil.copy(demo_db_path, copy)
    writable = make_engine(f"sqlite:///{copy}")
    with writable.begin() as connection:
        connection.execute(update(schema.facts).where(schema.facts.c.as_of == date(2023, 6, 30),
                                                      schema.facts.c.status == "operating")
                           .values(members=schema.facts.c.members + 1))
        summary._set_meta(connection, "data_version", "changed-without-refresh")
    frame = evaluate(writable, Filter("2023-H1"), ["coop_members"], compare=False).iloc[0]
    assert frame["value"] == 3453 + 326


def test_summaries_of_another_hx_s_tables_are_not_read(demo_db_path, tmp_path):
    """Summaries stamped by an hx with other summary tables (before summary_province) are read from the
    raw rows until the next write rebuilds them, as a stale version is: never from a missing table."""
    copy = tmp_path / "hx.sqlite"
    shutil.copy(demo_db_path, copy)
    engine = make_engine(f"sqlite:///{copy}")
    with engine.begin() as connection:
        summary._set_meta(connection, "summary_tables", "summary_org,summary_distinct")
        connection.execute(text("DROP TABLE summary_province"))
    with engine.connect() as connection:
        assert summary.fresh_snapshots(connection) is None
    assert evaluate(engine, Filter("2023-H1"), ["coops_total"], compare=False).iloc[0]["value"] == 416
    with engine.begin() as connection:
        summary.data_changed(connection, touched=summary.Touched())  # a write: everything rebuilt, not refreshed
    with engine.connect() as connection:
        assert summary.fresh_snapshots(connection) is not None
    assert evaluate(engine, Filter("2023-H1"), ["coops_total"], compare=False).iloc[0]["value"] == 416


def test_every_source_is_summarised():
    """Adding a source to db/measures.py without a summary would send its queries back to the raw rows."""
    assert set(schema.SUMMARY_SOURCES) == set(measures.SOURCES)


def _from_raw_rows(engine, flt: Filter, by: str | None) -> pd.DataFrame:
    """evaluate() as if the summaries were stale: every figure from the raw rows."""
    dates, _ = compute._snapshot_dates(engine)
    real = compute._snapshot_dates
    compute._snapshot_dates = lambda _engine: (dates, False)
    try:
        return evaluate(engine, flt, by=by, compare=True)
    finally:
        compute._snapshot_dates = real


@pytest.mark.parametrize("by", [None, "sector", "district", "province"])
@pytest.mark.parametrize(
    "flt",
    [Filter("2023-H1"), Filter("2025-H2", province="12"), Filter("2024", sectors=("agriculture",)),
     Filter("2018-H1", districts=("0101", "0102")), Filter("2026-Q1", province="01", sectors=("trade", "credit"))],
    ids=["nation-2023-H1", "lai-chau-2025-H2", "agriculture-2024", "two-districts-2018", "ha-noi-2026-Q1"],
)
def test_summaries_give_every_figure_the_raw_rows_give(national, flt, by):
    """Loans, repayments, fairs, projects, classes and communes too: each indicator, its measures, its
    comparisons, on every breakdown (classes and communes have no sector: one value for every sector)."""
    summarised = evaluate(national, flt, by=by, compare=True)
    assert compute._snapshot_dates(national)[1]  # the summaries are current: the first frame read them
    pd.testing.assert_frame_equal(summarised, _from_raw_rows(national, flt, by))


@pytest.mark.parametrize(("province", "heading", "whole"), [(None, "Tỉnh, thành phố", "Toàn quốc"),
                                                          ("12", "Huyện, thành phố", "Toàn tỉnh")])
def test_a_report_s_annex_lists_the_units_one_level_down(national, province, heading, whole):
    """A country's report lists its provinces (not its 700 districts), a province's its districts; the
    rows add up to the whole's figure."""
    report = build(gather(national, Filter("2023-H1", province=province)))
    annex = next(section for section in report.sections if section.code == "annex")
    parts = province_choices(national) if province is None else district_choices(national, province)
    assert annex.table.header[0] == heading and annex.table.rows[-1][0] == whole
    assert [row[0] for row in annex.table.rows[:-1]] == [name for _, name in parts]
    assert sum(row[1].value for row in annex.table.rows[:-1]) == annex.table.rows[-1][1].value  # Tổng số HTX


def test_national_facts_hold_each_value_in_its_column(national):
    """_facts_for writes its rows by position: each column holds values of its own kind."""
    f, o = schema.facts, schema.organisations
    with national.connect() as connection:
        rows = connection.execute(select(f).join(o, f.c.org_id == o.c.id).where(o.c.province_code != "12")).mappings().all()
    assert {row["quality"] for row in rows} == {"reported"}
    assert {row["status"] for row in rows} == {"operating", "stopped"}
    assert {row["rating"] for row in rows} <= {None, "tot", "kha", "trung_binh", "yeu"}
    assert all(row["members"] >= 5 and row["charter_capital"] % 10 == 0 and 0 <= row["new_workers"] <= 2 for row in rows)
    assert all(row["avg_income_month"] is None or 2.3 <= row["avg_income_month"] <= 6.5 for row in rows)


def test_invented_districts_are_named_after_their_province(national):
    names = [name for _, name in district_choices(national, "01")]
    assert names[:2] == ["Huyện Hà Nội 1", "Huyện Hà Nội 2"]  # not "Huyện phố Hà Nội 1"
    assert [name for _, name in district_choices(national, "02")][0] == "Huyện Hà Giang 1"

def test_national_facts_follow_each_organisation_through_its_dates(national):
    """The facts are drawn for thousands of organisations at once (io/national.py): each invented
    organisation has a return at every half-year from its registration until its dissolution, its
    new members are the rise since its own previous return, and only an operating HTX has workers
    there, revenue, a rating (from its second year) and new workers."""
    f, o = schema.facts, schema.organisations
    with national.connect() as connection:
        facts = pd.DataFrame(connection.execute(select(f, o.c.org_type, o.c.registered_on, o.c.dissolved_on)
                                                .join(o, f.c.org_id == o.c.id).where(o.c.province_code != "12")
                                                .order_by(f.c.org_id, f.c.as_of)).mappings().all())
    snapshots = sorted(set(facts["as_of"]))
    for org, own in facts.groupby("org_id"):
        first = own.iloc[0]
        expected = [day for day in snapshots if first["registered_on"] <= day
                    and not (first["dissolved_on"] and first["dissolved_on"] <= day)]
        assert list(own["as_of"]) == expected, org
        rise = own["members"].diff().fillna(own["members"].iloc[0]).clip(lower=0)
        assert list(own["new_members"]) == list(rise.astype(int)), org
    stopped, coop = facts["status"] == "stopped", facts["org_type"] == "coop"
    assert coop[stopped].all() and (facts.loc[stopped, "workers"] == 0).all()
    assert facts.loc[stopped | ~coop, ["revenue", "rating"]].isna().all().all()
    assert (facts.loc[stopped | ~coop, "new_workers"] == 0).all()
    young = (pd.to_datetime(facts["as_of"]) - pd.to_datetime(facts["registered_on"])).dt.days < 365.25
    assert facts.loc[young, "rating"].isna().all() and facts.loc[coop & ~stopped & ~young, "rating"].notna().all()


def _stored(engine, table) -> list[tuple]:
    """Every row of the table as stored: each value and its SQLite storage class."""
    columns = ", ".join(f"{c.name}, typeof({c.name})" for c in table.columns)
    with engine.connect() as connection:
        return sorted(connection.exec_driver_sql(f"SELECT {columns} FROM {table.name}").all(), key=repr)


def test_rows_given_as_tuples_are_stored_as_sqlalchemy_stores_them(tmp_path):
    """The build hands its tuples to the driver, converting only what a column's type converts (the
    facts' one date; the organisations' three, some None): stored exactly as SQLAlchemy's insert of
    the same rows stores them, value and storage class."""
    organisations = [
        Organisation(id=i, org_type="coop", kind="htx", name=f"HTX {i}", province_code="01", district_code="0101",
                     commune_code="010101", commune_2025_code="010101", sector_code="trade",
                     registered_on=date(2001, 2, i), dissolved_on=date(2020, 1, 1) if i == 2 else None,
                     alliance_joined_on=None if i == 1 else date(2003, 4, 5), founding_supported=i == 1, tax_code=None)
        for i in (1, 2, 3)]
    facts = [Fact(i, day, "operating" if i < 3 else "stopped", 1500.0, 5 + i, 2, 12.5 if i == 1 else None, 3.25,
                  "tot" if i == 2 else None, 0, 1, "reported")
             for i in (1, 2, 3) for day in (date(2015, 6, 30), date(2015, 12, 31))]
    through_tuples, through_sqlalchemy = (make_engine(f"sqlite:///{tmp_path / name}") for name in ("a.sqlite", "b.sqlite"))
    for engine in (through_tuples, through_sqlalchemy):
        schema.create_schema(engine)
    with through_tuples.begin() as connection:
        demo_database._insert(connection, schema.organisations, organisations)
        demo_database._insert(connection, schema.facts, facts)
    with through_sqlalchemy.begin() as connection:
        connection.execute(schema.organisations.insert(), [row._asdict() for row in organisations])
        connection.execute(schema.facts.insert(), [row._asdict() for row in facts])
    for table in (schema.organisations, schema.facts):
        assert _stored(through_tuples, table) == _stored(through_sqlalchemy, table)
    assert ("2015-06-30", "text") in {row[2:4] for row in _stored(through_tuples, schema.facts)}


def test_a_national_build_counts_the_facts_it_made_and_knew_their_dates(tmp_path):
    """The facts are made while they are written, after the organisations: the count build_national
    returns is the table's, and the dates it declared beforehand are the facts' (the summaries checked it)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'hx.sqlite'}")
    counts = build_national(engine, coops=560, groups=800, progress=lambda _m: None)
    with engine.connect() as connection:
        held = {table.name: connection.execute(select(func.count()).select_from(table)).scalar()
                for table in (schema.facts, schema.organisations)}
        days = summary.fact_days(connection)
        assert summary.fresh_snapshots(connection) == set(days)
    assert {name: counts[name] for name in held} == held
    assert days[0] == date(2015, 6, 30) and len(days) > 20  # the other provinces' half-years and Lai Châu's quarters


def test_benchmark_runs_at_reduced_scale(national):
    """Every contender answers the same question as hx (checked, not assumed), every ratio is
    printed whoever wins, and the cold start is split into imports and the command."""
    lines: list[str] = []
    results = run_benchmark(national, repeat=2, print_=lines.append)
    output = "\n".join(lines)
    contenders = [LIMIT, "DuckDB, summary (native copy)", "DuckDB, raw rows (native tables)",
                  "pandas, summary (frame in memory)", "pandas, raw rows (frames in memory)"]
    questions = {title for title, _ in results.medians}
    compared = [title for title in questions if title.startswith(("panel", "by district"))]
    assert len(questions) == 4 and len(compared) == 2, questions
    for title in compared:
        for name in contenders:
            assert results.same[(title, name)], (title, name, output)  # checked equal to hx's figures
            assert results.medians[(title, name)] > 0
    assert all(value > 0 for value in results.medians.values())
    assert output.count("hx slower ×") + output.count("hx faster ×") == 2 * (len(contenders) + 1) + 2, output
    assert " NO " not in output
    assert 0 < results.cold["import"] < results.cold["total"] and results.cold["command"] > 0
    assert "heaviest packages imported" in output


def test_the_benchmark_check_catches_a_wrong_answer():
    expected = pd.DataFrame({"a": [1.0, 0.0, float("nan")], "b": [2.0, 0.0, 1.0]}, index=["x", "y", "z"])
    assert same_answer(expected, expected.copy())
    assert same_answer(expected, expected.drop(index="y"))  # a key without organisations may be left out
    assert not same_answer(expected, expected.drop(index="z"))  # ... but not one with figures
    assert not same_answer(expected, expected.assign(b=[2.0, 0.0, 1.001]))
    assert not same_answer(expected, pd.concat([expected, expected.rename(index={"x": "w"}).loc[["w"]]]))
    assert not same_answer(expected, expected[["b", "a"]])


def test_app_gains_a_province_filter_on_a_national_database(national, monkeypatch):
    """With several provinces the sidebar shows a province choice; the overview follows it."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from hxcore.present import fmt

    monkeypatch.setenv("HX_DATABASE_URL", str(national.url))
    app = str(Path(__file__).resolve().parent.parent / "app.py")
    at = AppTest.from_file(app, default_timeout=90).run()
    assert not at.exception
    assert [box.label for box in at.selectbox if box.label == "Tỉnh, thành phố"]
    country = evaluate(national, Filter("2023-H1"), ["coops_total"]).iloc[0]["value"]
    assert any(m.value.startswith(fmt.number(country)) for m in at.metric), [m.value for m in at.metric][:3]
    at = AppTest.from_file(app, default_timeout=90)
    at.query_params["province"] = "Tỉnh Lai Châu"
    at.run()
    assert not at.exception
    assert any(m.value.startswith("416") for m in at.metric), [m.value for m in at.metric][:3]


def test_by_province_rows_meet_their_own_province_targets(national):
    frame = evaluate(national, Filter("2023-H1"), ["coops_new"], by="province").set_index("province")
    assert frame.loc["12", "target"] == 25 and frame.loc["12", "value"] == 13  # Lai Châu's resolution
    assert frame.drop(index="12")["target"].isna().all()  # no other province adopted one here
    only = evaluate(national, Filter("2023-H1", province="01"), ["coops_new"], by="province")
    assert list(only["province"]) == ["01"]  # a province filter keeps its own row only, no invented zeros


def test_fast_number_writing_matches_babel():
    """fmt.number() writes with Python's formatting for speed: the same text as Babel's, to the digit."""
    import random

    from babel.numbers import format_decimal

    from hxcore.present import fmt

    rng = random.Random(7)
    values = [0, -0.0, 0.5, 1.5, 2.5, -0.5, 0.05, 0.15, 2.675, 999_999.995, -1_234_567.125, 36.8421, 1_056_714,
              9.99e14, 1e15, 3.2e16, -0.0004]
    values += [rng.uniform(-1, 1) * 10 ** rng.randint(0, 16) for _ in range(3000)]
    values += [round(rng.uniform(-1000, 1000), rng.randint(0, 4)) for _ in range(3000)]
    for value in values:
        for decimals in (0, 1, 2):
            for lang in ("vi", "en"):
                pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
                expected = format_decimal(round(float(value), decimals), format=pattern, locale=fmt.LOCALES[lang])
                assert fmt.number(value, decimals, lang) == expected, (value, decimals, lang)


def test_national_lists_are_paged_and_their_files_made_when_clicked(national, monkeypatch):
    """A country's list of groups is shown a page at a time (only that page written out), and no
    download button carries a file: each is made when clicked (Streamlit's deferred data)."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from hxapp.widgets import PAGE_ROWS
    from hxcore.engine.lists import LISTS

    monkeypatch.setenv("HX_DATABASE_URL", str(national.url))
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=120).run()
    at.switch_page("pages/to_hop_tac.py").run()
    assert not at.exception
    groups = len(LISTS["groups"](national, Filter("2023-H1")))
    assert groups > 2 * PAGE_ROWS
    listed = at.dataframe[-1].value
    assert len(listed) == PAGE_ROWS  # the first page, not the 5.000 groups
    pager = [box for box in at.number_input if box.label == "Trang"]
    assert pager and pager[0].max == -(-groups // PAGE_ROWS)
    pager[0].set_value(2).run()
    assert not at.exception and len(at.dataframe[-1].value) == PAGE_ROWS
    assert at.dataframe[-1].value.iloc[0, 0] != listed.iloc[0, 0]  # the second page's groups
    buttons = at.get("download_button")  # the list's CSV and .xlsx, and a PNG under each chart
    labels = [button.proto.label for button in buttons]
    assert labels.count(t("download_csv")) == 1 and labels.count(t("download_xlsx")) == 1, labels
    assert all(button.proto.HasField("deferred_file_id") for button in buttons)  # every file made when clicked


def _summary_rows(engine) -> dict:
    """The summary tables, sorted; sums to 6 decimals (added up in another order, 0,1 + 0,2 differs in the last bit)."""
    with engine.connect() as connection:
        return {table.name: sorted(tuple(round(v, 6) if isinstance(v, float) else v for v in row)
                                   for row in connection.execute(select(table)))
                for table in schema.SUMMARY_TABLES}


def test_parallel_summaries_equal_the_serial_rebuild_even_past_500_dates(demo_db_path, tmp_path):
    """The build's parallel summaries equal refresh_summaries() row for row, also with more snapshot
    dates than SQLite allows terms in one compound SELECT (500): dates are taken 400 at a time."""
    copy = tmp_path / "hx.sqlite"
    shutil.copy(demo_db_path, copy)
    engine = make_engine(f"sqlite:///{copy}")
    with engine.begin() as connection:
        fact = connection.execute(select(schema.facts).limit(1)).mappings().first()
        connection.execute(schema.facts.insert(), [{**fact, "as_of": date(1990, 1, 7) + pd.Timedelta(days=7 * i)}
                                                   for i in range(520)])
        serial_count = summary.refresh_summaries(connection)
    serial = _summary_rows(engine)
    assert summary.refresh_summaries_in_parallel(engine) == serial_count
    assert _summary_rows(engine) == serial
    assert not list(tmp_path.glob(f"{summary.SUMMARY_FOLDER}*"))  # the workers' files are gone
    pooled = [engine.connect() for _ in range(3)]  # the build's: two workers' and the merge's
    assert [c.exec_driver_sql("PRAGMA cache_size").scalar() for c in pooled] == [-2000] * 3  # its cache set back
    for connection in pooled:
        connection.close()


def test_a_build_s_summaries_equal_the_serial_rebuild(national, tmp_path):
    """build_national's summaries (the organisations' passes run while the facts were written, the rest
    after) are refresh_summaries()'s, row for row."""
    copy = tmp_path / "hx.sqlite"
    with closing(sqlite3.connect(national.url.database)) as source, closing(sqlite3.connect(copy)) as target:
        source.backup(target)
    built = _summary_rows(national)
    engine = make_engine(f"sqlite:///{copy}")
    with engine.begin() as connection:
        summary.refresh_summaries(connection)
    assert _summary_rows(engine) == built
    engine.dispose()


def test_an_organisation_moved_to_another_province_refreshes_both_provinces(national, tmp_path):
    """An incremental refresh of a move between provinces equals a full rebuild, summary_province included."""
    copy = tmp_path / "hx.sqlite"
    with closing(sqlite3.connect(national.url.database)) as source, closing(sqlite3.connect(copy)) as target:
        source.backup(target)
    engine = make_engine(f"sqlite:///{copy}")
    o = schema.organisations.c
    with engine.begin() as connection:
        org = connection.execute(select(schema.organisations).where(o.province_code != "12", o.org_type == "coop")
                                 .limit(1)).mappings().one()
        district = connection.execute(select(o.district_code, o.commune_code, o.commune_2025_code)
                                      .where(o.province_code == "12").limit(1)).one()
        before = tuple(org[name] for name in schema.GRAIN)
        connection.execute(update(schema.organisations).where(o.id == org["id"]).values(
            province_code="12", district_code=district.district_code, commune_code=district.commune_code,
            commune_2025_code=district.commune_2025_code))
        after = ("12", district.district_code, org["sector_code"], org["kind"])
        summary.data_changed(connection, touched=summary.Touched(always={before, after}))
    moved = _summary_rows(engine)
    with engine.begin() as connection:
        summary.refresh_summaries(connection)
    assert _summary_rows(engine) == moved
    national_total = evaluate(engine, Filter("2023-H1"), ["coops_total"], compare=False).iloc[0]["value"]
    assert national_total == evaluate(national, Filter("2023-H1"), ["coops_total"], compare=False).iloc[0]["value"]
    engine.dispose()


def test_a_failing_merge_gives_back_its_connection_as_it_was(demo_db_path, tmp_path, monkeypatch):
    """The merge fails after its larger cache was set: the error comes out and the pooled connections
    have SQLite's default cache again (a failed build's file is thrown away: database.py)."""
    copy = tmp_path / "hx.sqlite"
    shutil.copy(demo_db_path, copy)
    engine = make_engine(f"sqlite:///{copy}")

    def failing(*_args, **_kwargs):
        raise RuntimeError("roll-up failed")

    monkeypatch.setattr(summary, "_province_rows", failing)
    with pytest.raises(RuntimeError, match="roll-up failed"):
        summary.refresh_summaries_in_parallel(engine)
    pooled = [engine.connect() for _ in range(3)]
    assert [c.exec_driver_sql("PRAGMA cache_size").scalar() for c in pooled] == [-2000] * 3
    for connection in pooled:
        connection.close()


def test_a_failing_parallel_pass_leaves_nothing_behind(demo_db_path, tmp_path, monkeypatch):
    """A pass that fails: the error comes out, the workers' folder is removed and no pooled
    connection stays attached to a worker's file."""
    copy = tmp_path / "hx.sqlite"
    shutil.copy(demo_db_path, copy)
    engine = make_engine(f"sqlite:///{copy}")
    real_passes = summary._passes

    def failing(days, sources):
        (table, rows), *rest = real_passes(days, sources)
        return [*rest, (table, rows.where(text("no_such_column = 1")))]  # fails in a worker, after others ran

    monkeypatch.setattr(summary, "_passes", failing)
    with pytest.raises(OperationalError, match="no_such_column"):
        summary.refresh_summaries_in_parallel(engine)
    assert not list(tmp_path.glob(f"{summary.SUMMARY_FOLDER}*"))
    with engine.connect() as connection:
        assert [row[1] for row in connection.exec_driver_sql("PRAGMA database_list")] == ["main"]
