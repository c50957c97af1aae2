"""Every page runs under AppTest for several filters, and its KPI cards show hxcore's figures."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import old_copy  # noqa: E402
from sqlalchemy import insert
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from hxcore.db import schema
from hxcore.db.schema import create_schema, make_engine
from hxcore.engine.attainment import target_table
from hxcore.engine.compute import evaluate
from hxcore.io import auth
from hxcore.model.catalog import INDICATORS_BY_CODE
from hxcore.model.filters import Filter
from hxcore.model.texts import t
from hxcore.present import fmt

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGES = ["pages/tong_quan.py", "pages/chi_tieu.py", "pages/hop_tac_xa.py", "pages/to_hop_tac.py",
         "pages/lien_minh.py", "pages/so_sanh.py", "pages/du_lieu.py"]
TITLES = {"pages/tong_quan.py": "overview_title", "pages/chi_tieu.py": "targets_title", "pages/hop_tac_xa.py": "coops_title",
          "pages/to_hop_tac.py": "groups_title", "pages/lien_minh.py": "alliance_title", "pages/so_sanh.py": "compare_title",
          "pages/du_lieu.py": "data_title", "pages/kiem_tra.py": "page_checks"}

# (query parameters as a shared link would carry them, the Filter they mean)
FILTERS = {
    "province": ({}, Filter("2023-H1")),
    "district": ({"district": ["Huyện Tam Đường"]}, Filter("2023-H1", districts=("106",))),
    "sector": ({"sector": ["Nông, lâm nghiệp, thủy sản"]}, Filter("2023-H1", sectors=("agriculture",))),
    "quarter": ({"period": "Quý I/2023"}, Filter("2023-Q1")),
}


@pytest.fixture(autouse=True)
def routed_like_a_server(monkeypatch):
    """Route every run through app.py, as a running server does.

    A server stops using Streamlit's old `pages/` routing for good once app.py has called
    st.navigation; AppTest forgets that before every run, so after switch_page() it would run the
    page file alone, without app.py's frame (sidebar, demo banner, title, the no-data notice).
    """
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture(scope="module", autouse=True)
def demo_database(demo_db_path):
    previous = os.environ.get("HX_DATABASE_URL")
    os.environ["HX_DATABASE_URL"] = f"sqlite:///{demo_db_path}"
    yield
    if previous is None:
        os.environ.pop("HX_DATABASE_URL", None)
    else:
        os.environ["HX_DATABASE_URL"] = previous


def app(params: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at.run()


def metric(at: AppTest, label: str):
    found = [m for m in at.metric if m.label == label]
    assert found, f"no KPI card '{label}' among {[m.label for m in at.metric]}"
    return found[0]


def expected_card(engine, flt: Filter, code: str) -> str:
    row = evaluate(engine, flt, [code]).iloc[0]
    ind = INDICATORS_BY_CODE[code]
    text = fmt.indicator_value(row["value"], ind.unit, ind.decimals)
    return text if ind.unit == "%" or len(ind.unit) > 12 else f"{text} {ind.unit}"


@pytest.mark.parametrize("name", list(FILTERS))
def test_every_page_runs_and_overview_matches_hxcore(engine, name):
    params, flt = FILTERS[name]
    at = app(params)
    assert not at.exception, at.exception
    for code in ("coops_total", "coops_operating", "coop_charter_capital", "coops_effective_share", "groups_total"):
        label = INDICATORS_BY_CODE[code].label_vi
        if name == "sector" and code == "groups_total":
            continue
        assert metric(at, label).value == expected_card(engine, flt, code), code
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        assert not [w.value for w in at.warning if "không hợp lệ" in w.value], page
        assert at.title[0].value == t(TITLES[page]), page  # the frame's title, above the page
        assert any(i.value.startswith("**Dữ liệu minh họa") for i in at.info), page  # the demo banner, on every page


def test_report_figures_on_the_overview():
    at = app()
    assert metric(at, "Tổng số HTX").value == "416 HTX"
    assert metric(at, "Vốn điều lệ HTX").value == "1.056.714 triệu đồng"
    assert metric(at, "Tỷ lệ HTX hoạt động hiệu quả").value == "36,8%"
    assert "+7" in metric(at, "Tổng số HTX").delta
    assert any("120/326" in c.value for c in at.caption)
    assert any("30/6/2023" in c.value for c in at.caption)


def test_period_without_data_warns_instead_of_failing():
    at = app({"period": "6 tháng đầu năm 2020"})
    assert not at.exception
    assert any("Chưa có số liệu" in w.value for w in at.warning)
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, page
        assert any("Chưa có số liệu" in w.value for w in at.warning), page
        assert at.title[0].value == t(TITLES[page]), page
        assert not at.metric and not at.dataframe, page  # the frame stopped before the page drew figures
    at.switch_page("pages/kiem_tra.py").run()  # checks a published report whatever the period
    assert not at.exception and any("vi phạm" in w.value for w in at.warning)


def test_invalid_query_parameters_are_reported():
    at = app({"period": "2099-H9", "district": ["Atlantis"]})
    assert not at.exception
    notice = [w.value for w in at.warning if "không hợp lệ" in w.value]
    assert notice and "2099-H9" in notice[0] and "Atlantis" in notice[0]
    assert metric(at, "Tổng số HTX").value == "416 HTX"  # fell back to the default filter


def test_target_page_table_matches_target_table(engine):
    at = app()
    at.switch_page("pages/chi_tieu.py").run()
    table = at.dataframe[0].value
    expected = target_table(engine, Filter("2023-H1"))
    assert len(table) == len(expected)
    assert "52,0%" in set(table["Đạt (% chỉ tiêu)"])  # 13 of 25 new cooperatives
    assert "Chậm tiến độ" in set(table["Đánh giá"])


def test_vietnamese_page_has_no_english_widget_text():
    at = app()
    for page in PAGES:
        at.switch_page(page).run()
        for box in list(at.selectbox) + list(at.multiselect):
            assert box.proto.placeholder == "" or not box.proto.placeholder.startswith("Choose"), box.label
        labels = [b.label for b in at.button] + [m.label for m in at.metric]
        assert not [x for x in labels if x in ("Reset filters", "Previous", "Next")]


def test_presentation_mode_and_slides():
    at = app({"present": "1"})
    assert not at.exception
    assert at.markdown[0].value == "**Kinh tế tập thể tỉnh Lai Châu · 6 tháng đầu năm 2023 · Toàn tỉnh · tất cả lĩnh vực**"
    first = at.title[0].value
    next_button = [b for b in at.button if b.key == "present_next"][0]
    next_button.click().run()
    assert not at.exception
    assert at.title[0].value != first
    for _ in range(6):
        [b for b in at.button if b.key == "present_next"][0].click().run()
        assert not at.exception


def test_presentation_ends_with_the_map_then_needs_decision_and_offers_the_pptx():
    at = app({"present": "1"})
    titles = []
    for _ in range(2):  # back from the first slide: the last two
        [b for b in at.button if b.key == "present_prev"][0].click().run()
        assert not at.exception
        titles.append(at.title[0].value)
    assert titles == ["Cần chỉ đạo", "Bản đồ: HTX đang hoạt động"]
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1 and '"tiles"' in charts[0].proto.spec  # the tile map's named layer
    downloads = [d for d in at.get("download_button") if d.proto.label == "Tải .pptx"]
    assert len(downloads) == 1


def test_presentation_without_data_keeps_the_way_out():
    at = app({"present": "1", "period": "2020-H1"})
    assert not at.exception
    assert any("Chưa có số liệu" in w.value for w in at.warning)
    assert [b.label for b in at.button if b.key == "present_exit"] == ["Thoát trình chiếu"]  # the sidebar is hidden
    [b for b in at.button if b.key == "present_exit"][0].click().run()
    assert not at.exception and not at.session_state["hx_present_mode"]


def test_english_interface_runs():
    at = app({"lang": "EN"})
    assert not at.exception
    assert metric(at, "Cooperatives").value == "416 cooperatives"  # the unit in English too
    assert any(a.value.startswith("**Demo data.** Lai Châu's province figures") for a in at.info)
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, page
        assert at.title[0].value == t(TITLES[page], "en"), page
    at.switch_page("pages/kiem_tra.py").run()
    assert at.title[0].value == "Data checks"
    rules = at.dataframe[0].value
    assert list(rules.columns) == ["Code", "Rule"]
    assert rules.set_index("Code").loc["operating_plus_stopped", "Rule"] == \
        "Operating + stopped cooperatives = all cooperatives"
    assert len(set(rules["Rule"])) == len(rules)  # every rule has its own English name


def test_import_page_speaks_the_page_s_language():
    """An editor sees the import page in the menu; its strings come from the string table, in both languages."""
    for lang, period_label, templates in (("vi", "Kỳ báo cáo của số liệu", "Tải mẫu nhập liệu"),
                                          ("en", "Period of the figures", "Download the templates")):
        at = AppTest.from_file(APP, default_timeout=60)
        at.query_params["lang"] = lang.upper()
        at.session_state["hx_session"] = auth._issue("lan", auth.Role.EDITOR)
        at.run()
        at.switch_page("pages/nhap_du_lieu.py").run()
        assert not at.exception, lang
        assert at.title[0].value == t("page_import", lang)
        assert [box.label for box in at.text_input] == [period_label], lang
        assert [e.label for e in at.expander] == [templates], lang
        assert len(at.get("file_uploader")) == 1
        assert t("sign_out", lang) in [b.label for b in at.sidebar.button]  # the signed-in block of the sidebar


def test_compare_page_draws_an_annual_count_target_on_years_only():
    """A count's annual target is comparable with whole years, not with half-years (hxcore.engine.frames)."""
    at = app()
    at.switch_page("pages/so_sanh.py").run()
    at.selectbox(key="compare_indicator").set_value("coops_new").run()

    def trend_layers() -> list[str]:
        spec = json.loads(at.get("vega_lite_chart")[-1].proto.spec)
        return [layer.get("name") for layer in spec.get("layer", [])]

    assert "target" not in trend_layers()
    at.radio(key="compare_granularity").set_value("year").run()
    assert not at.exception
    assert "target" in trend_layers()


