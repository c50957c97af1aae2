"""The report as a Word document laid out as Nghị định 30/2020/NĐ-CP asks of an administrative text:
A4, Times New Roman 14, margins 20/20/30/15 mm, the heading block (issuing body and national motto
side by side), the title, the body, the signature and, after it, the annex.

A figure that fails a validation rule is highlighted and carries a Word comment naming the rules.
The file is reproducible: its dates derive from the period and its ZIP entries carry a fixed
timestamp, so the same data, period and filter give the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, Twips

from hxcore.present.report import Figure, Paragraph, Report, Section, Table

MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT = "Times New Roman"
BODY_SIZE = Pt(14)
# In twips, the unit Word stores (millimetres would be rounded, 15 mm down to 14,99 mm).
PAGE = (Twips(11906), Twips(16838))  # A4, 210 × 297 mm
MARGINS = {"top": Twips(1134), "bottom": Twips(1134), "left": Twips(1701), "right": Twips(851)}  # 20, 20, 30, 15 mm
TEXT_WIDTH = Mm(210 - 30 - 15)
ANNEX_TEXT_WIDTH = Mm(297 - 30 - 15)  # the annex's wide table on a landscape page
HEADER_COLUMNS = (Mm(70), Mm(98))  # issuing body | national motto: 3 mm wider than the text, as is usual
HEADER_INDENT = Mm(-3)
AUTHOR = "hx"
JUSTIFY, CENTER, RIGHT = WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT


# ---------------------------------------------------------------------------------------------
# Page and styles


def _page(section, landscape: bool = False) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE[::-1] if landscape else PAGE
    for side, size in MARGINS.items():
        setattr(section, f"{side}_margin", size)
    section.header_distance = section.footer_distance = Mm(10)


def _fonts(style, size) -> None:
    """Times New Roman for every script (Word picks the East Asian or complex-script slot for some
    Vietnamese text), in Vietnamese for the spelling checker."""
    style.font.name = FONT
    style.font.size = size
    properties = style.element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)
    language = properties.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        properties.append(language)
    language.set(qn("w:val"), "vi-VN")


def _styles(document) -> None:
    normal = document.styles["Normal"]
    _fonts(normal, BODY_SIZE)
    normal.paragraph_format.space_before = Pt(6)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.15
    for name in ("Header", "Footer"):
        _fonts(document.styles[name], Pt(12))


# ---------------------------------------------------------------------------------------------
# Small writing helpers


def _line(container, text: str = "", size=None, bold=False, italic=False, align=CENTER, before=0):
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_before = Pt(before)
    paragraph.paragraph_format.first_line_indent = Cm(0)
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
    return paragraph


def _rule(container, width, within) -> None:
    """A short centred line (under the issuing body, the motto and the title): a bottom border on
    an empty paragraph narrowed to `width`."""
    paragraph = container.add_paragraph()
    indent = int((within - width) / 2)
    paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = indent
    paragraph.paragraph_format.space_before = paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.line_spacing = Pt(2)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _no_borders(table) -> None:
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    properties.append(borders)


def _indent(table, size) -> None:
    indent = OxmlElement("w:tblInd")
    indent.set(qn("w:w"), str(int(size.twips)))
    indent.set(qn("w:type"), "dxa")
    table._tbl.tblPr.append(indent)


def _widths(table, widths) -> None:
    """Column widths in the grid (LibreOffice reads these) and in every cell (Word reads those)."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


class _Cell:
    """Lines written into a table cell, the first into its existing empty paragraph."""

    def __init__(self, cell):
        self.cell = cell
        self.used = False

    def add_paragraph(self):
        if not self.used:
            self.used = True
            return self.cell.paragraphs[0]  # a new cell holds one empty paragraph
        return self.cell.add_paragraph()


# ---------------------------------------------------------------------------------------------
# The heading block, title and signature


