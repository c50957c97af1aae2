"""The data checks in both languages, and a published report checked against its own province.

A violation is kept as language-neutral parts; hxcore.present.violations writes its sentences in
the page's language. Vietnamese stays exactly as the CLI has always printed it; English holds no
Vietnamese but the report's own quoted sentence and proper names. On a national database, the
Lai Châu report is compared with Lai Châu's figures, not the country's.
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from hxcore.db import schema
from hxcore.engine import checks as validation
from hxcore.engine.checks import FORMS, WRITTEN_COLUMNS, CheckSource, Fig, Figures, babel_number, written
from hxcore.engine.compute import district_choices, province_choices
from hxcore.present.violations import display_frame, number, written_frame

ROOT = Path(__file__).resolve().parent.parent
REPORT = "BC-BCH-2023-H1"
QUOTED = {"Sentence in the report"}  # the report's own sentence, quoted as printed (in Vietnamese)
# Symbols a sentence may hold in either language.
SYMBOLS = set("–→∞−↔×÷")
# Vietnamese words written without diacritics: none may be left in an English sentence.
VIETNAMESE_WORDS = {"HTX", "THT", "ghi", "thay", "cho", "trong", "huyen", "khoang", "khop", "vi", "pham", "bao", "cao",
                    "lieu", "chi", "tieu", "hon", "tren", "duoi", "ty", "trieu"}


@pytest.fixture(scope="module")
def report_violations(engine):
    return validation.check(engine, report=REPORT)


def _proper_names(engine) -> list[str]:
    """Names that may stay Vietnamese in English: the areas'."""
    with engine.connect() as conn:
        names = conn.execute(select(schema.areas.c.name).distinct()).scalars().all()
    return sorted(names, key=len, reverse=True)


def _not_english(text: str, names: list[str]) -> set[str]:
    """Words of `text` that are not English: with a Vietnamese letter, or Vietnamese without diacritics."""
    for name in names:
        text = text.replace(name, " ")
    found = {word for word in re.findall(r"\w+", text)
             if any(not c.isascii() and c not in SYMBOLS for c in word) or word in VIETNAMESE_WORDS}
    found |= {c for c in text if not c.isascii() and c not in SYMBOLS}
    return found


def _assert_english(shown: pd.DataFrame, names: list[str]) -> None:
    for column in shown.columns:
        if column in QUOTED:
            continue
        for text in shown[column].astype(str):
            assert not _not_english(text, names), (column, text, _not_english(text, names))


# --- English: no Vietnamese left but quotes and names -----------------------------------------

def test_english_violations_of_the_report_hold_no_vietnamese(engine, report_violations):
    shown = display_frame(report_violations, "en")
    assert len(shown) == 10
    _assert_english(shown, _proper_names(engine))
    row = shown[shown["Rule"] == "The sectors add up to the total"].iloc[0]
    assert row["Figure to review"] == ("Charter capital, Sanitation, environment (report) 14,640 → 11,400 "
                                       "(resolves 3 violations, breaks no other rule)")
    assert row["Stated"] == "1,056,714" and row["Computed"] == "1,059,954" and row["Difference"] == "−3,240"


def test_english_violations_of_the_data_hold_no_vietnamese(engine):
    """The demo's data checks for 2023-H1 find nothing; a data violation built from figures reads in English too."""
    frame = validation.check(engine, period="2023-H1")
    assert frame.empty
    _assert_english(display_frame(frame, "en"), [])
    stated = {f.key: f for f in (_data_fig("coops_total", 10), _data_fig("coops_operating", 7),
                                 _data_fig("coops_inactive", 2))}
    rule = validation.RULES_BY_CODE["operating_plus_stopped"]
    (found,) = FORMS[rule.form](rule, Figures(CheckSource.DATA, "2023-H1", stated, stated, {}, {}))
    parts = found.violation("", "2023-H1")["_parts"]
    english = written(parts, "en", number)
    assert english["figures"] == "Cooperatives = 10 (data); Operating cooperatives = 7 (data); Stopped cooperatives = 2 (data)"
    assert english["reconcile"].startswith("Cooperatives (data): 9 instead of 10 | ")
    assert not any(_not_english(text, []) for text in english.values())


