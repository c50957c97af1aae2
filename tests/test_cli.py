"""The command line: report figures as CSV, filters by code/slug/name, one-line errors."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import old_copy  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def run(demo_db_path, *args):
    return subprocess.run(
        [sys.executable, "-m", "hxcore", "--db", f"sqlite:///{demo_db_path}", *args],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )


def test_indicators_csv_prints_the_report_figures(demo_db_path):
    result = run(demo_db_path, "indicators", "--period", "2023-H1", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = {r["indicator"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert {"indicator", "period", "district", "sector", "value"} <= set(next(iter(rows.values())))
    assert float(rows["coops_total"]["value"]) == 416
    assert float(rows["coop_charter_capital"]["value"]) == 1_056_714
    assert round(float(rows["coops_effective_share"]["value"]), 1) == 36.8  # percent, not 0.368
    assert float(rows["coops_total"]["change"]) == 7


def test_a_demo_that_cannot_be_written_is_one_line(tmp_path):
    """A folder that cannot be made (here: under a file) is named in Vietnamese, without a traceback."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = subprocess.run([sys.executable, "-m", "hxcore", "--db", f"sqlite:///{blocker}/sub/hx.sqlite",
                             "build-demo"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("Lỗi: không ghi được cơ sở dữ liệu") and "a-file" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and blocker.read_text() == ""


def test_indicators_by_district_accepts_slug_and_name(demo_db_path):
    result = run(demo_db_path, "indicators", "--period", "2023-H1", "--district", "tam-duong",
                 "--district", "Huyện Sìn Hồ", "--indicator", "coops_total", "--by", "district", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["district"] for r in rows] == ["106", "108"]
    assert rows[0]["value"] == "44.0"


@pytest.mark.parametrize("url, message, advice", [
    ("bogus://x", "Can't load plugin", False),  # a database that may hold data: never advise rebuilding it
    ("MISSING", "không có tệp cơ sở dữ liệu", True),  # nothing to lose: the demo is one way to start
    ("EMPTY", "cơ sở dữ liệu trống", True),
])
def test_unusable_database_is_one_line(tmp_path, url, message, advice):
    path = tmp_path / "empty.sqlite"
    if url == "EMPTY":
        path.touch()
    url = f"sqlite:///{path}" if url in ("MISSING", "EMPTY") else url
    result = subprocess.run([sys.executable, "-m", "hxcore", "--db", url, "indicators", "--period", "2023-H1"],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert message in result.stderr and ("build-demo" in result.stderr) == advice
    assert len(result.stderr.strip().splitlines()) == 1


def test_targets_table(demo_db_path):
    result = run(demo_db_path, "targets", "--period", "2023-H1")
    assert result.returncode == 0, result.stderr
    assert "coops_new" in result.stdout and "52,0%" in result.stdout and "Đúng tiến độ" in result.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["indicators", "--period", "2023-H7"], "2023-H1"),
        (["indicators", "--period", "2023-H1", "--district", "Hà Nội"], "106 Huyện Tam Đường"),
        (["indicators", "--period", "2023-H1", "--sector", "fishing"], "agriculture"),
        (["indicators", "--period", "2023-H1", "--indicator", "nope"], "coops_total"),
        (["indicators", "--period", "2023-H1", "--by", "xa"], "không có 'xa'; chọn: 'district'"),
        (["indicators"], "thiếu tham số bắt buộc: --period"),
        (["targets", "--period", "2023-H1", "--resolution", "99/NQ"], "58/NQ-BCH"),
    ],
)
def test_bad_arguments_give_one_line_and_nonzero_exit(demo_db_path, args, message):
    result = run(demo_db_path, *args)
    assert result.returncode == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_a_database_of_an_earlier_hx_is_upgraded_and_answers_as_a_fresh_one(tmp_path, demo_db_path):
    """The previous release's database (tests/data): the first command upgrades it (saying so on
    stderr, with the backup copy), then answers exactly as the freshly built demo; the second
    command has nothing left to upgrade."""
    old = old_copy(tmp_path)
    args = ("indicators", "--period", "2023-H1", "--format", "csv")
    first, second, fresh = run(old, *args), run(old, *args), run(demo_db_path, *args)
    assert first.returncode == 0 and "Đã nâng cấp cơ sở dữ liệu" in first.stderr and "backups" in first.stderr
    assert second.returncode == 0 and "nâng cấp" not in second.stderr
    assert first.stdout == second.stdout == fresh.stdout


def test_a_failed_upgrade_says_so_and_changes_nothing(tmp_path):
    old = old_copy(tmp_path)
    (tmp_path / "backups").write_text("")  # a file where the backup folder goes: no copy, so no upgrade
    before = old.read_bytes()
    result = run(old, "indicators", "--period", "2023-H1")
    assert result.returncode == 2 and "không nâng cấp được" in result.stderr, result.stderr
    assert "không bị thay đổi" in result.stderr and "Traceback" not in result.stderr
    assert old.read_bytes() == before


def test_a_dry_run_writes_nothing_even_to_an_outdated_database(tmp_path):
    """`import --dry-run` promises to write nothing: a database of an earlier hx is refused, not upgraded."""
    old = old_copy(tmp_path)
    before = old.read_bytes()
    result = run(old, "import", str(ROOT / "tests" / "data" / "returns" / "01-bieu-tam-duong.xlsx"),
                 "--period", "2023-H1", "--dry-run")
    assert result.returncode == 2 and "phiên bản hx cũ hơn" in result.stderr and "Lần chạy thử" in result.stderr
    assert old.read_bytes() == before and not (tmp_path / "backups").exists()
