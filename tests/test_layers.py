"""The layer rule, read from the source with `ast`: model ← db ← engine ← present, io ← cli ← hxapp, pages.

A module may import from its own layer and the layers below it, never above; nothing under
hxcore imports Streamlit; model imports no SQL library; no function-local import hides a cycle
(only heavy optional dependencies may be imported inside a function, and, inside hxcore/cli.py,
the front door that defers each command's modules, hxcore's own modules and pandas and SQLAlchemy,
which its parser and `catalog` do without).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Rank of each layer: an import must point to the same rank or lower. present and io share a
# rank but are siblings: neither imports the other.
RANKS = {"model": 0, "db": 1, "engine": 2, "present": 3, "io": 3, "cli": 4, "hxapp": 5, "pages": 6}
SIBLINGS = {frozenset({"present", "io"})}
FORBIDDEN = {  # layer -> top-level packages it must not import
    "model": {"streamlit", "sqlalchemy"},
    "db": {"streamlit"}, "engine": {"streamlit"}, "present": {"streamlit"}, "io": {"streamlit"}, "cli": {"streamlit"},
}
# Deferred only because they are heavy and optional (the benchmark's contenders, document writers).
# fpdf: 0,35 s to import, only when a handout is written (hxcore.present.handout), not at every CLI or app start.
LAZY_ALLOWED = {"duckdb", "duckdb_extension_sqlite_scanner", "docx", "pptx", "fpdf"}
# The front door may import hxcore modules inside a function: each command's handler imports its own
# modules when it runs, so `indicators` does not load Altair, openpyxl or pandera for `handout`, `import`
# or `bench`. No cycle can hide there, since no hxcore module imports hxcore.cli (checked below), and
# only there: anywhere else a local import of an hxcore module still fails.
FRONT_DOOR = {"hxcore.cli"}
# ... and it may defer these third-party packages too: nearly every command needs them, but `--help`,
# `<command> --help` and `catalog` need neither, and importing them (with numpy) was most of their cold
# answer (tests/test_cli_imports.py checks they stay unloaded). Any other package the front door defers
# is still refused (Altair, openpyxl, ... belong in the present and io modules a command imports), and
# so is pandas or SQLAlchemy deferred anywhere else.
FRONT_DOOR_DEFERS = {"pandas", "sqlalchemy"}


@dataclass(frozen=True)
class Import:
    module: str  # dotted name imported from
    line: int
    local: bool  # inside a function or method


def layer_of_module(dotted: str) -> str | None:
    parts = dotted.split(".")
    if parts[0] == "hxapp":
        return "hxapp"
    if parts[0] == "pages":
        return "pages"
    if parts[0] != "hxcore":
        return None
    if len(parts) > 1 and parts[1] in RANKS:
        return parts[1]
    return "cli"  # hxcore/__init__, __main__, cli, bench: the package's own front door


def module_name(path: Path) -> str:
    relative = path.relative_to(ROOT).with_suffix("")
    return ".".join(relative.parts).removesuffix(".__init__")


def imports_of(source: str, package: str) -> list[Import]:
    tree = ast.parse(source)
    top_level = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the importing module's package
                base = package.split(".")[: -node.level]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            # `from hxcore.io import importer` imports the module hxcore.io.importer
            names = [f"{module}.{alias.name}" for alias in node.names]
        else:
            continue
        found += [Import(name, node.lineno, id(node) not in top_level) for name in names]
    return found


def violations(layer: str, source: str, package: str = "hxcore") -> list[str]:
    problems = []
    for imp in imports_of(source, package):
        top = imp.module.split(".")[0]
        if top in FORBIDDEN.get(layer, set()):
            problems.append(f"line {imp.line}: {layer} imports {top}")
        target = layer_of_module(imp.module)
        if target is not None and target != layer:
            if RANKS[target] > RANKS[layer]:
                problems.append(f"line {imp.line}: {layer} imports {imp.module}, a higher layer ({target})")
            elif frozenset({layer, target}) in SIBLINGS:
                problems.append(f"line {imp.line}: {layer} imports its sibling {imp.module}")
        deferred_by_front_door = package in FRONT_DOOR and top in {"hxcore", *FRONT_DOOR_DEFERS}
        if imp.local and top not in LAZY_ALLOWED and not deferred_by_front_door:
            problems.append(f"line {imp.line}: function-local import of {imp.module}")
    return problems


def source_files() -> list[Path]:
    files = [*ROOT.glob("hxcore/**/*.py"), *ROOT.glob("hxapp/**/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py"]
    return sorted(files)


def layer_of_file(path: Path) -> str:
    if path.name == "app.py" and path.parent == ROOT:
        return "pages"  # the frame sits on top, with the pages
    return layer_of_module(module_name(path))


@pytest.mark.parametrize("path", source_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_module_respects_the_layers(path):
    package = module_name(path)
    assert violations(layer_of_file(path), path.read_text(encoding="utf-8"), package) == []


def test_every_hxcore_module_belongs_to_a_layer():
    """hxcore's top level holds only the front door; everything else lives in a layer folder."""
    top = sorted(p.name for p in (ROOT / "hxcore").glob("*.py"))
    assert top == ["__init__.py", "__main__.py", "bench.py", "cli.py"]
    for folder in ("model", "db", "engine", "present", "io"):
        assert (ROOT / "hxcore" / folder / "__init__.py").exists()


