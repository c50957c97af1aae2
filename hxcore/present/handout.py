"""The meeting's A4 handout as PDF: the headline figures, the targets table, then the charts (the
targets' bullets and each headline indicator by district), one chart per block, never split
across pages; the filter, as-of date and data version at the foot of every page.

fpdf2 writes it (pure Python, 0,35 MB of code: a browser-based writer such as weasyprint would
bring a layout engine for two tables and some images) and embeds the bundled DejaVu Sans,
subset, so every Vietnamese letter prints on any machine. The same data gives the same bytes.
"""

from __future__ import annotations

import io

import pandas as pd

from hxcore.engine.meeting import MeetingData
from hxcore.model.texts import t
from hxcore.present import images, meeting, slides_pptx

MIME = "application/pdf"
FAMILY = "DejaVu"
MARGIN = 15  # mm
TEXT_WIDTH = 210 - 2 * MARGIN
BULLETS_PER_CHART = 9  # targets per bullet chart: a block that fits on half a page
CHART_WIDTH = {"bullet": TEXT_WIDTH, "ranking": 115}  # mm on the page: its 20 px labels print at 9 pt
HEADLINE_WIDTHS, HEADLINE_ALIGNS = (70, 45, 65), ("LEFT", "RIGHT", "LEFT")
TARGET_WIDTHS, TARGET_ALIGNS = (12, 62, 26, 32, 20, 28), ("CENTER", "LEFT", "RIGHT", "RIGHT", "RIGHT", "LEFT")
GREY = (235, 235, 235)


def _document(fpdf, footer_text: str, lang: str):
    """An A4 document in the bundled font whose every page ends with `footer_text` and "Trang i/n"."""

    class Handout(fpdf.FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(FAMILY, size=8)
            self.set_text_color(85, 85, 85)
            self.cell(TEXT_WIDTH - 25, 5, footer_text)
            # fpdf2 writes the page count in place of its alias "{nb}" when the document is output
            self.cell(25, 5, t("page_n", lang, i=self.page_no(), n=self.str_alias_nb_pages), align="R")

    document = Handout(format="A4", unit="mm")
    document.set_margins(MARGIN, MARGIN, MARGIN)
    document.set_auto_page_break(True, margin=18)
    for style, path in images.FONT_FILES.items():
        document.add_font(FAMILY, style, str(path))
    return document


def _heading(document, text: str, size: float = 13) -> None:
    document.set_font(FAMILY, "B", size)
    document.set_text_color(26, 26, 26)
    document.multi_cell(TEXT_WIDTH, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
    document.ln(2)


def _table(document, frame: pd.DataFrame, widths: tuple[float, ...], aligns: tuple[str, ...], fpdf) -> None:
    document.set_font(FAMILY, size=9)
    headings = fpdf.fonts.FontFace(emphasis="BOLD", fill_color=GREY)
    with document.table(col_widths=widths, text_align=aligns, headings_style=headings, line_height=5,
                        width=sum(widths), align="LEFT") as table:
        table.row(list(frame.columns))
        for values in frame.itertuples(index=False):
            table.row([str(v) for v in values])
    document.ln(4)


def _chart(document, heading: str, png: bytes, width: float) -> None:
    """A heading and its chart, moved whole to the next page when they would not fit."""
    pixels_wide, pixels_high = images.png_size(png)
    height = width * pixels_high / pixels_wide
    if document.get_y() + height + 10 > document.h - 18:
        document.add_page()
    _heading(document, heading, 11)
    document.image(io.BytesIO(png), x=MARGIN, w=width, h=height)
    document.ln(5)


def _charts(document, data: MeetingData, lang: str) -> None:
    _heading(document, t("handout_charts", lang))
    rows = list(data.targets.index)
    for first in range(0, len(rows), BULLETS_PER_CHART):
        part = rows[first:first + BULLETS_PER_CHART]
        _chart(document, t("page_targets", lang) + f" ({first + 1}–{first + len(part)}/{len(rows)})",
               images.png(meeting.bullet(data, part, lang)), CHART_WIDTH["bullet"])
    for slide in data.deck:
        if slide.is_target:
            continue
        chart, heading = meeting.ranking(data, slide, lang)
        if chart is not None:
            title = meeting.slide_text(data, slide, lang).title
            _chart(document, f"{title} · {heading}", images.png(chart, slides_pptx.RANKING_WIDTH),
                   CHART_WIDTH["ranking"])


def write(data: MeetingData, lang: str = "vi") -> bytes:
    """The handout as PDF bytes."""
    import fpdf  # 0,35 s to import: only when a handout is written

    document = _document(fpdf, meeting.stamp(data, lang), lang)
    document.set_creation_date(slides_pptx.document_time(data))
    document.set_title(" · ".join([t("handout_title", lang), *meeting.title_lines(data, lang)[:3]]))
    document.set_author("hx")
    document.set_subject(meeting.stamp(data, lang))
    document.add_page()
    title, period, where, _ = meeting.title_lines(data, lang)
    _heading(document, title, 16)
    _heading(document, f"{t('handout_title', lang)} · {period} · {where}", 12)
    if data.demo:
        _heading(document, t("demo_notice", lang), 10)
    _heading(document, t("handout_headlines", lang))
    _table(document, meeting.headline_table(data, lang), HEADLINE_WIDTHS, HEADLINE_ALIGNS, fpdf)
    if not data.targets.empty:
        _heading(document, t("page_targets", lang))
        _table(document, meeting.target_table(data, lang), TARGET_WIDTHS, TARGET_ALIGNS, fpdf)
    document.add_page()  # the charts start a section of their own
    _charts(document, data, lang)
    return bytes(document.output())

