"""The A4 handout (PDF): its figures, its embedded font, its footer, the same bytes each time."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from hxcore import cli
from hxcore.engine.meeting import gather
from hxcore.model.filters import Filter
from hxcore.present import handout

FLT = Filter(period="2023-H1")


@pytest.fixture(scope="module")
def meeting(engine):
    return gather(engine, FLT)


@pytest.fixture(scope="module")
def pdf(meeting) -> bytes:
    return handout.write(meeting)


def test_the_handout_is_a4_and_embeds_the_bundled_font(pdf):
    assert pdf.startswith(b"%PDF-")
    assert re.search(rb"/MediaBox \[0 0 595\.28 841\.89\]", pdf)  # A4 in points
    # the font file itself is in the PDF (subset), not only its name
    assert re.search(rb"/BaseFont /[A-Z]{6}\+DejaVuSans", pdf)
    assert b"/FontFile2" in pdf


def test_the_same_data_gives_the_same_bytes(meeting, pdf):
    assert handout.write(meeting) == pdf


@pytest.fixture(scope="module")
def text(pdf, tmp_path_factory) -> str:
    if not shutil.which("pdftotext"):  # poppler-utils, installed by .ci/run
        pytest.skip("pdftotext is not installed")
    path = tmp_path_factory.mktemp("handout") / "h.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize(
    "expected",
    [  # the H1-2023 report's figures, written the Vietnamese way
        "416 HTX", "+7 so với năm 2022", "1.056.714 triệu đồng", "6.940 người", "278 THT",
        "Tỷ lệ HTX tham gia Liên minh", "54,0% (176/326)", "77,1%", "Chậm tiến độ", "Đúng tiến độ",
        "Học viên lớp tuyên truyền", "94,7%",
    ],
)
def test_the_handout_holds_the_headline_figures_and_the_targets_table(text, expected):
    assert expected in text


def test_every_page_has_the_filter_as_of_date_and_data_version_at_its_foot(meeting, text):
    pages = text.split("\f")[:-1]
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        foot = page.strip().splitlines()[-1]
        assert "Số liệu đến 30/6/2023 · Toàn tỉnh · tất cả lĩnh vực" in foot
        assert meeting.data_version in foot and f"Trang {number}/{len(pages)}" in foot


def test_the_handout_command_writes_the_file_for_an_area(demo_db_path, tmp_path):
    output = tmp_path / "tam-duong.pdf"
    code = cli.main(["--db", f"sqlite:///{demo_db_path}", "handout", "--period", "2023-H1", "--area", "tam-duong",
                     "--output", str(output)])
    assert code == 0
    assert output.read_bytes().startswith(b"%PDF-") and b"/FontFile2" in output.read_bytes()