def test_reset_restores_defaults():
    at = app({"district": ["Huyện Tam Đường"]})
    assert metric(at, "Tổng số HTX").value != "416 HTX"
    [b for b in at.button if b.label == "Đặt lại bộ lọc"][0].click().run()
    assert not at.exception
    # AppTest keeps its own copy of the URL; the browser test checks the cleaned URL and figures.
    assert at.session_state["district"] == []


def test_links_may_name_things_by_code(engine):
    """period=2023-H1, district=tam-duong, sector=agriculture: the codes the CLI and CSV files use."""
    at = app({"period": "2023-H1", "district": ["tam-duong"], "sector": ["agriculture"]})
    assert not at.exception
    assert not [w for w in at.warning if "không hợp lệ" in w.value]
    expected = expected_card(engine, Filter("2023-H1", districts=("106",), sectors=("agriculture",)), "coops_total")
    assert metric(at, "Tổng số HTX").value == expected


def test_english_mode_lists_speak_english(engine):
    at = app({"lang": "EN"})
    at.switch_page("pages/lien_minh.py").run()
    assert not at.exception
    shown = " ".join(str(frame.value.to_numpy().tolist()) for frame in at.dataframe)
    assert "Awareness class" in shown  # a class's kind (its title is data, and stays as written)
    assert "No project yet" in shown and "Chưa xây dựng dự án" not in shown  # a project's status


