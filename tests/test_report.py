"""The report, generated: every figure the H1-2023 report prints and the data holds is found, in
Vietnamese format, in its section of the DOCX; other periods and districts read coherently; the
layout follows Nghị định 30/2020/NĐ-CP; figures failing a rule are marked; the file is reproducible.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_COLOR_INDEX
from docx.shared import Mm, Pt
from sqlalchemy import delete, select
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from hxcore import cli
from hxcore.db import schema
from hxcore.db.schema import make_engine
from hxcore.engine import checks, summary
from hxcore.engine.attainment import target_table
from hxcore.engine.compute import evaluate
from hxcore.engine.report_data import gather
from hxcore.model.filters import Filter
from hxcore.model.texts import t
from hxcore.present import report, report_docx

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = ROOT / "data" / "published" / "bao-cao-kttt-2023-h1.csv"
APP = str(ROOT / "app.py")

# Where each part of the published report begins (its first printed sentence), in the report's own
# order: a figure belongs to the section whose beginning precedes it. §I.2.3 goes one level down,
# to the sector's own sub-section.
BEGINNINGS = [
    ("I.1", "Đến 30/6/2023, toàn tỉnh có 278 tổ hợp tác"),
    ("I.2.1", "Đến 30/6/2023 toàn tỉnh có 416 HTX"),
    ("I.2.2", "Doanh thu bình quân của 1 HTX"),
    ("I.2.3", "Tổng số 201 HTX"),
    ("I.3", "Có 01 Liên hiệp HTX"),
    ("II.1", "Liên minh HTX tỉnh phối hợp tổ chức 19 lớp"),
    ("II.2", "Phối hợp tư vấn thành lập mới được 11 HTX"),
]


def published_rows() -> list[dict]:
    """The report's printed figures, each with the section of the generated report it belongs in."""
    with PUBLISHED.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    section = None
    for row in rows:
        section = next((code for code, start in BEGINNINGS if row["sentence"].startswith(start)), section)
        row["section"] = f"{section}.{row['sector']}" if section == "I.2.3" else section
    return rows


ROWS = published_rows()
FIGURE_ROWS = [row for row in ROWS if row["indicator"]]  # "181 đơn vị" counts enterprises: no indicator


# ---------------------------------------------------------------------------------------------
# Reading the DOCX back


def read_sections(document, built: report.Report) -> dict[str, str]:
    """Section code -> the text between its heading and the next heading (tables included)."""
    headings = {section.heading: section.code for section in built.sections}
    found: dict[str, list[str]] = {}
    current = None
    for block in document.iter_inner_content():
        texts = [block.text] if hasattr(block, "text") else [c.text for row in block.rows for c in row.cells]
        if texts[0] in headings:
            current = headings[texts[0]]
            found[current] = []
        elif current:
            found[current] += texts
    return {code: "\n".join(texts) for code, texts in found.items()}


def all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def contains_figure(text: str, figure: str) -> bool:
    """`figure` printed as a whole number: "5" is not found inside "1.056.714" or "5,2"."""
    return re.search(rf"(?<![\d.,]){re.escape(figure)}(?![\d]|[.,]\d)", text) is not None


def generate(engine, flt: Filter) -> tuple[report.Report, bytes, docx.document.Document]:
    built = report.build(gather(engine, flt))
    data = report_docx.write(built)
    return built, data, docx.Document(io.BytesIO(data))


@pytest.fixture(scope="module")
def h1(engine):
    return generate(engine, Filter("2023-H1"))


# ---------------------------------------------------------------------------------------------
# Every printed figure the data holds, found in its section


def tolerance(row: dict) -> float:
    """Half a unit of the printed figure's last digit, in the figure's unit ("1,695 tỷ" is 1.695 triệu ± 0,5)."""
    token = re.search(r"\d[\d.,]*\d|\d", row["printed"]).group()
    decimals = len(token.split(",")[1]) if "," in token else 0
    shown = float(token.replace(".", "").replace(",", "."))
    scale = float(row["value"]) / shown if shown else 1.0
    return 0.5 * 10 ** -decimals * scale + 1e-9


@pytest.fixture(scope="module")
def data_values(engine):
    """The data's figure for each (indicator, aspect, sector), computed by hxcore independently of the report."""
    flt = Filter("2023-H1")
    totals = {row["indicator"]: row for row in evaluate(engine, flt).to_dict("records")}
    sectors = {(row["indicator"], row["sector"]): row for row in evaluate(engine, flt, by="sector").to_dict("records")}
    targets = {(row["indicator"], row["sector"] if isinstance(row["sector"], str) else ""): row["attainment"]
               for row in target_table(engine, flt).to_dict("records")}

    def value(indicator: str, aspect: str, sector: str) -> float:
        if aspect == "attainment":
            return targets[(indicator, sector)]
        if aspect == "share":
            return sectors[(indicator, sector)]["value"] / totals[indicator]["value"] * 100
        return (sectors[(indicator, sector)] if sector else totals[indicator])[aspect]

    return value