@pytest.mark.parametrize(
    "layer, source, expected",
    [
        ("model", "from hxcore.engine.compute import evaluate\n", "a higher layer (engine)"),
        ("db", "from hxcore.present import fmt\n", "a higher layer (present)"),
        ("engine", "from hxcore.io.demo import build_demo\n", "a higher layer (io)"),
        ("present", "from hxcore.io import importer\n", "its sibling hxcore.io.importer"),
        ("io", "from hxcore import cli\n", "a higher layer (cli)"),
        ("cli", "from hxapp import ui\n", "a higher layer (hxapp)"),
        ("engine", "import streamlit as st\n", "engine imports streamlit"),
        ("model", "from sqlalchemy import and_\n", "model imports sqlalchemy"),
        ("engine", "def f():\n    from hxcore.engine import summary\n", "function-local import of hxcore.engine"),
        ("engine", "from .. import cli\n", "a higher layer (cli)"),
    ],
)
def test_the_checker_catches_an_upward_import(layer, source, expected):
    """A synthetic module per breach: the rule is not vacuous."""
    found = violations(layer, source, package=f"hxcore.{layer}.synthetic")
    assert any(expected in problem for problem in found), found


@pytest.mark.parametrize(
    "layer, source",
    [
        ("engine", "from hxcore.model.catalog import INDICATORS\nfrom hxcore.db import schema\n"),
        ("io", "from hxcore.engine.summary import data_changed\n"),
        ("pages", "import streamlit as st\nfrom hxapp import ui\nfrom hxcore.present import charts\n"),
        ("cli", "def bench():\n    import duckdb\n"),
    ],
)
def test_the_checker_accepts_downward_imports(layer, source):
    assert violations(layer, source, package=f"hxcore.{layer}.synthetic") == []


LOCAL_ENGINE_IMPORT = "def f():\n    from hxcore.engine.compute import evaluate\n"


@pytest.mark.parametrize(
    "package, source, expected",
    [
        ("hxcore.bench", LOCAL_ENGINE_IMPORT, "function-local import of hxcore.engine.compute"),  # cli layer, not cli.py
        ("hxcore.__main__", LOCAL_ENGINE_IMPORT, "function-local import of hxcore.engine.compute"),
        ("hxcore.cli", "def f():\n    import altair\n", "function-local import of altair"),  # neither hxcore nor allowed
        ("hxcore.cli", "def f():\n    import numpy as np\n", "function-local import of numpy"),
        ("hxcore.bench", "def f():\n    import pandas as pd\n", "function-local import of pandas"),  # front door only
        ("hxcore.__main__", "def f():\n    from sqlalchemy.exc import SQLAlchemyError\n",
         "function-local import of sqlalchemy.exc.SQLAlchemyError"),
        ("hxcore.cli", "def f():\n    from hxapp import ui\n", "a higher layer (hxapp)"),  # deferred, still upward
    ],
)
def test_only_the_front_door_defers_imports(package, source, expected):
    found = violations("cli", source, package=package)
    assert any(expected in problem for problem in found), found


def test_the_front_door_may_defer_a_command_s_modules():
    source = "def cmd():\n    from hxcore.present import handout\n    from hxcore.io import importer\n    import hxcore.bench\n"
    assert violations("cli", source, package="hxcore.cli") == []


def test_the_front_door_may_defer_pandas_and_sqlalchemy():
    """What `--help` and `catalog` do without: imported by the handlers and main that need them."""
    source = ("def cmd():\n    import pandas as pd\n    from sqlalchemy.exc import SQLAlchemyError\n"
              "    from hxcore.db.schema import make_engine\n")
    assert violations("cli", source, package="hxcore.cli") == []


def test_nothing_imports_the_front_door():
    """What makes its local imports safe: hxcore.cli sits on top, only `python -m hxcore` imports it."""
    importers = [module_name(path) for path in ROOT.glob("hxcore/**/*.py")
                 if any(imp.module == "hxcore.cli" or imp.module.startswith("hxcore.cli.")
                        for imp in imports_of(path.read_text(encoding="utf-8"), module_name(path)))]
    assert importers == ["hxcore.__main__"]