def _heading_block(document, report: Report) -> None:
    h = report.header
    table = document.add_table(rows=2, cols=2)
    _no_borders(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = _Cell(table.cell(0, 0)), _Cell(table.cell(0, 1))
    if h.organ_parent:
        _line(left, h.organ_parent, 12)
    _line(left, h.organ, 12, bold=True)
    _rule(left, Mm(25), HEADER_COLUMNS[0])
    _line(right, h.nation, 12, bold=True)
    _line(right, h.motto, 13, bold=True)
    _rule(right, Mm(58), HEADER_COLUMNS[1])
    number, place = _Cell(table.cell(1, 0)), _Cell(table.cell(1, 1))
    _line(number, h.number, 13, before=6)
    _line(number, h.draft, 13, italic=True)
    _line(place, h.place_date, 14, italic=True, before=6)
    _widths(table, HEADER_COLUMNS)
    _indent(table, HEADER_INDENT)


def _title(document, report: Report) -> None:
    _line(document, report.title, 14, bold=True, before=18)
    for text in report.subtitle:
        _line(document, text, 14, bold=True)
    _rule(document, Mm(40), TEXT_WIDTH)


def _signature(document, report: Report) -> None:
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    left, right = _Cell(table.cell(0, 0)), _Cell(table.cell(0, 1))
    first, *rest = report.recipients
    _line(left, first, 12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT, before=12)
    for text in rest:
        _line(left, text, 11, align=WD_ALIGN_PARAGRAPH.LEFT)
    for number, text in enumerate(report.signature):
        _line(right, text, 14, bold=True, before=12 if number == 0 else 0)
    _widths(table, (Mm(80), Mm(85)))


# ---------------------------------------------------------------------------------------------
# Body: paragraphs with their figures, flagged figures highlighted and commented


class _Writer:
    def __init__(self, document, stamp: datetime):
        self.document = document
        self.stamp = stamp

    def parts(self, paragraph, parts, size=None, bold=False) -> None:
        for part in parts:
            run = paragraph.add_run(part if isinstance(part, str) else part.text)
            run.bold = bold or None
            if size:
                run.font.size = size
            if isinstance(part, Figure) and part.flags:
                self.flag(run, part)

    def flag(self, run, figure: Figure) -> None:
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        comment = self.document.add_comment(run, f"Không qua kiểm tra số liệu: {'; '.join(figure.flags)}.",
                                            author=AUTHOR, initials=AUTHOR)
        comment._comment_elm.set(qn("w:date"), self.stamp.strftime("%Y-%m-%dT%H:%M:%SZ"))

    def body(self, item: Paragraph) -> None:
        paragraph = self.document.add_paragraph()
        paragraph.alignment = JUSTIFY
        paragraph.paragraph_format.first_line_indent = Cm(1.27)
        self.parts(paragraph, item.parts)
        if item.kind == "note":
            for run in paragraph.runs:
                run.italic = True

    def heading(self, section: Section) -> None:
        paragraph = self.document.add_paragraph()
        paragraph.alignment = CENTER if section.code == "annex" else JUSTIFY
        paragraph.paragraph_format.first_line_indent = Cm(0) if section.code == "annex" else Cm(1.27)
        paragraph.paragraph_format.keep_with_next = True
        run = paragraph.add_run(section.heading)
        run.bold = section.level <= 3 or None
        run.italic = section.level >= 3 or None

    def table(self, table: Table) -> None:
        grid = self.document.add_table(rows=1 + len(table.rows), cols=len(table.header))
        grid.style = "Table Grid"
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        # Row by row: grid.cell(r, c) rebuilds the whole table's cell list on every call (quadratic
        # on a national annex of hundreds of districts).
        grid_rows = list(grid.rows)
        for cell, text in zip(grid_rows[0].cells, table.header, strict=True):
            _table_text(cell, [text], bold=True, align=CENTER)
        for number, (row, grid_row) in enumerate(zip(table.rows, grid_rows[1:], strict=True), start=1):
            last = number == len(table.rows)
            cells = grid_row.cells
            _table_text(cells[0], [row[0]], bold=last, align=WD_ALIGN_PARAGRAPH.LEFT, writer=self)
            for cell, text in zip(cells[1:], row[1:], strict=True):
                _table_text(cell, [text], bold=last, align=RIGHT, writer=self)
        first = Mm(48)
        rest = int((ANNEX_TEXT_WIDTH - first) / (len(table.header) - 1))
        _widths(grid, (first, *([rest] * (len(table.header) - 1))))
        _repeat_header(grid)

    def section(self, section: Section) -> None:
        if section.code == "annex":
            _page(self.document.add_section(WD_SECTION.NEW_PAGE), landscape=True)
        self.heading(section)
        for item in section.paragraphs:
            if section.code == "annex":
                _line(self.document, item.text, 14, bold=True)
            else:
                self.body(item)
        if section.table:
            _line(self.document, "")
            self.table(section.table)


def _table_text(cell, parts, bold=False, align=CENTER, writer: _Writer | None = None) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    paragraph.paragraph_format.space_before = Pt(2)
    paragraph.paragraph_format.space_after = Pt(2)
    paragraph.paragraph_format.line_spacing = 1.0
    if writer:
        writer.parts(paragraph, parts, Pt(12), bold)
        return
    for part in parts:
        run = paragraph.add_run(part)
        run.bold = bold or None
        run.font.size = Pt(12)


def _repeat_header(grid) -> None:
    row_properties = grid.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    row_properties.append(repeat)


# ---------------------------------------------------------------------------------------------
# Page numbers, footer stamp, properties, reproducible bytes


def _page_number(paragraph) -> None:
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), kind)
            run._r.append(field)
        else:
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = text
            run._r.append(instruction)


