"""The Import page with a real office form (tests/data/returns): notices said as notices, the missing column
matched by a select box pre-filled with the guess, the preview in words and figures, confirmation, undo, the
saved column matching listed and deleted; and the preview's words (hxcore.present.import_preview) on their own.

AppTest cannot drive st.file_uploader: the page's file comes through hxapp.importing.chosen_file, which the
tests replace with a corpus file. tests/test_browser_import.py uploads through the real widget."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from hxapp import importing
from hxcore.db.schema import make_engine
from hxcore.engine.compute import evaluate
from hxcore.io import auth, importer
from hxcore.io.importer import preview, profiles
from hxcore.model.filters import Filter
from hxcore.model.texts import t
from hxcore.present import fmt, import_preview

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
CORPUS = ROOT / "tests" / "data" / "returns"
PAGE = "pages/nhap_du_lieu.py"
EDITOR = auth._issue("lan", auth.Role.EDITOR)
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def routed_like_a_server(monkeypatch):
    """Every run through app.py, as a server routes it (see tests/test_app.py)."""
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture
def office(tmp_path, demo_db_path, monkeypatch):
    """A copy of the demo database the page writes to."""
    path = tmp_path / "hx.sqlite"
    shutil.copy(demo_db_path, path)
    monkeypatch.setenv("HX_DATABASE_URL", f"sqlite:///{path}")
    return make_engine(f"sqlite:///{path}")


def page_with(monkeypatch, name: str, lang: str = "vi") -> AppTest:
    """The Import page, signed in as an editor, with the corpus file `name` chosen."""
    monkeypatch.setattr(importing, "chosen_file", lambda _lang: (name, (CORPUS / name).read_bytes()))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang.upper()
    at.session_state["hx_session"] = EDITOR
    at.run()
    return at.switch_page(PAGE).run()


def plain(markdown_text: str) -> str:
    """Markdown as read on screen: the page escapes every punctuation mark of the texts it shows."""
    return re.sub(r"\\(.)", r"\1", markdown_text)


def markdown(at: AppTest) -> str:
    return plain("\n".join(m.value for m in at.markdown))


def value_at(engine, code: str, districts: tuple = ()) -> float:
    flt = Filter("2023-H1", districts=districts)
    return evaluate(engine, flt, [code], compare=False, with_targets=False)["value"].iloc[0]


def test_an_unknown_column_is_matched_previewed_imported_saved_and_undone(office, monkeypatch):
    total, tam_duong = value_at(office, "coops_total"), value_at(office, "coops_total", ("106",))
    at = page_with(monkeypatch, "15-cot-la.xlsx")
    assert not at.exception
    assert [plain(w.value) for w in at.warning] == ["Không thấy cột 'Xã/phường/thị trấn' — có phải cột 'Địa bàn xã'?"]
    box = at.selectbox(key=next(b.key for b in at.selectbox if b.key and b.key.endswith("-commune")))
    assert box.value == "Địa bàn xã" and "Tên HTX" in box.options  # pre-filled with the guess, any column offered
    assert not at.error  # read with the guess: nothing blocks
    shown = markdown(at)
    assert f"Tam Đường 30/6/2023: Tổng số HTX {tam_duong:.0f} → {tam_duong + 1:.0f}" in shown
    assert f"Toàn tỉnh 30/6/2023: Tổng số HTX {total:.0f} → {total + 1:.0f}" in shown
    orgs = at.dataframe[1].value
    assert list(orgs["Đơn vị"]) == ["HTX Dịch vụ Bình Lư Mới"] and list(orgs["Lưu ý"]) == ["Mới"]
    name = next(i for i in at.text_input if i.label == t("import_profile_name", "vi"))
    name.set_value("Tam Đường - danh sách HTX").run()
    next(b for b in at.button if b.label == "Xác nhận nhập").click().run()
    assert not at.exception
    assert value_at(office, "coops_total") == total + 1  # as the preview said
    assert "Đã lưu cách ghép cột «Tam Đường - danh sách HTX»." in [s.value for s in at.success]
    assert list(profiles.listed(office)["Tên"]) == ["Tam Đường - danh sách HTX"]
    undo = next(b for b in at.button if b.label.startswith("Hoàn tác lần nhập"))
    undo.click().run()
    assert value_at(office, "coops_total") == total  # back
    assert any(s.value.startswith("Đã hoàn tác lần nhập") for s in at.success)
    history = at.dataframe[-2].value
    assert list(history["Trạng thái"]) == ["Đã hoàn tác"]


def test_a_saved_matching_reads_the_next_file_at_once_and_is_deleted_on_the_page(office, monkeypatch):
    data = (CORPUS / "15-cot-la.xlsx").read_bytes()
    plan = importer.prepare_import(office, data, "15-cot-la.xlsx", "2023-H1", mapping={"coops": {"commune": "Địa bàn xã"}})
    profiles.save(office, "Tam Đường - danh sách HTX", plan.tables[0], EDITOR)
    at = page_with(monkeypatch, "15-cot-la.xlsx")
    assert not at.exception and not at.warning and not at.error  # no question asked
    assert "đọc theo cách ghép cột đã lưu 'Tam Đường - danh sách HTX'" in plain(at.info[-1].value)
    pick = next(b for b in at.selectbox if b.label == t("import_profile_pick", "vi"))
    pick.set_value("Tam Đường - danh sách HTX").run()
    next(b for b in at.button if b.label == t("import_profile_delete", "vi")).click().run()
    assert not at.exception
    assert profiles.listed(office).empty
    assert "Đã xoá cách ghép cột «Tam Đường - danh sách HTX»." in [s.value for s in at.success]


def test_notices_alone_are_notices_not_an_error_count(office, monkeypatch):
    """A hidden sheet skipped and the district read from the title block: said in a notice box, no "0 lỗi"."""
    at = page_with(monkeypatch, "04-trang-an.xlsx")
    assert not at.exception and not at.error and not at.warning
    notices = plain(at.info[-1].value)
    assert notices.startswith("**3 thông báo")
    assert "Số liệu cũ" in notices and "bị ẩn" in notices and "tiêu đề biểu" in notices
    operating = value_at(office, "coops_operating", ("106",))
    assert f"Tam Đường 30/6/2023: HTX đang hoạt động {operating:.0f} → {operating - 1:.0f}" in markdown(at)
    assert "Xác nhận nhập" in [b.label for b in at.button]


def test_a_wrong_total_row_is_a_warning_with_both_figures(office, monkeypatch):
    at = page_with(monkeypatch, "02-tong-sai.xlsx")
    assert not at.exception and not at.error
    warning = plain(at.warning[0].value)
    written, summed = EXPECTED["02-tong-sai.xlsx"]["warnings"]  # "ghi 392", "được 385": as the corpus was built
    assert warning.startswith("**1 cảnh báo**") and written in warning and summed in warning


def test_a_refused_file_shows_its_errors_and_no_preview(office, monkeypatch):
    at = page_with(monkeypatch, "13-huyen-ngoai-tinh.xlsx")
    assert not at.exception
    assert at.error[0].value == "1 lỗi"
    assert "Bát Xát" in " ".join(at.dataframe[0].value["Giá trị"].astype(str))
    assert "Xác nhận nhập" not in [b.label for b in at.button]


def test_the_page_in_english(office, monkeypatch):
    at = page_with(monkeypatch, "15-cot-la.xlsx", "en")
    assert not at.exception
    assert [plain(w.value) for w in at.warning] == ["Column 'Xã/phường/thị trấn' not found — is it 'Địa bàn xã'?"]
    assert "Province 30 Jun 2023: Cooperatives 416 → 417" in markdown(at)
    assert "Confirm import" in [b.label for b in at.button]


# --- the preview's words ---------------------------------------------------------------------------

def test_the_preview_in_words_is_the_engine_s_figures(engine):
    data = (CORPUS / "01-bieu-tam-duong.xlsx").read_bytes()
    plan = importer.prepare_import(engine, data, "01.xlsx", "2023-H1")
    shown = preview.preview(engine, plan)
    operating = value_at(engine, "coops_operating", ("106",))
    lines = dict(import_preview.headline_lines(shown.indicators))
    assert f"Tam Đường 30/6/2023: HTX đang hoạt động {operating:.0f} → {operating - 1:.0f}" in lines
    capital = shown.indicators.set_index(["area", "indicator"]).loc[("Toàn tỉnh", "coop_charter_capital")]
    assert capital["before"] == value_at(engine, "coop_charter_capital") > capital["after"]
    assert (f"Toàn tỉnh 30/6/2023: Vốn điều lệ HTX {fmt.number(capital['before'])} → {fmt.number(capital['after'])} "
            "triệu đồng") in lines
    table, unchanged = import_preview.organisations_table(shown.organisations)
    assert len(table) + unchanged == 44
    stopped = table[table["Tình trạng"] == "Đang hoạt động → Ngừng hoạt động"]
    assert len(stopped) == 1  # the one cooperative the return stops
    figures = shown.organisations.set_index("name").loc[stopped["Đơn vị"].iloc[0]]
    old, new = figures["members_old"], figures["members_new"]
    assert stopped["Thành viên"].iloc[0] == (f"{old} → {new}" if old != new else f"{old}")
    report = import_preview.text_report(shown.indicators, shown.organisations)
    assert report.startswith("Chỉ tiêu chính thay đổi:") and f"{unchanged} đơn vị khác" in report


def test_new_dissolved_and_jumps_are_marked_first():
    rows = [{"name": "HTX B", "district": "Huyện Sìn Hồ", "status_old": "operating", "status_new": "operating",
             "charter_capital_old": 100.0, "charter_capital_new": 1000.0, "members_old": 10, "members_new": 5,
             "workers_old": 4, "workers_new": 4, "mark": "jump", "jumps": {"charter_capital": 10.0, "members": 0.5}},
            {"name": "HTX A", "district": "Huyện Sìn Hồ", "status_old": "operating", "status_new": "operating",
             "charter_capital_old": 100.0, "charter_capital_new": 100.0, "members_old": 7, "members_new": 8,
             "workers_old": 4, "workers_new": 4, "mark": "", "jumps": {}},
            {"name": "HTX C", "district": "Thành phố Lai Châu", "status_old": "operating", "status_new": None,
             "charter_capital_old": 500.0, "charter_capital_new": None, "members_old": 7, "members_new": None,
             "workers_old": 2, "workers_new": None, "mark": "dissolved", "jumps": {}},
            {"name": "HTX D", "district": "Huyện Sìn Hồ", "status_old": "operating", "status_new": "operating",
             "charter_capital_old": 100.0, "charter_capital_new": 100.0, "members_old": 7, "members_new": 7,
             "workers_old": 4, "workers_new": 4, "mark": "", "jumps": {}}]
    table, unchanged = import_preview.organisations_table(pd.DataFrame(rows))
    assert list(table["Đơn vị"]) == ["HTX C", "HTX B", "HTX A"] and unchanged == 1
    assert list(table["Lưu ý"]) == ["Giải thể", "Biến động lớn: vốn điều lệ ×10,0; thành viên ×0,5", ""]
    assert list(table["Huyện"]) == ["Thành phố Lai Châu", "Sìn Hồ", "Sìn Hồ"]
    assert table.iloc[0]["Vốn điều lệ (triệu đồng)"] == "500 → –"
    assert list(import_preview.marked(table)) == [True, True, False]