def test_the_table_covers_the_report():
    assert len(ROWS) == 108 and len(FIGURE_ROWS) == 107
    assert {row["section"].split(".")[0] for row in FIGURE_ROWS} == {"I", "II"}


@pytest.mark.parametrize("row", FIGURE_ROWS, ids=lambda r: f"{r['section']}:{r['indicator']}:{r['aspect']}:{r['printed']}")
def test_every_printed_figure_is_in_its_section(h1, data_values, row):
    """The data holds the figure (the printed one, or where the report contradicts itself the one the
    data follows: README), and the report prints it, formatted the Vietnamese way, in its section."""
    built, _, document = h1
    expected = float(row["followed_value"] or row["value"])
    computed = data_values(row["indicator"], row["aspect"], row["sector"])
    assert abs(computed - expected) <= tolerance(row), f"the data gives {computed}, the report {row['printed']}"
    text = report.figure_text(row["indicator"], row["aspect"], computed)
    assert re.fullmatch(r"\d{1,3}(\.\d{3})*(,\d+)?%?", text), text  # Vietnamese: 1.056.714 · 59,7%
    sections = read_sections(document, built)
    assert contains_figure(sections[row["section"]], text), (row["section"], text, sections[row["section"]])
    model = built.section(row["section"]).figures
    assert any(f.key[:3] == (row["indicator"], row["aspect"], row["sector"] or None) and f.text == text for f in model)


def test_all_107_figures_found(h1, data_values):
    built, _, document = h1
    sections = read_sections(document, built)
    found = [row for row in FIGURE_ROWS if contains_figure(
        sections[row["section"]], report.figure_text(row["indicator"], row["aspect"],
                                                     data_values(row["indicator"], row["aspect"], row["sector"])))]
    assert len(found) == 107


@pytest.mark.parametrize("sentence", [
    "toàn tỉnh có 416 HTX (bao gồm 2 quỹ tín dụng nhân dân); tăng 7 HTX so với năm 2022",
    "Số thành lập mới là 13 HTX (đạt 52% so với kế hoạch năm 2023)",
    "Tổng số 201 HTX (trong đó có 174 HTX đang hoạt động và 27 HTX ngừng hoạt động); thu hút 1.568 thành viên, "
    "tạo việc làm cho 1.868 lao động; tổng vốn điều lệ theo đăng ký kinh doanh là 478.756 triệu đồng, chiếm 45,3% so "
    "với tổng số vốn điều lệ",
    "Doanh thu bình quân của 1 HTX 6 tháng ước đạt 756 triệu đồng/HTX",
    "tăng 215 thành viên và lao động so với năm 2022",
    "tổng vốn điều lệ theo đăng ký kinh doanh là 11.400 triệu đồng, chiếm 1,1% so với tổng số vốn điều lệ",
    "4,4 triệu đồng/người/tháng (52,6 triệu đồng/người/năm)",
    "176 HTX/326 HTX đang hoạt động, bằng 54% (đạt 77,1% so với chỉ tiêu Nghị quyết, chậm tiến độ)",
    "có 13 HTX thành lập mới (đạt 52% so với chỉ tiêu Nghị quyết, đúng tiến độ)",
    "tổng dư nợ của Quỹ đến 30/6/2023 là 22.695 triệu đồng, giảm 695 triệu đồng so với năm 2022",
])
def test_the_report_s_own_words(h1, sentence):
    """Sentences as the report writes them, with the consistent figure where it contradicts itself."""
    assert sentence in all_text(h1[2])


def test_consistent_data_marks_nothing(h1):
    built, _, document = h1
    assert built.flagged == [] and list(document.comments) == []
    assert not [r for p in document.paragraphs for r in p.runs if r.font.highlight_color]


# ---------------------------------------------------------------------------------------------
# Other periods and filters read coherently

BROKEN = [r"None", r"\bnan\b", r"\binf\b", r"tăng -", r"giảm -", r"tăng −", r"tăng 0 ", r"giảm 0 ", r"\(\)", r" [,.;:]",
          r"\.\.", r";;", r": \.", r"–(?! huyện| thành phố)"]  # "–" only between a name and its district


@pytest.mark.parametrize("period, districts", [("2024-H1", ()), ("2023-H1", ("106",)), ("2024-H1", ("107",)),
                                               ("2024-H1", ("108", "112")), ("2023", ()), ("2021-Q3", ())])