@pytest.mark.parametrize("printed,english", [
    ("hơn 900", "more than 900"), ("trên 76 %", "over 76 %"), ("22,695 tỷ", "22.695 billion"),
    ("1.056,714 tỷ", "1,056.714 billion"), ("1.056.714", "1,056,714"), ("59,7%", "59.7%"), ("03", "3"), ("1/11", "1/11"),
])
def test_a_printed_figure_reads_in_english(printed, english):
    fig = Fig(("coops_total", "value", None, None), 1.0, 0.0, 2.0, CheckSource.REPORT, printed)
    parts = validation.Violation(fig, (fig,), None)  # a figure lacking its % sign: stated is the figure as printed
    assert written(parts, "en", number)["stated"] == english
    assert written(parts, "vi", number)["stated"] == printed


def test_notes_are_written_in_the_page_s_language(report_violations):
    notes = set(display_frame(report_violations, "en")["Note"]) - {""}
    assert notes == {"the % sign is missing", "the attainment printed equals the rate itself: the rate may have been "
                                                                  "printed in place of the attainment"}


# --- Vietnamese: exactly as before -------------------------------------------------------------

def test_vietnamese_is_unchanged(report_violations):
    """The page's Vietnamese (present.fmt) is the engine's (Babel), which the CLI prints: as it always was."""
    assert written_frame(report_violations, "vi")[list(WRITTEN_COLUMNS)].equals(report_violations[list(WRITTEN_COLUMNS)])
    shown = display_frame(report_violations, "vi")
    row = report_violations[report_violations["rule"] == "attainment"].iloc[0]
    assert row["indicator"] == "training_trainees"
    assert (row["stated"], row["computed"], row["note"]) == ("94,7%", "94,74 (khoảng 94,84–∞)", "")
    assert row["figures"] == ("Học viên lớp tuyên truyền (mức đạt chỉ tiêu) = 94,7% (báo cáo); Học viên lớp tuyên truyền "
                              "= hơn 900 (báo cáo); Học viên lớp tuyên truyền (chỉ tiêu) = 950 (chỉ tiêu)")
    assert row["reconcile"] == ("Học viên lớp tuyên truyền (mức đạt chỉ tiêu) (báo cáo): 94,74 thay cho 94,7% | "
                                "Học viên lớp tuyên truyền (báo cáo): 899,65 thay cho hơn 900")
    assert row["suspect"] == ("Học viên lớp tuyên truyền (báo cáo) hơn 900 → 900 (khớp 2 vi phạm, không làm sai quy tắc "
                              "khác)")
    sign = report_violations[report_violations["rule"] == "percent_sign"].iloc[0]
    assert (sign["stated"], sign["computed"], sign["note"], sign["suspect"]) == ("82,2", "82,2%", "thiếu dấu %", "")
    assert sign["figures"] == "Thu nhập bình quân lao động THT (năm) (mức đạt chỉ tiêu) = 82,2 (báo cáo)"
    assert sign["reconcile"] == "Thu nhập bình quân lao động THT (năm) (mức đạt chỉ tiêu): ghi '82,2%'"
    assert list(shown["Số nên xem lại"]) == list(report_violations["suspect"])


def test_a_frame_without_its_parts_keeps_the_engine_s_vietnamese(report_violations):
    bare = report_violations.copy()
    bare.attrs.clear()
    assert list(display_frame(bare, "en")["Figure to review"]) == list(report_violations["suspect"])


def test_the_two_number_writers_agree():
    """present.fmt writes a violation's numbers as the engine's Babel writer does, in both languages."""
    rng = random.Random(7)
    values = [0, 1, -1, 4.3, 4.38, 4.375, 1.005, 0.5, 2.5, -0.004, 1_056_714, 1_059_954.4999, 77.1428571, 899.65,
              *(rng.uniform(-1e7, 1e7) for _ in range(300)), *(rng.uniform(-2, 2) for _ in range(300))]
    for value in values:
        for lang in ("vi", "en"):
            assert number(value, lang) == babel_number(value, lang), (value, lang)
            for decimals in (0, 1, 3):
                assert number(value, lang, decimals) == babel_number(value, lang, decimals), (value, lang, decimals)
    assert math.isclose(float(number(1_056.714, "en", 3).replace(",", "")), 1_056.714)


