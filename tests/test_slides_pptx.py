"""The meeting's slides (.pptx) and chart images (PNG): what a reader of the file finds in it."""

from __future__ import annotations

import io
import re

import pptx
import pytest
from fontTools.ttLib import TTFont
from pptx.enum.shapes import MSO_SHAPE_TYPE

from hxcore import cli
from hxcore.engine import frames as shaping
from hxcore.engine.attainment import target_table
from hxcore.engine.compute import evaluate
from hxcore.engine.meeting import gather
from hxcore.model.filters import Filter
from hxcore.present import attention, charts, frames, images, slides_pptx

FLT = Filter(period="2023-H1")


@pytest.fixture(scope="module")
def meeting(engine):
    return gather(engine, FLT)


@pytest.fixture(scope="module")
def deck(meeting):
    return pptx.Presentation(io.BytesIO(slides_pptx.write(meeting)))


def _texts(slide) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


def test_the_title_one_slide_per_indicator_of_the_projector_sequence_and_what_needs_a_decision(engine, deck):
    sequence = shaping.slides(shaping.SLIDE_HEADLINES, target_table(engine, FLT))
    assert len(sequence) == 5 + 17  # five headlines, the resolution's 17 targets of 2023
    assert len(deck.slides) == 1 + len(sequence) + 2
    assert round(deck.slide_width / deck.slide_height, 3) == round(16 / 9, 3)
    titles = [_texts(slide)[0] for slide in list(deck.slides)[1:]]
    assert titles == [frames.slide_title(s, "vi") for s in sequence] + [
        "Bản đồ: HTX đang hoạt động · Huyện, thành phố", "Những việc cần chỉ đạo"]


@pytest.mark.parametrize(
    "title, figure",
    [  # figures of the H1-2023 report, as the slide prints them
        ("Tổng số HTX", "416"),
        ("HTX đang hoạt động", "326"),
        ("Vốn điều lệ HTX", "1.056.714"),
        ("Thành viên và lao động HTX", "6.940"),
        ("Tổng số tổ hợp tác", "278"),
        ("Học viên lớp tuyên truyền", "900"),
        ("Thu nhập bình quân lao động HTX (năm)", "52,6"),
        ("Tỷ lệ HTX tham gia Liên minh", "54,0%"),
    ],
)
def test_an_indicator_slide_has_its_figure_in_vietnamese_and_its_chart_as_a_picture(deck, title, figure):
    slide = next(s for s in list(deck.slides)[1:] if _texts(s)[0] == title)
    figure_box = _texts(slide)[1]
    assert figure_box.split("\n")[0].startswith(figure)
    assert any(shape.shape_type == MSO_SHAPE_TYPE.PICTURE for shape in slide.shapes)


def test_every_slide_has_a_picture_and_a_footer_with_the_as_of_date_and_data_version(meeting, deck):
    for number, slide in enumerate(deck.slides, start=1):
        footer = " ".join(_texts(slide))
        assert "Số liệu đến 30/6/2023" in footer and meeting.data_version in footer
        assert f"Trang {number}/{len(deck.slides)}" in footer
        if 1 < number < len(deck.slides):  # the indicator slides
            pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
            assert pictures, _texts(slide)[0]


def test_a_target_slide_says_target_pace_and_status(deck):
    slide = next(s for s in list(deck.slides)[1:] if _texts(s)[0] == "HTX thành lập mới")
    text = _texts(slide)[1]
    assert text.startswith("13 HTX") and "Chỉ tiêu năm 25 · tiến độ cần đạt" in text
    assert "Đúng tiến độ · đạt 52% chỉ tiêu" in text


def test_the_last_slide_lists_what_needs_a_decision(meeting, deck):
    """engine.attention's counts and its first lines (the demo's lists change with the demo: read, not typed)."""
    text = " ".join(_texts(list(deck.slides)[-1]))
    counts = meeting.attention.counts()
    assert counts["targets"] >= 10 and counts["stopped"] > 0
    assert attention.summary(meeting.attention, "vi") in text
    assert "(2) THT thành lập mới: đạt 3/20 (15% chỉ tiêu)" in text  # the report's figures, behind their pace


def _ranking(engine):
    rows = evaluate(engine, FLT, ["coop_charter_capital"], by="district", compare=False, with_targets=False)
    ranked = frames.ranking_frame(rows, "coop_charter_capital", "vi", ratio=False)
    return charts.ranking_chart(ranked, label="district_name", value="value", text="text", presentation=True)


def test_chart_images_are_set_in_the_bundled_font_which_has_every_letter(engine):
    chart = _ranking(engine)
    svg = images.svg(chart)
    assert set(re.findall(r'font-family="([^"]*)"', svg)) == {images.FONT_FAMILY}
    written = "".join(re.findall(r">([^<>]+)</text>", svg))
    assert "Huyện Tam Đường" in written and "141.075" in written  # Vietnamese letters and numbers
    for path in images.FONT_FILES.values():
        font = TTFont(path)
        assert font["name"].getDebugName(1) == images.FONT_FAMILY
        assert {c for c in written if ord(c) not in font.getBestCmap()} == set()  # no letter falls back
    assert (images.FONT_DIR / "LICENSE-DejaVu.txt").read_text(encoding="utf-8").count("Bitstream") > 3


def test_a_chart_gives_the_same_png_bytes_each_time(engine):
    chart = _ranking(engine)
    first = images.png(chart)
    again = images._png_of.__wrapped__(images.image_spec(chart), images.SCALE)  # drawn again, not from the cache
    assert again == first
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    assert images.png_size(first)[0] > 2 * images.WIDTH  # drawn at twice the size: sharp on a projector


def test_the_slides_command_writes_the_file(demo_db_path, tmp_path, capsys):
    output = tmp_path / "hop.pptx"
    code = cli.main(["--db", f"sqlite:///{demo_db_path}", "slides", "--period", "2023-H1", "--output", str(output)])
    assert code == 0
    assert len(pptx.Presentation(str(output)).slides) == 1 + 5 + 17 + 2  # title, sequence, map, "Cần chỉ đạo"
    assert str(output) in capsys.readouterr().err