def test_other_periods_and_districts_read_coherently(engine, period, districts):
    built, _, document = generate(engine, Filter(period, districts=districts))
    for section in built.sections:
        for paragraph in section.paragraphs:
            assert paragraph.text.strip() and paragraph.text.strip()[-1] in ".:)" or section.code == "annex", \
                (section.code, paragraph.text)
    text = all_text(document)
    for pattern in BROKEN:
        assert not re.search(pattern, text), (pattern, re.search(pattern, text))
    for figure in built.figures:
        assert figure.text and figure.text != "–"


@pytest.mark.parametrize("period, districts", [("2023-H1", ()), ("2024-H1", ()), ("2024-H1", ("106",))])
def test_changes_are_worded_by_their_sign(engine, period, districts):
    """ "tăng 7", "giảm 695", "không đổi": the word before a change follows its sign, never "tăng -3"."""
    built = report.build(gather(engine, Filter(period, districts=districts)))
    changes = 0
    for section in built.sections:
        for paragraph in section.paragraphs:
            for before, part in zip(paragraph.parts, paragraph.parts[1:], strict=False):
                if isinstance(part, report.Figure) and part.key[1] == "change":
                    changes += 1
                    assert before.endswith("tăng " if part.value > 0 else "giảm "), (before, part)
                    assert not part.text.startswith(("-", "−"))
    assert changes >= 3


@pytest.mark.parametrize("period", ["2023-H1", "2025-H2"])
def test_the_report_reads_the_checks_figures_once(engine, monkeypatch, period):
    """The app's filter (a period before the reform sets old_communes; no commune is named) is the
    checks' own area: the report reads their figures, its annex included, and evaluates nothing more.
    Its text is the one a plain filter gives."""
    from hxcore.engine import report_data

    calls = []
    monkeypatch.setattr(report_data, "evaluate", lambda *args, **kwargs: calls.append(kwargs))
    as_the_app_asks = report.build(gather(engine, Filter(period, old_communes=True)))
    assert calls == []
    monkeypatch.undo()
    assert report.to_text(as_the_app_asks) == report.to_text(report.build(gather(engine, Filter(period))))


def test_a_district_report_names_its_area(engine):
    built, _, document = generate(engine, Filter("2023-H1", districts=("106",)))
    text = all_text(document)
    assert "Đến 30/6/2023, huyện Tam Đường có" in text
    assert "chỉ tiêu Nghị quyết của toàn tỉnh" in text and "chậm tiến độ" not in text  # a district has no target
    annex = document.tables[-1]
    assert [row.cells[0].text for row in annex.rows[1:]] == ["Huyện Tam Đường", "Cộng"]


# ---------------------------------------------------------------------------------------------
# Layout (Nghị định 30/2020/NĐ-CP) and reproducibility


def near(length, expected) -> bool:
    """Equal up to Word's unit (a twip, 1/1440 inch): lengths are stored in twips."""
    return abs(length - expected) < Mm(0.1)


