"""The meeting's slides as a PowerPoint file (16:9): a title slide, then one slide per indicator of
the projector's sequence (big figure, change, target and status, the bullet and the district
ranking as PNG images), then "Cần chỉ đạo" (what needs a decision); the stamp (as-of date,
filter, data version) at every foot.

Sizes are for the back of a room: titles 36 pt, the figure 66 pt, nothing under 14 pt. Text is
set in Arial, which every office machine has with its Vietnamese glyphs; charts are images set in
the bundled DejaVu Sans. The same data and filter give the same bytes (dates are the period's end).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime

from hxcore.engine import frames as shaping
from hxcore.engine.meeting import MeetingData
from hxcore.model.texts import t
from hxcore.present import charts, images, meeting
from hxcore.present.report_docx import fixed_zip

MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
EMU_PER_INCH = 914_400
EMU_PER_POINT = 12_700
WIDTH, HEIGHT = 13.333, 7.5  # inches: PowerPoint's 16:9
MARGIN = 0.5
FONT = "Arial"
INK = "1A1A1A"
MUTED = "555555"
DELTA_COLOURS = {"green": "1B7F3B", "red": "C62828", "gray": MUTED}
BLANK_LAYOUT = 6
AUTHOR = "hx"
RANKING_WIDTH = 380  # plot width of the ranking image: its 20 px labels stay ≥ 16 pt on the slide
BULLET_WIDTH = 360


@dataclass(frozen=True)
class Box:
    """A rectangle on the slide, in inches."""

    left: float
    top: float
    width: float
    height: float

    def emu(self) -> tuple[int, int, int, int]:
        return tuple(round(v * EMU_PER_INCH) for v in (self.left, self.top, self.width, self.height))


TITLE = Box(MARGIN, 0.3, WIDTH - 2 * MARGIN, 1.0)
FIGURE = Box(MARGIN, 1.4, 5.7, 3.0)
BULLET = Box(MARGIN, 4.45, 5.7, 2.25)
RANKING_HEADING = Box(6.5, 1.4, WIDTH - 6.5 - MARGIN, 0.5)
RANKING = Box(6.5, 1.95, WIDTH - 6.5 - MARGIN, 4.75)
FOOTER = Box(MARGIN, 6.85, WIDTH - 2 * MARGIN - 1.6, 0.45)
PAGE = Box(WIDTH - MARGIN - 1.5, 6.85, 1.5, 0.45)


def _style(run, size: float, bold: bool = False, colour: str = INK) -> None:
    from pptx.dml.color import RGBColor  # pptx is imported only when slides are written (0,15 s)

    run.font.name = FONT
    run.font.size = round(size * EMU_PER_POINT)
    run.font.bold = bold
    run.font.color.rgb = RGBColor.from_string(colour)


def _text(slide, box: Box, lines: list[tuple[str, float, bool, str]], align: str = "left"):
    """A text box of paragraphs (text, size in pt, bold, colour); empty texts are left out."""
    from pptx.enum.text import PP_ALIGN

    shape = slide.shapes.add_textbox(*box.emu())
    frame = shape.text_frame
    frame.word_wrap = True
    first = True
    for text, size, bold, colour in lines:
        if not text:
            continue
        paragraph = frame.paragraphs[0] if first else frame.add_paragraph()
        paragraph.alignment = PP_ALIGN.RIGHT if align == "right" else PP_ALIGN.LEFT
        paragraph.space_after = round(6 * EMU_PER_POINT)
        run = paragraph.add_run()
        run.text = text
        _style(run, size, bold, colour)
        first = False
    return shape


def _picture(slide, png: bytes, box: Box):
    """The image as large as fits the box, its proportions kept, at the box's top left."""
    width, height = images.png_size(png)
    scale = min(box.width / width, box.height / height)
    return slide.shapes.add_picture(io.BytesIO(png), round(box.left * EMU_PER_INCH), round(box.top * EMU_PER_INCH),
                                    round(width * scale * EMU_PER_INCH), round(height * scale * EMU_PER_INCH))


def _footer(slide, data: MeetingData, lang: str, number: int, total: int) -> None:
    _text(slide, FOOTER, [(meeting.stamp(data, lang), 14, False, MUTED)])
    _text(slide, PAGE, [(t("page_n", lang, i=number, n=total), 14, False, MUTED)], align="right")


