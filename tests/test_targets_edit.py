"""Editors enter a resolution's targets in the app (issue 10, part 4): checked as data/targets.csv is,
written all or nothing with the data version moved, every change in the audit table (old → new)."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from hxcore.db import schema
from hxcore.db.schema import data_version, make_engine
from hxcore.engine.attainment import target_table
from hxcore.io import auth, targets_edit
from hxcore.io.targets_edit import Resolution, TargetsRejected
from hxcore.model.filters import Filter
from hxcore.model.texts import t

ROOT = Path(__file__).resolve().parent.parent
DEMO_26 = "DEMO-26/NQ-BCH"
EDITOR = auth._issue("lan", auth.Role.EDITOR)
RESOLUTION = Resolution("07/NQ-BCH", "Nghị quyết thử", date(2026, 2, 1), 2026, "12")
ROWS = [  # two valid targets, as the editor's table holds them
    {"item": 1, "indicator": "coops_new", "wording": "Thành lập mới 30 HTX", "comparator": "min", "value": 30.0,
     "value_high": None, "sector": "", "year": 2026},
    {"item": 2, "indicator": "coops_effective_share", "wording": "45–60% HTX hiệu quả", "comparator": "range",
     "value": 45.0, "value_high": 60.0, "sector": "agriculture", "year": 2026},
]


def edited(**changes) -> pd.DataFrame:
    """ROWS with cells changed: {"r1_value": "nhiều"} sets row 1's value; "extra" appends a row."""
    rows = [dict(row) for row in ROWS]
    for name, value in changes.items():
        if name == "extra":
            rows.append(value)
            continue
        row, column = name.split("_", 1)
        rows[int(row[1:]) - 1][column] = value
    return pd.DataFrame(rows, dtype=object)


# (case, the editor's table, the resolution's fields, the one message shown)
CASES = [
    ("bad-indicator", edited(r1_indicator="coops_neww"), {},
     "Dòng 1, cột «Chỉ tiêu»: chỉ tiêu 'coops_neww' không có trong danh mục"),
    ("range-without-high", edited(r2_value_high=None), {},
     "Dòng 2, cột «Giá trị cao (khoảng)»: chỉ tiêu khoảng cần giá trị cao ≥ giá trị thấp"),
    ("range-high-below-low", edited(r2_value_high=40.0), {},
     "Dòng 2, cột «Giá trị cao (khoảng)»: chỉ tiêu khoảng cần giá trị cao ≥ giá trị thấp"),
    ("duplicate", edited(extra={**ROWS[0], "item": 5, "value": 12.0}), {},
     "Dòng 3: trùng chỉ tiêu với dòng 1 (cùng nghị quyết, chỉ tiêu, lĩnh vực và năm)"),
    ("non-number", edited(r1_value="nhiều"), {}, "Dòng 1, cột «Giá trị»: số không hợp lệ: 'nhiều'"),
    ("item-not-whole", edited(r1_item="1.5"), {}, "Dòng 1, cột «Mục»: số không hợp lệ: '1.5'"),
    ("bad-comparator", edited(r1_comparator="ít nhất"), {},
     "Dòng 1, cột «So sánh»: so sánh phải là min, max hoặc range, không phải 'ít nhất'"),
    ("unknown-sector", edited(r2_sector="farming"), {},
     "Dòng 2, cột «Lĩnh vực»: lĩnh vực 'farming' không có (chọn: agriculture, industry, construction, trade, "
     "transport, environment, credit, non_agriculture)"),
    ("other-resolution", edited(extra={**ROWS[0], "indicator": "groups_new", "resolution": "58/NQ-BCH"}), {},
     "Dòng 3, cột «Nghị quyết»: thuộc nghị quyết '58/NQ-BCH', không phải '07/NQ-BCH' đang sửa"),
    ("no-title", edited(), {"title": " "}, "«Tên nghị quyết»: cần nhập tên nghị quyết"),
    ("no-number", edited(), {"code": ""}, "«Số nghị quyết»: cần nhập số nghị quyết"),
    ("unknown-province", edited(), {"province_code": "99"},
     "«Tỉnh (hoặc Toàn quốc: nghị quyết trung ương)»: tỉnh '99' không có trong cơ sở dữ liệu"),
]


@pytest.fixture
def office(tmp_path, demo_db_path):
    """A copy of the demo database to write to."""
    path = tmp_path / "hx.sqlite"
    shutil.copy(demo_db_path, path)
    return make_engine(f"sqlite:///{path}")


def content_hash(engine) -> str:
    """SHA-256 of the resolutions, targets, audit and data version: equal hashes, nothing written."""
    digest = hashlib.sha256()
    schema.create_schema(engine)
    with engine.connect() as conn:
        for table in (schema.resolutions, schema.targets, schema.target_changes, schema.meta):
            digest.update(repr(conn.execute(select(table).order_by(*table.columns)).all()).encode())
    return digest.hexdigest()