def test_layout_follows_decree_30(h1):
    _, _, document = h1
    page = document.sections[0]
    assert near(page.page_width, Mm(210)) and near(page.page_height, Mm(297)) and page.orientation == WD_ORIENT.PORTRAIT
    assert Mm(20) <= page.top_margin <= Mm(25) and Mm(20) <= page.bottom_margin <= Mm(25)
    assert Mm(30) <= page.left_margin <= Mm(35) and Mm(15) <= page.right_margin <= Mm(20)
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and Pt(13) <= normal.font.size <= Pt(14)
    assert normal.element.rPr.rFonts.get(docx.oxml.ns.qn("w:eastAsia")) == "Times New Roman"
    runs = [r for p in document.paragraphs for r in p.runs]
    runs += [r for t_ in document.tables for row in t_.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    assert {r.font.name for r in runs} <= {None, "Times New Roman"}
    body = [r for p in document.paragraphs for r in p.runs if r.font.size is None]
    assert len(body) > 100  # the body inherits the 14 pt of Normal
    annex = document.sections[-1]
    assert near(annex.page_width, Mm(297)) and near(annex.page_height, Mm(210)) and annex.orientation == WD_ORIENT.LANDSCAPE
    assert "PAGE" in page.header._element.xml and page.different_first_page_header_footer


def test_heading_block_title_and_signature(h1):
    _, _, document = h1
    heading = document.tables[0]
    left, right = heading.cell(0, 0).text, heading.cell(0, 1).text
    assert left.split("\n")[:2] == ["UBND TỈNH LAI CHÂU", "BCH LIÊN MINH HỢP TÁC XÃ"]
    assert right.split("\n")[:2] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert re.fullmatch(r"Số:\s+/BC-BCH\n\(Dự thảo\)", heading.cell(1, 0).text)
    assert re.fullmatch(r"Lai Châu, ngày\s+tháng\s+năm 2023", heading.cell(1, 1).text)
    texts = [p.text for p in document.paragraphs]
    title = texts.index("BÁO CÁO")
    assert texts[title + 2] == "6 tháng đầu năm 2023"
    assert "TM. BAN CHẤP HÀNH" in document.tables[1].cell(0, 1).text
    footer = document.sections[0].footer.paragraphs[0].text
    assert "30/6/2023" in footer and "phiên bản dữ liệu" in footer


def test_same_data_same_bytes(engine, h1):
    built, data, document = h1
    again = report_docx.write(report.build(gather(engine, Filter("2023-H1"))))
    assert again == data
    properties = document.core_properties
    assert properties.created == properties.modified == datetime(2023, 6, 30, tzinfo=UTC)  # the as-of date
    assert properties.identifier == built.data_version != ""


# ---------------------------------------------------------------------------------------------
# A figure that fails a rule is marked


@pytest.fixture(scope="module")
def broken_engine(demo_db_path, tmp_path_factory):
    """The demo with one cooperative's return at 30/6/2023 missing: operating + stopped ≠ total."""
    path = tmp_path_factory.mktemp("broken") / "hx.sqlite"
    shutil.copy(demo_db_path, path)
    engine = make_engine(f"sqlite:///{path}")
    o, f = schema.organisations, schema.facts
    with engine.begin() as connection:
        org = connection.execute(select(o.c.id).where(o.c.kind == "htx", o.c.district_code == "107")
                                 .order_by(o.c.id).limit(1)).scalar()
        connection.execute(delete(f).where(f.c.org_id == org, f.c.as_of == date(2023, 6, 30)))
        summary.data_changed(connection)
    return engine


def test_failing_figures_are_highlighted_and_commented(broken_engine):
    rule = checks.RULES_BY_CODE["operating_plus_stopped"].label_vi
    assert rule in set(checks.check(broken_engine, period="2023-H1")["rule_label"])
    built, _, document = generate(broken_engine, Filter("2023-H1"))
    failing = checks.failing_figures(broken_engine, "2023-H1")
    marked = {f.key for f in built.flagged}
    every = [f for f in built.figures if f.key in failing]
    assert every and all(f.flags for f in every)  # no figure failing a rule goes unmarked
    assert ("coops_total", "value", None, None) in marked and ("coops_total", "value", None, "107") in marked
    highlighted = [r for p in document.paragraphs for r in p.runs if r.font.highlight_color == WD_COLOR_INDEX.YELLOW]
    highlighted += [r for row in document.tables[-1].rows for c in row.cells for p in c.paragraphs for r in p.runs
                    if r.font.highlight_color == WD_COLOR_INDEX.YELLOW]
    assert len(highlighted) == len(built.flagged) and "416" in [r.text for r in highlighted]
    comments = list(document.comments)
    assert len(comments) == len(built.flagged) and all(rule in c.text for c in comments)
    assert ":orange-background[**416**]¹" in report.to_markdown(built, mark=":orange-background[**{text}**]")


# ---------------------------------------------------------------------------------------------
# The command and the page


def test_command_writes_the_docx_and_the_text(demo_db_path, tmp_path, capsys):
    url = f"sqlite:///{demo_db_path}"
    output = tmp_path / "bao-cao.docx"
    assert cli.main(["--db", url, "report", "--period", "2023-H1", "--output", str(output)]) == 0
    assert "BÁO CÁO" in [p.text for p in docx.Document(output).paragraphs]
    capsys.readouterr()
    assert cli.main(["--db", url, "report", "--period", "2023-H1", "--area", "tam-duong", "--format", "txt",
                     "--output", "-"]) == 0
    assert "Đến 30/6/2023, huyện Tam Đường có" in capsys.readouterr().out
    assert cli.main(["--db", url, "report", "--period", "2099-H1"]) == 2


@pytest.fixture
def routed_app(monkeypatch, demo_db_path):
    """app.py routes every run, as on a server (see tests/test_app.py), on the demo database."""
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)
    monkeypatch.setitem(os.environ, "HX_DATABASE_URL", f"sqlite:///{demo_db_path}")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_report_page(routed_app, lang):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang.upper()
    at.run()
    at.switch_page("pages/bao_cao.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == t("report_title", lang)
    buttons = at.get("download_button")
    labels = [button.proto.label for button in buttons]  # the report, then the meeting's slides and handout
    assert labels == [t("report_download", lang), t("slides_download", lang), t("handout_download", lang)]
    preview = "\n".join(m.value for m in at.markdown)
    assert "1.056.714 triệu đồng" in preview and "đạt 52% so với kế hoạch năm 2023" in preview
