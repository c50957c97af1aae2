"""The command line imports what the command run needs: the heavy packages of other commands
(charts, spreadsheets, schemas, documents, the benchmark's contenders) stay unloaded, and so do
pandas, numpy and SQLAlchemy where nothing is computed or read from the database (`--help`, `catalog`).

Read from sys.modules in a fresh interpreter, never timed: what was imported is the cause, the
seconds it costs depend on the machine (README, "Cold command line").
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Altair and vl-convert (charts: handout, slides), openpyxl (xlsx: import, list --format xlsx), pandera
# (targets file: build-demo, bench), python-docx, python-pptx, fpdf2 (report, slides, handout), DuckDB (bench).
HEAVY = ("altair", "vl_convert", "openpyxl", "pandera", "docx", "pptx", "fpdf", "duckdb")

PROBE = """
import json, sys
from hxcore import cli
try:
    status = cli.main(sys.argv[1:])
except SystemExit as exit:
    status = exit.code
sys.stderr.write("\\nhx-modules " + json.dumps({"status": status, "modules": sorted(sys.modules)}))
"""


def loaded_by(*argv: str) -> tuple[int, set[str]]:
    """Run the command line in a fresh interpreter: its exit status and the packages it imported."""
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, cwd=ROOT, timeout=120)
    report = json.loads(done.stderr.rsplit("hx-modules ", 1)[1])
    return report["status"], set(report["modules"])


# What nearly every command needs (frames, the database), and the parser and `catalog` do without.
DATA_STACK = ("pandas", "numpy", "sqlalchemy")


def heavy(modules: set[str], names: tuple[str, ...] = HEAVY) -> list[str]:
    return sorted({name.split(".")[0] for name in modules} & set(names))


@pytest.mark.parametrize("argv", [["--help"], ["indicators", "--help"], ["bench", "--help"]], ids=" ".join)
def test_the_parser_imports_no_command_s_modules(argv):
    status, modules = loaded_by(*argv)
    assert status == 0
    assert heavy(modules) == []
    assert sorted(m for m in modules if m.startswith(("hxcore.engine", "hxcore.present", "hxcore.io", "hxcore.bench"))) == []


@pytest.mark.parametrize("argv", [["--help"], ["indicators", "--help"], ["catalog"]], ids=" ".join)
def test_help_and_the_catalog_load_neither_pandas_nor_sqlalchemy(argv):
    """The indicator catalog is the model's: it prints without a frame or a database."""
    status, modules = loaded_by(*argv)
    assert status == 0
    assert heavy(modules, DATA_STACK) == []
    assert sorted(m for m in modules if m.startswith("hxcore.db")) == []


def test_the_probe_sees_the_data_stack(demo_db_path):
    """Not vacuous: a command that reads the database loads all three."""
    status, modules = loaded_by("--db", f"sqlite:///{demo_db_path}", "indicators", "--period", "2023-H1")
    assert status == 0
    assert heavy(modules, DATA_STACK) == sorted(DATA_STACK)


@pytest.mark.parametrize("argv", [
    ["indicators", "--period", "2023-H1"],
    ["indicators", "--period", "2023-H1", "--format", "csv", "--by", "district"],
    ["targets", "--period", "2023-H1"],
    ["catalog"],
    ["check", "--data"],
    ["list", "--kind", "coops", "--period", "2023-H1", "--output", "-"],
], ids=" ".join)
def test_reading_commands_import_nothing_heavy(demo_db_path, argv):
    status, modules = loaded_by("--db", f"sqlite:///{demo_db_path}", *argv)
    assert status == 0
    assert heavy(modules) == []


def test_the_probe_sees_a_heavy_import(demo_db_path, tmp_path):
    """Not vacuous: a list written as xlsx does load openpyxl, and only what it needs."""
    output = tmp_path / "coops.xlsx"
    status, modules = loaded_by("--db", f"sqlite:///{demo_db_path}", "list", "--kind", "coops", "--period", "2023-H1",
                                "--format", "xlsx", "--output", str(output))
    assert status == 0 and output.stat().st_size
    assert heavy(modules) == ["openpyxl"]
