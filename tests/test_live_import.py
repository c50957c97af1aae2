"""Issue 12, point 2: imports that never block readers and refresh only the summary cells they touched.

Readers in threads read figures while imports commit (SQLite in WAL mode, PostgreSQL): no error,
and every answer is a whole state (all of an import or none of it). An import refreshes only its
cells (the full rebuild is made to fail during it), and the summaries are then exactly what a full
rebuild gives, for one row and for random sequences of imports and undos (Hypothesis).
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from datetime import date

import pandas as pd
import pytest
from conftest import private_postgres_schema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from hxcore.db import schema
from hxcore.db.schema import make_engine
from hxcore.engine import summary
from hxcore.engine.compute import evaluate
from hxcore.io import auth, importer
from hxcore.model.filters import Filter
from hxcore.model.periods import Period

POSTGRES_URL = os.environ.get("HX_TEST_POSTGRES_URL")
EDITOR = auth._issue("lan", auth.Role.EDITOR)
PERIODS = {"2023-H1": date(2023, 6, 30), "2022-H2": date(2022, 12, 31)}
# Figures from the summary tables (additive and distinct), a ratio of two of them, one from raw rows.
READ = ["coops_total", "coops_operating", "coop_members", "coop_workers", "coops_effective_share",
        "communes_with_coop_share", "groups_members", "training_trainees"]
STATUS = {"operating": "Đang hoạt động", "stopped": "Ngừng hoạt động"}
RETURNS_HEADER = "Tên đơn vị,Huyện/thành phố,Tình trạng,Số thành viên,Số lao động thường xuyên"
REGISTER_HEADER = "Tên HTX,Huyện/thành phố,Xã/phường/thị trấn,Lĩnh vực,Ngày đăng ký"
COOP_SECTORS = ["Nông, lâm nghiệp, thủy sản", "Công nghiệp", "Xây dựng", "Thương mại, dịch vụ", "Vận tải"]


# ---------------------------------------------------------------------------------------------
# Databases and files

@pytest.fixture(params=["sqlite", "postgresql"])
def live(request, tmp_path, demo_db_path):
    """A writable demo database on each backend (PostgreSQL: a private schema, dropped after)."""
    if request.param == "sqlite":
        shutil.copy(demo_db_path, tmp_path / "hx.sqlite")
        engine = make_engine(f"sqlite:///{tmp_path / 'hx.sqlite'}")
        yield engine
        engine.dispose()
        return
    with private_postgres_schema("hx_live", pool_size=8) as (engine, _):
        yield engine


def returns_at(engine, as_of: date) -> list:
    """Each cooperative's return at `as_of` whose name is unique in its district (the importer's key)."""
    o, f = schema.organisations, schema.facts
    with engine.connect() as conn:
        rows = conn.execute(select(o.c.name, o.c.district_code, f.c.status, f.c.members, f.c.workers)
                            .join(f, f.c.org_id == o.c.id)
                            .where(f.c.as_of == as_of, o.c.org_type == "coop").order_by(o.c.id)).all()
    keys = [(r.district_code, importer.org_key_name(r.name)) for r in rows]
    return [r for r, key in zip(rows, keys, strict=True) if keys.count(key) == 1]


def returns_csv(rows: list, members: int = 0, flip: frozenset[int] = frozenset()) -> bytes:
    """The returns of `rows`, members shifted; the rows at positions in `flip` change status."""
    other = {"operating": "stopped", "stopped": "operating"}
    lines = [RETURNS_HEADER] + [
        f'"{r.name}",{r.district_code},{STATUS[other[r.status] if i in flip else r.status]},'
        f"{r.members + members},{r.workers}" for i, r in enumerate(rows)]
    return ("\r\n".join(lines) + "\r\n").encode()


def register_csv(engine, moves: list[tuple[int, int]], new: list[tuple[int, int]], tag: str) -> bytes:
    """Register rows: existing cooperatives (by position) given another sector, and new ones placed in a
    commune (by position) with a sector: rows that move organisations between summary cells."""
    o, areas = schema.organisations, schema.areas
    with engine.connect() as conn:
        coops = conn.execute(select(o.c.name, o.c.district_code, o.c.commune_code, o.c.registered_on)
                             .where(o.c.org_type == "coop", o.c.kind == "htx").order_by(o.c.id)).all()
        communes = conn.execute(select(areas.c.parent_code, areas.c.name).where(
            areas.c.level == "commune", areas.c.valid_to.is_not(None)).order_by(areas.c.code)).all()
        commune_names = dict(conn.execute(select(areas.c.code, areas.c.name).where(areas.c.level == "commune")).all())
    keys = [(c.district_code, importer.org_key_name(c.name)) for c in coops]
    unique = [c for c, key in zip(coops, keys, strict=True) if keys.count(key) == 1]
    lines = [REGISTER_HEADER]
    for position, sector in moves:
        coop = unique[position % len(unique)]
        lines.append(f'"{coop.name}",{coop.district_code},"{commune_names[coop.commune_code]}",'
                     f'"{COOP_SECTORS[sector]}",{coop.registered_on:%d/%m/%Y}')
    for i, (position, sector) in enumerate(new):
        district, commune = communes[position % len(communes)]
        lines.append(f'"HTX Thử {tag} số {i}",{district},"{commune}","{COOP_SECTORS[sector]}",{1 + i % 28}/3/2023')
    return ("\r\n".join(lines) + "\r\n").encode()


LOANS_HEADER = "Tên HTX,Huyện/thành phố,Ngày giải ngân,Số tiền (triệu đồng)"
CLASSES_HEADER = "Ngày tổ chức,Huyện/thành phố,Loại lớp,Tên lớp,Số học viên"


def loans_csv(engine, positions: list[int], tag: str) -> bytes:
    """Support-fund loans in 2023-H1 to cooperatives (by position among those with a unique name)."""
    rows = returns_at(engine, PERIODS["2023-H1"])
    lines = [LOANS_HEADER] + [f'"{rows[p % len(rows)].name}",{rows[p % len(rows)].district_code},'
                              f"{1 + (p + i) % 28}/{1 + i % 6}/2023,{100 + p}.{tag}" for i, p in enumerate(positions)]
    return ("\r\n".join(lines) + "\r\n").encode()


def classes_csv(engine, positions: list[int], tag: str) -> bytes:
    """Training classes held in 2023-H1 in districts (by position), each a title of its own."""
    with engine.connect() as conn:
        districts = conn.execute(select(schema.areas.c.code).where(schema.areas.c.level == "district")
                                 .order_by(schema.areas.c.code)).scalars().all()
    kinds = ["Tuyên truyền", "Bồi dưỡng cán bộ quản lý"]
    lines = [CLASSES_HEADER] + [f"{1 + p % 28}/{1 + i % 6}/2023,{districts[p % len(districts)]},{kinds[p % 2]},"
                                f'"Lớp thử {tag}-{i}",{20 + p % 50}' for i, p in enumerate(positions)]
    return ("\r\n".join(lines) + "\r\n").encode()


def summary_rows(engine) -> dict:
    """The summary tables, sorted, and the snapshot list: what a full rebuild must equal."""
    with engine.connect() as conn:
        tables = {table.name: sorted(tuple(round(v, 6) if isinstance(v, float) else v for v in row)
                                     for row in conn.execute(select(table)))
                  for table in schema.SUMMARY_TABLES}
        tables["snapshots"] = conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == "snapshots")).scalar()
        tables["fresh"] = summary.fresh_snapshots(conn) is not None
    return tables


def rebuilt(engine) -> dict:
    with engine.begin() as conn:
        summary.refresh_summaries(conn)
    return summary_rows(engine)


@pytest.fixture
def no_full_rebuild(monkeypatch):
    """An import must refresh its cells only: the full rebuild fails if it is called."""
    def refuse(_connection):
        raise AssertionError("full rebuild during an incremental import")
    monkeypatch.setattr(summary, "refresh_summaries", refuse)
    return monkeypatch


# ---------------------------------------------------------------------------------------------
# Readers during imports

def figures(engine) -> tuple:
    frame = evaluate(engine, Filter("2023-H1"), READ, compare=True, with_targets=False)
    return tuple(None if pd.isna(v) else round(float(v), 9) for v in [*frame["value"], *frame["previous_value"]])


def test_readers_see_whole_states_and_no_error_during_imports(live):
    """Four readers evaluate figures without pause while three imports commit; each import holds its
    written, uncommitted transaction for 0,4 s, during which readers must go on reading the state before."""
    rows = returns_at(live, PERIODS["2023-H1"])[:60]
    states = [figures(live)]
    holding, done = threading.Event(), threading.Event()
    seen: list[tuple[int | None, tuple]] = []  # (the import holding its transaction open all through the read, figures)
    errors: list[BaseException] = []

    def hold(_conn):
        holding.set()
        time.sleep(0.4)
        holding.clear()  # before the commit: a read flagged all through ran before it

    def read() -> None:
        while not done.is_set():
            try:
                step, before = len(states), holding.is_set()
                value = figures(live)
                seen.append((step if before and holding.is_set() and step == len(states) else None, value))
            except BaseException as error:  # noqa: BLE001 - every error is counted, none may happen
                errors.append(error)

    def write() -> None:
        try:
            for step in (1, 2, 3):
                importer.commit_import(live, returns_csv(rows, members=step, flip=frozenset({step})), f"r{step}.csv",
                                       "2023-H1", EDITOR, before_commit=hold)
                states.append(figures(live))
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            done.set()

    readers = [threading.Thread(target=read) for _ in range(4)]
    writer = threading.Thread(target=write)
    for thread in [*readers, writer]:
        thread.start()
    for thread in [*readers, writer]:
        thread.join(120)
    assert errors == []
    assert len(set(states)) == 4  # each import changed the figures
    assert all(value in states for _, value in seen), "a reader saw a state that was never committed"
    held = [(step, value) for step, value in seen if step is not None]
    assert len(held) >= 3, "readers did not read while an import held its transaction"
    assert all(value == states[step - 1] for step, value in held)  # the state before that import
    assert len(seen) > len(held)


# ---------------------------------------------------------------------------------------------
# Incremental refresh equals a full rebuild

def test_one_row_import_refreshes_like_a_full_rebuild(live, no_full_rebuild):
    row = returns_at(live, PERIODS["2023-H1"])[7]
    record = importer.commit_import(live, returns_csv([row], members=3, flip=frozenset({0})), "one.csv", "2023-H1",
                                    EDITOR)
    assert record.rows_changed == 1
    incremental = summary_rows(live)
    assert incremental["fresh"]
    no_full_rebuild.undo()
    assert incremental == rebuilt(live)


def test_undo_and_cell_moves_refresh_like_a_full_rebuild(live, no_full_rebuild):
    """A register that moves cooperatives to other sectors and adds new ones, then its undo."""
    record = importer.commit_import(live, register_csv(live, [(3, 4), (11, 2), (40, 0)], [(5, 1), (90, 3)], "a"),
                                    "register.csv", "2023-H1", EDITOR)
    assert record.rows_added == 2 and record.rows_changed >= 2  # a move into the sector it has changes nothing
    after_import = summary_rows(live)
    importer.undo_import(live, record.id, EDITOR)
    after_undo = summary_rows(live)
    no_full_rebuild.undo()
    assert after_import != after_undo
    assert after_undo == rebuilt(live)
    importer.commit_import(live, register_csv(live, [(3, 4), (11, 2), (40, 0)], [(5, 1), (90, 3)], "a"),
                           "register-again.csv", "2023-H1", EDITOR)
    assert summary_rows(live) == after_import == rebuilt(live)


def test_a_new_period_adds_its_snapshot_and_its_undo_removes_it(live, no_full_rebuild):
    with live.connect() as conn:
        last = conn.execute(select(func.max(schema.facts.c.as_of))).scalar()
    period = next(p for p in (f"{last.year}-H2", f"{last.year + 1}-H1") if Period.parse(p).end > last)
    record = importer.commit_import(live, returns_csv(returns_at(live, last)[:4]), "new.csv", period, EDITOR)
    added = summary_rows(live)
    assert record.rows_added == 4 and Period.parse(period).end.isoformat() in added["snapshots"]
    importer.undo_import(live, record.id, EDITOR)
    removed = summary_rows(live)
    assert Period.parse(period).end.isoformat() not in removed["snapshots"]
    no_full_rebuild.undo()
    assert removed == rebuilt(live)
    importer.commit_import(live, returns_csv(returns_at(live, last)[:4]), "new-again.csv", period, EDITOR)
    assert summary_rows(live) == added == rebuilt(live)


def test_loans_and_classes_refresh_like_a_full_rebuild(live, no_full_rebuild):
    """Loans move their cooperative's cell at every later date (the amount disbursed to date); classes
    move a cell of their district with no sector. Both read from the summaries, then undone."""
    def alliance(engine) -> tuple:
        frame = evaluate(engine, Filter("2023-H1"), ["fund_loans_amount", "fund_outstanding", "training_classes"],
                         compare=False, with_targets=False).set_index("indicator")["value"]
        later = evaluate(engine, Filter("2024-H1"), ["fund_outstanding"], compare=False, with_targets=False)
        return (*frame.round(6), round(later["value"].iloc[0], 6))

    before = alliance(live)
    loans = importer.commit_import(live, loans_csv(live, [3, 17], "5"), "loans.csv", "2023-H1", EDITOR)
    classes = importer.commit_import(live, classes_csv(live, [1, 4, 6], "a"), "classes.csv", "2023-H1", EDITOR)
    assert (loans.rows_added, classes.rows_added) == (2, 3)
    amount = 103.5 + 117.5
    assert alliance(live) == pytest.approx((before[0] + amount, before[1] + amount, before[2] + 2, before[3] + amount))
    after_import = summary_rows(live)
    importer.undo_import(live, classes.id, EDITOR)
    importer.undo_import(live, loans.id, EDITOR)
    assert alliance(live) == before
    no_full_rebuild.undo()
    assert summary_rows(live) == rebuilt(live)
    importer.commit_import(live, loans_csv(live, [3, 17], "5"), "loans-again.csv", "2023-H1", EDITOR)
    importer.commit_import(live, classes_csv(live, [1, 4, 6], "a"), "classes-again.csv", "2023-H1", EDITOR)
    assert summary_rows(live) == after_import == rebuilt(live)


IMPORTS = st.one_of(
    st.tuples(st.just("returns"), st.sampled_from(sorted(PERIODS)), st.lists(st.integers(0, 400), min_size=1, max_size=6),
              st.integers(-3, 5), st.frozensets(st.integers(0, 5), max_size=2)),
    st.tuples(st.just("register"), st.lists(st.tuples(st.integers(0, 400), st.integers(0, 4)), max_size=3),
              st.lists(st.tuples(st.integers(0, 200), st.integers(0, 4)), max_size=2)),
    st.tuples(st.just("loans"), st.lists(st.integers(0, 400), min_size=1, max_size=3)),
    st.tuples(st.just("classes"), st.lists(st.integers(0, 100), min_size=1, max_size=3)),
    st.tuples(st.just("undo")),
)


def apply(engine, step: tuple, number: int, committed: list[int]) -> None:
    """One random import (or an undo of the latest import still committed); a refused one changes nothing."""
    if step[0] == "undo":
        if committed:
            importer.undo_import(engine, committed.pop(), EDITOR)
        return
    if step[0] == "returns":
        _, period, positions, members, flip = step
        rows = returns_at(engine, PERIODS[period])
        chosen = list({p % len(rows): rows[p % len(rows)] for p in positions}.values())
        data, name = returns_csv(chosen, members=max(members, -min(r.members for r in chosen)), flip=flip), period
    elif step[0] in ("loans", "classes"):
        data, name = (loans_csv if step[0] == "loans" else classes_csv)(engine, step[1], str(number)), "2023-H1"
    else:
        _, moves, new = step
        data, name = register_csv(engine, moves, new, str(number)), "2023-H1"
        if not moves and not new:
            return
    try:
        record = importer.commit_import(engine, data, f"step-{number}.csv", name, EDITOR)
    except importer.ImportRejected:
        return
    if not record.unchanged:
        committed.append(record.id)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(IMPORTS, min_size=1, max_size=4))
def test_random_imports_keep_summaries_equal_to_a_full_rebuild(steps, tmp_path_factory, demo_db_path):
    folder = tmp_path_factory.mktemp("random")
    shutil.copy(demo_db_path, folder / "hx.sqlite")
    engine = make_engine(f"sqlite:///{folder / 'hx.sqlite'}")
    committed: list[int] = []
    real_rebuild = summary.refresh_summaries
    try:
        summary.refresh_summaries = _refuse  # every write of these imports refreshes its cells only
        for number, step in enumerate(steps):
            apply(engine, step, number, committed)
    finally:
        summary.refresh_summaries = real_rebuild
    incremental = summary_rows(engine)
    assert incremental["fresh"]
    assert incremental == rebuilt(engine)
    engine.dispose()


def _refuse(_connection):
    raise AssertionError("full rebuild during an incremental import")