def code_spans(markdown: str) -> list[str]:
    """The contents of the Markdown code spans in `markdown`, as CommonMark reads them."""
    return [inner[1:-1] if inner.startswith(" ") and inner.endswith(" ") and inner.strip() else inner
            for _fence, inner in re.findall(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", markdown)]


def test_url_values_are_shown_as_plain_text():
    """Markdown in a link's values is shown character for character: no link, no bold, no new block."""
    hostile = ["**x**[a](http://e)", "`x` ``y``", "a\n# Tiêu đề"]
    at = app({"district": hostile})
    assert not at.exception
    notice = [w.value for w in at.warning if "không hợp lệ" in w.value]
    assert notice, [w.value for w in at.warning]
    shown = code_spans(notice[0])
    assert shown == ["district=**x**[a](http://e)", "district=`x` ``y``", "district=a\\n# Tiêu đề"]
    outside = re.sub(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", "", notice[0])
    assert not set("*[]()#\n") & set(outside), outside  # nothing Markdown reads outside the code spans


def test_code_span_and_escape_keep_every_character():
    for text in ("**x**[a](http://e)", "`", "``a`", "$x$ :red[y] <b>z</b>", "100%_của_*tổng*"):
        span = fmt.code_span(text)
        assert code_spans(span) == [text], span
    assert fmt.markdown_escaped("[a](http://e) *b*") == r"\[a\]\(http\:\/\/e\) \*b\*"
    assert "\n" not in fmt.markdown_escaped("a\n\n# b")


def database_app(monkeypatch, url: str, lang: str = "VI") -> AppTest:
    monkeypatch.setenv("HX_DATABASE_URL", url)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    return at.run()


def assert_reported_on_every_page(at: AppTest, *expected: str) -> None:
    for page in [None, *PAGES]:
        if page:
            at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        errors = [e.value for e in at.error]
        assert errors and all(text in errors[0] for text in expected), (page, errors)
        assert not at.metric and not at.dataframe and not at.title, page  # stopped before the frame drew figures


def test_an_empty_database_file_is_reported_on_every_page(tmp_path, monkeypatch):
    path = tmp_path / "trong.sqlite"
    path.touch()
    at = database_app(monkeypatch, f"sqlite:///{path}")
    assert_reported_on_every_page(at, "Không hiển thị được số liệu", "cơ sở dữ liệu trống", "build-demo")
    assert path.stat().st_size == 0  # a database someone chose is never filled with demo data
    english = database_app(monkeypatch, f"sqlite:///{path}", "EN")
    assert any("No figures can be shown" in e.value for e in english.error)


def test_a_database_without_organisations_is_reported(tmp_path, monkeypatch):
    engine = make_engine(f"sqlite:///{tmp_path / 'dungdo.sqlite'}")
    create_schema(engine)
    at = database_app(monkeypatch, str(engine.url))
    assert_reported_on_every_page(at, "dựng dở", "không có tổ chức nào", "build-demo")
    with engine.begin() as connection:  # people's imports were in it: no rebuild is suggested
        connection.execute(insert(schema.imports).values(user_name="lan", imported_at="2026-01-01T00:00:00",
                                                         file_name="htx.xlsx", file_sha256="0" * 64, period="2023-H1"))
    at = database_app(monkeypatch, str(engine.url))
    errors = [e.value for e in at.error]
    assert errors and "1 lần nhập" in errors[0] and "build-demo" not in errors[0]


def test_a_missing_database_file_is_reported_and_not_created(tmp_path, monkeypatch):
    path = tmp_path / "khong-co.sqlite"
    at = database_app(monkeypatch, f"sqlite:///{path}")
    assert not at.exception
    assert any("không có tệp cơ sở dữ liệu" in e.value for e in at.error)
    assert not path.exists()


def test_after_the_reform_the_sidebar_filters_by_the_38_communes():
    """2026-H1: districts are former districts and the commune filter lists the 38 new units;
    back on 2023-H1, the 8 districts and the 106 communes of their time."""
    at = app({"period": "2026-H1"})
    assert not at.exception
    filters = {m.label: m for m in at.sidebar.multiselect}
    assert len(filters["Xã, phường"].options) == 38
    assert "Địa bàn huyện cũ" in filters
    at.sidebar.selectbox(key="period").set_value("2023-H1").run()
    filters = {m.label: m for m in at.sidebar.multiselect}
    assert len(filters["Xã, phường"].options) == 106 and "Huyện, thành phố" in filters


def test_an_old_district_link_on_a_2026_period_shows_the_former_district(engine):
    at = app({"period": "2026-H1", "district": ["tam-duong"]})
    assert not at.exception
    assert any("không còn cấp huyện" in c.value for c in at.caption)
    assert metric(at, "Tổng số HTX").value == expected_card(engine, Filter("2026-H1", districts=("106",)), "coops_total")


def test_a_commune_link_after_the_reform_filters_to_that_commune(engine):
    at = app({"period": "2026-H1", "area": ["sin-suoi-ho"]})
    assert not at.exception
    assert any("Xã Sin Suối Hồ" in c.value for c in at.caption)
    assert metric(at, "Tổng số HTX").value == expected_card(engine, Filter("2026-H1", communes=("03394",)), "coops_total")


RAW_CODE = re.compile(r"\b((coops|coop|groups|group|unions|union|training|fund|fairs|linkage|model)_[a-z_]+"
                      r"|20\d\d-(H[12]|Q[1-4])|BC-BCH-[\w-]+)\b")
FILE_NAME = re.compile(r"hx_[^\s·]+")  # a download's file name is shown as it will be saved: codes allowed there
VIEWER_PAGES = ["pages/tong_quan.py", "pages/chi_tieu.py", "pages/can_chi_dao.py", "pages/hop_tac_xa.py",
                "pages/to_hop_tac.py", "pages/lien_minh.py", "pages/so_sanh.py", "pages/du_lieu.py", "pages/bao_cao.py",
                "pages/kiem_tra.py"]


def visible_texts(at: AppTest) -> list[str]:
    """What a viewer reads: texts, cards, widget labels and the options as shown, table headings, tabs."""
    out = [e.value for kind in ("markdown", "caption", "title", "subheader", "header", "info", "warning", "success",
                                "error") for e in getattr(at, kind)]
    out += [f"{m.label} {m.value}" for m in at.metric] + [tab.label for tab in at.tabs]
    for kind in ("selectbox", "radio", "multiselect"):
        for widget in getattr(at, kind):
            out += [widget.label, *map(str, widget.options)]  # AppTest holds the options as they are shown
    out += [str(column) for frame in at.dataframe for column in frame.value.columns]
    return out


def test_hop_tac_xa_draws_only_its_open_breakdown_tab():
    """The breakdown tabs keep which one is open and draw only it: the sectors' table on arrival, the
    districts' (and not the sectors') once that tab is opened."""
    at = app()
    at.switch_page("pages/hop_tac_xa.py").run()
    first_columns = lambda: [str(frame.value.columns[0]) for frame in at.dataframe]  # noqa: E731
    assert first_columns()[0] == "Lĩnh vực" and "Huyện, thành phố" not in first_columns()[:1]
    at.session_state["coops_breakdown"] = at.tabs[1].label  # what clicking the tab does
    at.run()
    assert not at.exception
    assert first_columns()[0] == "Huyện, thành phố" and "Lĩnh vực" not in first_columns()


@pytest.mark.parametrize("period", ["2023-H1", "2026-H1"])
def test_no_raw_code_is_shown_to_a_reader(period):
    """Indicator codes (coops_total), period codes (2023-H1) and report codes (BC-BCH-…) stay in links,
    files and the CLI: every page names things by their labels."""
    at = app({"period": period})
    found = []
    for page in VIEWER_PAGES:
        at.switch_page(page).run()
        assert not at.exception, page
        found += [(page, match.group(0)) for text in visible_texts(at)
                  for match in RAW_CODE.finditer(FILE_NAME.sub("", str(text)))]
    assert not found, found


def test_a_database_of_an_earlier_hx_is_upgraded_at_start_and_says_so(tmp_path, monkeypatch):
    """The previous release's Lai Châu database (tests/data): every page reads it after the start
    upgraded it, and says (for an hour) what was done and where the backup copy is."""
    path = old_copy(tmp_path)
    at = database_app(monkeypatch, f"sqlite:///{path}")
    notices = [s.value for s in at.success]
    assert any("Đã nâng cấp cơ sở dữ liệu" in n and "Bản sao lưu" in n for n in notices), notices
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception and not at.error, (page, at.exception, [e.value for e in at.error])
    assert [s.value for s in at.success if "Đã nâng cấp" in s.value] == notices  # still said, a page later
    assert list((tmp_path / "backups").glob("*truoc-nang-cap*.sqlite"))


def test_a_failed_upgrade_is_reported_and_changes_nothing(tmp_path, monkeypatch):
    path = old_copy(tmp_path)
    before = path.read_bytes()

    def broken(*_args):
        raise RuntimeError("ổ đĩa đầy")

    monkeypatch.setattr("hxcore.io.upgrade._apply", broken)
    at = database_app(monkeypatch, f"sqlite:///{path}")
    assert_reported_on_every_page(at, "không nâng cấp được", "ổ đĩa đầy", "không bị thay đổi", "Đừng tạo lại dữ liệu demo")
    assert "build-demo" not in at.error[0].value  # an office's database: nothing that could overwrite it
    assert path.read_bytes() == before
    monkeypatch.undo()  # the cause fixed: the next run upgrades it and the page reads it
    monkeypatch.setenv("HX_DATABASE_URL", f"sqlite:///{path}")
    at.switch_page("pages/hop_tac_xa.py").run()
    assert not at.exception and not at.error and at.metric, [e.value for e in at.error]


def test_a_frame_s_cache_key_is_its_content(engine):
    """The key the app's caches give a frame argument (hxapp.data.frame_key): the same for the frame, its
    copy and its unpickled copy (a rerun reads cached frames), different as soon as one cell or type differs."""
    import pickle

    from hxapp.data import frame_key

    frame = evaluate(engine, Filter("2023-H1"), by="district")
    same = [frame.copy(), pickle.loads(pickle.dumps(frame)), frame.copy(deep=False)]
    assert all(frame_key(other) == frame_key(frame) for other in same)
    changed_value, changed_text, changed_type = frame.copy(), frame.copy(), frame.copy()
    changed_value.loc[3, "value"] += 1e-9
    changed_text.loc[0, "district_name"] = "Tam Duong"
    changed_type["value"] = changed_type["value"].astype(object)
    assert len({frame_key(f) for f in (frame, changed_value, changed_text, changed_type)}) == 4
    named = frame.rename_axis("row")
    ordered = frame.assign(sector=pd.Categorical(frame["district"], categories=sorted(set(frame["district"]))))
    reordered = ordered.assign(sector=ordered["sector"].cat.reorder_categories(ordered["sector"].cat.categories[::-1]))
    arrays = [frame.assign(sector=[np.arange(2000) + i] * len(frame)) for i in (0, 1)]  # reprs cut short ("…")
    assert frame_key(named) != frame_key(frame) and frame_key(ordered) != frame_key(reordered)
    assert frame_key(arrays[0]) != frame_key(arrays[1])


def test_two_sessions_share_the_area_names_of_their_views():
    """The sidebar's district and commune names are shared by every session (hxapp/data.py,
    st.cache_resource), not a private copy in each session's View and widgets."""
    from hxapp.view import VIEW_KEY

    first, second = app(), app()
    assert not first.exception and not second.exception
    names = first.session_state[VIEW_KEY].district_names, second.session_state[VIEW_KEY].district_names
    assert names[0] == names[1] and len(names[0]) > 10
    # The same objects, not equal copies: a session holds a dict of references, not ~11.800 strings of its own.
    assert all(names[0][code] is names[1][code] for code in names[0])
    rerun = first.run().session_state[VIEW_KEY].district_names
    assert all(rerun[code] is names[0][code] for code in names[0])