def _data_fig(indicator: str, value: float) -> Fig:
    return Fig((indicator, "value", None, None), value, value - 1e-9, value + 1e-9, CheckSource.DATA)


# --- the page, in English ---------------------------------------------------------------------

def test_checks_page_writes_the_violations_in_english(demo_db_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("HX_DATABASE_URL", f"sqlite:///{demo_db_path}")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["lang"] = "EN"
    at.run()
    at.switch_page("pages/kiem_tra.py").run()
    assert not at.exception
    assert any("10 violations" in w.value for w in at.warning)
    shown = at.dataframe[-1].value
    assert "Charter capital, Sanitation, environment (report) 14,640 → 11,400" in " ".join(shown["Figure to review"])
    assert not any(unicodedata.category(c) == "Mn" or (not c.isascii() and c not in SYMBOLS)
                   for column in shown.columns if column not in QUOTED for c in " ".join(shown[column].astype(str)))


# --- a report against its own province --------------------------------------------------------

def test_a_report_s_province(engine, national):
    assert validation.report_province(national, REPORT) == "12"  # names no district: the alliance's own province
    assert validation.report_province(national, "vnbusiness.vn") == "12"  # names Lai Châu's district 106
    assert validation.report_province(engine, REPORT) is None  # one province: the whole database, as before


def test_a_report_is_checked_against_its_province_on_a_national_database(engine, national, report_violations):
    """The national database finds exactly the Lai Châu demo's violations, text and parts."""
    found = validation.check(national, report=REPORT)
    pd.testing.assert_frame_equal(found, report_violations)
    for lang in ("vi", "en"):
        pd.testing.assert_frame_equal(display_frame(found, lang), display_frame(report_violations, lang))
    figs = validation.figures_for(national, report=REPORT)
    assert len(figs.districts) == 8 and figs.data[("coops_total", "value", None, None)].value == 416


def test_a_province_s_report_is_flagged_from_that_province_s_figures(engine, national):
    """The report of Lai Châu drawn from a national database marks the same figures as the demo's:
    its totals are checked as Lai Châu's totals, not the country's."""
    for period in ("2023-H1", "2026-H1"):
        assert (validation.failing_figures(national, period, province="12")
                == validation.failing_figures(engine, period)), period


@pytest.mark.parametrize(("area", "vi", "en"), [("12", "tỉnh 12", "province 12"), ("105", "huyện 105", "district 105")])
def test_a_figure_names_its_area_as_a_province_or_a_district(area, vi, en):
    """A whole country's checks have provinces in the district's place: named as provinces (GSO codes: 2 digits)."""
    fig = Fig(("coops_total", "value", None, area), 1.0, 1.0, 1.0, CheckSource.DATA)
    assert validation._Writer("vi", babel_number).name(fig).endswith(vi)
    assert validation._Writer("en", babel_number).name(fig).endswith(en)


def test_data_checks_still_cover_the_whole_database(national):
    """The whole of a database of several provinces is checked with its provinces as parts (a country's
    700 districts are checked province by province); a province with its districts."""
    figs = validation.figures_for(national, period="2023-H1")
    assert figs.districts == province_choices(national) and len(figs.districts) == 63
    assert figs.data[("coops_total", "value", None, None)].value > 416
    assert figs.data[("coops_total", "value", None, "12")].value == 416  # Lai Châu, a part of the country
    lai_chau = validation.figures_for(national, period="2023-H1", province="12")
    assert lai_chau.districts == district_choices(national, "12")
    assert sum(lai_chau.data[("coops_total", "value", None, code)].value for code, _ in lai_chau.districts) == 416