def _title_slide(deck, data: MeetingData, lang: str) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[BLANK_LAYOUT])
    title, period, where, stamp = meeting.title_lines(data, lang)
    lines = [(title, 44, True, INK), (period, 36, True, INK), (where, 28, False, INK), (stamp, 18, False, MUTED)]
    if data.demo:
        lines.append((t("demo_notice", lang), 18, True, DELTA_COLOURS["red"]))
    _text(slide, Box(1.0, 1.8, WIDTH - 2.0, 4.5), lines)


def _indicator_slide(deck, data: MeetingData, slide_of: shaping.Slide, lang: str) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[BLANK_LAYOUT])
    words = meeting.slide_text(data, slide_of, lang)
    _text(slide, TITLE, [(words.title, 36, True, INK)])
    figure = _text(slide, FIGURE, [])
    paragraph = figure.text_frame.paragraphs[0]
    for text, size in ((words.value, 66), (words.unit, 28)):
        run = paragraph.add_run()
        run.text = text
        _style(run, size, bold=True)
    status_colour = charts.STATUS_COLORS.get(words.status_code or "", INK).lstrip("#")
    for text, size, bold, colour in ((words.delta, 26, True, DELTA_COLOURS.get(words.colour, MUTED)),
                                     (words.ratio, 24, False, INK), (words.target, 22, False, INK),
                                     (words.status, 26, True, status_colour)):
        if text:
            run = figure.text_frame.add_paragraph().add_run()
            run.text = text
            _style(run, size, bold, colour)
    bullet = meeting.slide_bullet(data, slide_of, lang)
    if bullet is not None:
        _picture(slide, images.png(bullet, BULLET_WIDTH), BULLET)
    ranking, heading = meeting.ranking(data, slide_of, lang)
    if ranking is not None:
        _text(slide, RANKING_HEADING, [(heading, 20, True, INK)])
        _picture(slide, images.png(ranking, RANKING_WIDTH), RANKING)


def _attention_slide(deck, data: MeetingData, lang: str) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[BLANK_LAYOUT])
    counts, sections = meeting.attention_lines(data, lang)
    _text(slide, TITLE, [(t("attention_title", lang), 36, True, INK)])
    _text(slide, Box(MARGIN, 1.2, WIDTH - 2 * MARGIN, 0.8), [(counts, 18, True, DELTA_COLOURS["red"])])
    columns = (sections[:1], sections[1:])  # the targets on the left, the units on the right
    for column, part in zip((Box(MARGIN, 2.15, 6.0, 4.6), Box(6.8, 2.15, WIDTH - 6.8 - MARGIN, 4.6)), columns,
                            strict=True):
        lines = []
        for title, texts in part:
            lines += [(title, 22, True, INK), *((f"• {text}", 16, False, INK) for text in texts)]
        if lines:
            _text(slide, column, lines)


def _map_slide(deck, data: MeetingData, lang: str) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[BLANK_LAYOUT])
    _text(slide, TITLE, [(meeting.map_slide_title(data, lang), 32, True, INK)])
    png = images.png(meeting.map_chart(data, lang))
    _picture(slide, png, Box(MARGIN, 1.15, WIDTH - 2 * MARGIN, HEIGHT - 1.15 - 0.75))


def slide_count(data: MeetingData) -> int:
    """The title slide, one per indicator of the sequence, the map and "Cần chỉ đạo"."""
    return 1 + len(data.deck) + 2


def document_time(data: MeetingData) -> datetime:
    end = data.flt.parsed_period.end
    return datetime(end.year, end.month, end.day, tzinfo=UTC)


def write(data: MeetingData, lang: str = "vi") -> bytes:
    """The slides as .pptx bytes."""
    import pptx

    deck = pptx.Presentation()
    deck.slide_width, deck.slide_height = round(WIDTH * EMU_PER_INCH), round(HEIGHT * EMU_PER_INCH)
    _title_slide(deck, data, lang)
    for slide_of in data.deck:
        _indicator_slide(deck, data, slide_of, lang)
    _map_slide(deck, data, lang)
    _attention_slide(deck, data, lang)
    total = slide_count(data)
    for number, slide in enumerate(deck.slides, start=1):
        _footer(slide, data, lang, number, total)
    stamp = document_time(data)
    properties = deck.core_properties
    properties.author = properties.last_modified_by = AUTHOR
    properties.title = " · ".join(meeting.title_lines(data, lang)[:3])
    properties.identifier = data.data_version
    properties.comments = meeting.stamp(data, lang)
    properties.created = properties.modified = properties.last_printed = stamp
    properties.revision = 1
    buffer = io.BytesIO()
    deck.save(buffer)
    return fixed_zip(buffer.getvalue(), stamp)