def _margins_text(document, report: Report) -> None:
    """Page numbers centred at the top from page 2 (NĐ 30); the data stamp at the foot of every page."""
    section = document.sections[0]
    section.different_first_page_header_footer = True
    number = section.header.paragraphs[0]
    number.alignment = CENTER
    _page_number(number)
    for footer in (section.footer, section.first_page_footer):
        line = footer.paragraphs[0]
        line.alignment = CENTER
        run = line.add_run(report.stamp)
        run.italic = True
        run.font.size = Pt(9)


def document_time(report: Report) -> datetime:
    """The document's date: the end of the period its figures are as of (never the clock)."""
    return datetime(report.as_of.year, report.as_of.month, report.as_of.day, tzinfo=UTC)


def _properties(document, report: Report, stamp: datetime) -> None:
    properties = document.core_properties
    properties.author = properties.last_modified_by = AUTHOR
    properties.title = f"{report.title} {' '.join(report.subtitle)}"
    properties.subject = "Báo cáo kinh tế tập thể"
    properties.keywords = f"hx; {report.period}; {report.data_version}"
    properties.identifier = report.data_version
    properties.comments = report.stamp
    properties.created = properties.modified = properties.last_printed = stamp
    properties.revision = 1
    properties.category = "Dự thảo"


def fixed_zip(data: bytes, stamp: datetime) -> bytes:
    """The same entries with one fixed timestamp: ZIP headers otherwise carry the time of writing."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=stamp.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(item.filename))
    return out.getvalue()


def write(report: Report) -> bytes:
    """The report as .docx bytes."""
    document = docx.Document()
    stamp = document_time(report)
    _page(document.sections[0])
    _styles(document)
    _heading_block(document, report)
    _title(document, report)
    writer = _Writer(document, stamp)
    writer.body(report.intro)
    annex = [s for s in report.sections if s.code == "annex"]
    for section in report.sections:
        if section.code != "annex":
            writer.section(section)
    writer.body(report.closing)
    _signature(document, report)
    for section in annex:
        writer.section(section)
    _margins_text(document, report)
    _properties(document, report, stamp)
    buffer = io.BytesIO()
    document.save(buffer)
    return fixed_zip(buffer.getvalue(), stamp)