@pytest.mark.parametrize("frame, fields, message", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_a_wrong_edit_is_refused_naming_row_and_column(engine, frame, fields, message):
    resolution = Resolution(**{**RESOLUTION.__dict__, **fields})
    problems = targets_edit.check_targets(engine, resolution, frame)
    assert [p.text() for p in problems] == [message]


def test_the_valid_rows_pass_and_blank_rows_are_ignored(engine):
    blank = {column: None for column in ROWS[0]}
    assert targets_edit.check_targets(engine, RESOLUTION, edited(extra=blank)) == []


def test_a_file_s_problems_name_its_lines(engine):
    text = "resolution,item,indicator,comparator,value,value_high,sector,year,wording\n" \
           "07/NQ-BCH,1,coops_new,min,30,,,2026,Thành lập mới 30 HTX\n" \
           ",2,coops_new,min,abc,,,2026,Lặp lại\n"
    frame = targets_edit.read_targets_upload(text.encode("utf-8-sig"), "chi-tieu.csv")
    problems = targets_edit.row_problems(targets_edit.as_text(frame, "07/NQ-BCH"), "07/NQ-BCH")
    assert [p.text() for p in problems] == ["Dòng 3, cột «Giá trị»: số không hợp lệ: 'abc'",
                                            "Dòng 3: trùng chỉ tiêu với dòng 2 (cùng nghị quyết, chỉ tiêu, lĩnh vực và năm)"]
    with pytest.raises(TargetsRejected, match="^tệp chi-tieu.csv thiếu cột comparator"):
        targets_edit.read_targets_upload(text.replace("comparator,", "so_sanh,", 1).encode(), "chi-tieu.csv")


def test_an_edit_moves_the_targets_the_engine_attaches_and_is_audited(office, tmp_path):
    before_version = data_version(office)
    rows = targets_edit.targets_of(office, DEMO_26)
    assert rows.loc[rows["indicator"] == "coops_new", "value"].tolist() == [20.0]
    rows.loc[rows["indicator"] == "coops_new", ["value", "wording"]] = [26.0, "Thành lập mới 26 HTX trở lên"]
    rows = rows[rows["indicator"] != "groups_new"]  # deleted
    rows.loc[len(rows) + 100] = {"resolution": "", "item": 2, "indicator": "coops_total", "comparator": "min",
                                 "value": 160.0, "value_high": None, "sector": "", "year": 2026,
                                 "wording": "Toàn tỉnh có trên 160 HTX"}
    saved = targets_edit.save_targets(office, targets_edit.resolution_of(office, DEMO_26),
                                      rows.reset_index(drop=True), EDITOR)
    assert (saved.added, saved.changed, saved.deleted, saved.audit_rows) == (1, 1, 1, 4)
    assert data_version(office) == saved.version != before_version  # caches keyed by the version refresh

    table = target_table(office, Filter("2026-H1")).set_index("indicator")
    assert table.loc["coops_new", "target"] == 26.0
    assert table.loc["coops_total", "target"] == 160.0
    assert "groups_new" not in table.index

    log = targets_edit.change_log(office)
    changed = log[log["action"] == "changed"].set_index("field")
    assert changed.loc["value", ["indicator", "old_value", "new_value"]].tolist() == ["coops_new", "20", "26"]
    assert changed.loc["wording", "old_value"] == "Tư vấn, vận động thành lập mới 20 HTX trở lên"
    assert changed.loc["wording", "new_value"] == "Thành lập mới 26 HTX trở lên"
    assert log.set_index("action").loc["deleted", "indicator"] == "groups_new"
    assert '"value": 160.0' in log.set_index("action").loc["added", "new_value"]
    assert set(log["user_name"]) == {"lan"} and set(log["resolution_code"]) == {DEMO_26}
    assert log["changed_at"].str.endswith("+00:00").all()  # UTC, ISO

    cli = subprocess.run([sys.executable, "-m", "hxcore", "--db", str(office.url), "targets", "--period", "2026-H1",
                          "--format", "csv"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    printed = pd.read_csv(io.StringIO(cli.stdout)).set_index("indicator")
    assert printed.loc["coops_new", "target"] == 26 and "groups_new" not in printed.index

    again = targets_edit.save_targets(office, targets_edit.resolution_of(office, DEMO_26),
                                      targets_edit.targets_of(office, DEMO_26), EDITOR)
    assert again.version is None and len(targets_edit.change_log(office)) == 4  # the same list: nothing written


def test_a_new_resolution_is_added_with_its_targets(office):
    saved = targets_edit.save_targets(office, RESOLUTION, edited(), EDITOR, creating=True)
    assert (saved.added, saved.audit_rows) == (2, 3)  # the resolution and its two targets
    assert targets_edit.resolution_of(office, "07/NQ-BCH") == RESOLUTION
    stored = targets_edit.targets_of(office, "07/NQ-BCH")
    assert stored[["indicator", "comparator", "value", "value_high", "sector"]].values.tolist() == [
        ["coops_new", "min", 30.0, pd.NA, ""], ["coops_effective_share", "range", 45.0, 60.0, "agriculture"]]
    with pytest.raises(TargetsRejected, match="đã có"):
        targets_edit.save_targets(office, RESOLUTION, edited(), EDITOR, creating=True)
    renamed = Resolution(**{**RESOLUTION.__dict__, "title": "Nghị quyết thử (sửa)"})
    targets_edit.save_targets(office, renamed, edited(), EDITOR)
    newest = targets_edit.change_log(office).iloc[0]
    assert (newest["field"], newest["old_value"], newest["new_value"]) == ("title", "Nghị quyết thử", "Nghị quyết thử (sửa)")


def test_a_file_of_the_targets_csv_columns_imports(office, tmp_path):
    """data/targets.csv's own rows for a resolution, as XLSX, import unchanged; one value changed, one audit row."""
    rows = pd.read_csv(ROOT / "data" / "targets.csv", dtype=str, keep_default_na=False)
    rows = rows[rows["resolution"] == DEMO_26]
    rows.loc[rows["indicator"] == "coops_new", "value"] = "24"
    buffer = io.BytesIO()
    rows.to_excel(buffer, index=False)
    frame = targets_edit.read_targets_upload(buffer.getvalue(), "chi-tieu-2026.xlsx")
    saved = targets_edit.save_targets(office, targets_edit.resolution_of(office, DEMO_26), frame, EDITOR)
    assert (saved.added, saved.changed, saved.deleted) == (0, 1, 0)
    log = targets_edit.change_log(office)
    assert log[["indicator", "field", "old_value", "new_value"]].values.tolist() == [["coops_new", "value", "20", "24"]]


@pytest.mark.parametrize("attempt", ["problem", "viewer", "failure-inside-the-transaction"])
def test_a_refused_edit_leaves_the_database_unchanged(office, monkeypatch, attempt):
    before = content_hash(office)
    rows = targets_edit.targets_of(office, DEMO_26)
    resolution = targets_edit.resolution_of(office, DEMO_26)
    rows.loc[0, "value"] = 99.0
    session = EDITOR
    if attempt == "problem":
        rows.loc[1, "indicator"] = "coops_neww"
    elif attempt == "viewer":
        session = auth.VIEWER
    else:  # the targets and audit are written, then the version bump fails: all of it is rolled back
        def fail(*_args, **_kwargs):
            raise RuntimeError("hỏng giữa chừng")
        monkeypatch.setattr(targets_edit, "data_changed", fail)
    with pytest.raises((TargetsRejected, auth.PermissionDenied, RuntimeError)):
        targets_edit.save_targets(office, resolution, rows, session)
    assert content_hash(office) == before


# --- the page --------------------------------------------------------------------------------------

@pytest.fixture
def page_database(office, monkeypatch):
    original = PagesManager.__init__

    def init(self, *args, **kwargs):  # route through app.py as a server does (see tests/test_app.py)
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)
    monkeypatch.setenv("HX_DATABASE_URL", str(office.url))
    return office


def editor_page(signed_in: bool = True, lang: str = "VI") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["lang"] = lang
    if signed_in:
        at.session_state["hx_session"] = auth._issue("lan", auth.Role.EDITOR)
    at.run()
    return at.switch_page("pages/sua_chi_tieu.py").run()


def test_the_page_edits_a_resolution_as_an_editor(page_database):
    at = editor_page()
    assert not at.exception
    assert at.title[0].value == t("page_targets_edit")
    at.selectbox(key="targets_edit_pick").set_value(DEMO_26).run()
    table = at.dataframe[0].value  # the data editor, filled from the database
    assert len(table) == len(targets_edit.targets_of(page_database, DEMO_26))
    at.text_input(key=f"te-title-{DEMO_26}").set_value("Chỉ tiêu năm 2026 (đã sửa)").run()
    next(b for b in at.button if b.label == t("targets_edit_save")).click().run()
    assert not at.exception
    assert at.success[0].value == t("targets_edit_saved", code=DEMO_26, n=1, added=0, changed=0, deleted=0)
    log = at.dataframe[-1].value
    assert log[t("audit_col_field")].tolist() == [t("targets_edit_name")]
    assert log[t("audit_col_new")].tolist() == ["Chỉ tiêu năm 2026 (đã sửa)"]
    assert t("targets_edit_audit_download") in [b.label for b in at.get("download_button")]


def test_the_page_is_closed_to_viewers(page_database):
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # not in a viewer's menu at all
        editor_page(signed_in=False)


def test_the_page_speaks_english_too(page_database):
    at = editor_page(lang="EN")
    assert not at.exception
    assert at.title[0].value == t("page_targets_edit", "en")
    assert [box.label for box in at.text_input] == [t("targets_edit_code", "en"), t("targets_edit_name", "en")]
