"""Returns as offices send them (tests/data/returns, built by scripts/build_returns_corpus.py from the demo data):
each file imports with exactly the figures expected.json computed, or is refused with its words; a refusal and
a dry run leave the database's content as it was; the preview is hxcore's own figures before and after."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from hxcore.db import schema
from hxcore.engine.compute import evaluate
from hxcore.io import auth, importer
from hxcore.io.importer import preview, profiles
from hxcore.model.filters import Filter

CORPUS = Path(__file__).resolve().parent / "data" / "returns"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
EDITOR = auth._issue("tester", auth.Role.EDITOR)


def figures(engine, as_of: str) -> dict:
    o, f = schema.organisations, schema.facts
    with engine.connect() as conn:
        rows = conn.execute(select(o.c.name, f.c.status, f.c.members, f.c.workers, f.c.charter_capital)
                            .join(f, f.c.org_id == o.c.id).where(f.c.as_of == as_of, o.c.district_code == "106"))
        return {r.name: {"status": r.status, "members": r.members, "workers": r.workers,
                         "charter_capital": r.charter_capital} for r in rows}


def texts(plan) -> str:
    return " | ".join(f"{p.sheet} {p.value} {p.expected}" for p in plan.problems)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_return_imports_exactly_or_is_refused_with_its_reason(demo_copy, name):
    expected = EXPECTED[name]
    data = (CORPUS / name).read_bytes()
    before = importer.database_fingerprint(demo_copy)
    plan = importer.prepare_import(demo_copy, data, name, expected["period"])
    assert importer.database_fingerprint(demo_copy) == before  # the dry run writes nothing
    if expected["outcome"] == "refused":
        assert not plan.ok
        errors = " | ".join(f"{p.sheet} {p.value} {p.expected}" for p in plan.errors)
        assert all(word in errors for word in expected["message"]), errors
        with pytest.raises(importer.ImportRejected):
            importer.commit_import(demo_copy, data, name, expected["period"], EDITOR, checked=plan)
        assert importer.database_fingerprint(demo_copy) == before  # a refusal changes nothing
        return
    assert plan.ok, texts(plan)
    for word in expected.get("notices", []) + expected.get("warnings", []):
        assert word in texts(plan)
    importer.commit_import(demo_copy, data, name, expected["period"], EDITOR, checked=plan)
    if "figures" in expected:
        got = figures(demo_copy, "2023-06-30")
        assert {n: got[n] for n in expected["figures"]} == expected["figures"]
    for org, code in expected.get("communes_2025", {}).items():
        with demo_copy.connect() as conn:
            o = schema.organisations
            row = conn.execute(select(o.c.commune_code, o.c.commune_2025_code).where(o.c.name == org)).one()
        assert row.commune_code is None and row.commune_2025_code == code


def test_the_preview_shows_the_engines_figures_before_and_after_and_changes_nothing(demo_copy):
    name = "01-bieu-tam-duong.xlsx"
    data = (CORPUS / name).read_bytes()
    flt = Filter(period="2023-H1", districts=("106",))
    operating = evaluate(demo_copy, flt, ["coops_operating"], compare=False, with_targets=False)["value"].iloc[0]
    before = importer.database_fingerprint(demo_copy)
    plan = importer.prepare_import(demo_copy, data, name, "2023-H1")
    shown = preview.preview(demo_copy, plan)
    assert importer.database_fingerprint(demo_copy) == before
    line = shown.indicators[(shown.indicators["area"] == "Huyện Tam Đường")
                            & (shown.indicators["indicator"] == "coops_operating")].iloc[0]
    assert (line["before"], line["after"]) == (operating, operating - 1)  # the one cooperative the return stops
    stopped = shown.organisations[shown.organisations["status_new"] == "stopped"]
    assert (stopped["status_old"] == "operating").sum() == 1
    importer.commit_import(demo_copy, data, name, "2023-H1", EDITOR, checked=plan)
    assert evaluate(demo_copy, flt, ["coops_operating"], compare=False, with_targets=False)["value"].iloc[0] == line["after"]


def test_a_mapped_column_is_saved_and_the_next_file_of_that_form_goes_through(demo_copy):
    name = "15-cot-la.xlsx"
    expected = EXPECTED[name]
    data = (CORPUS / name).read_bytes()
    refused = importer.prepare_import(demo_copy, data, name, "2023-H1")
    located = refused.unmapped[0]
    assert located.headers[located.suggestions["commune"]] == "Địa bàn xã"  # the guess the page pre-fills
    plan = importer.prepare_import(demo_copy, data, name, "2023-H1", mapping=expected["mapping"])
    assert plan.ok, texts(plan)
    profiles.save(demo_copy, "Tam Đường - danh sách HTX", plan.tables[0], EDITOR)
    again = importer.prepare_import(demo_copy, data, name, "2023-H1")  # recognised by its header's fingerprint
    assert again.ok and again.rows_added == 1
    by_name = importer.prepare_import(demo_copy, data, name, "2023-H1", profile="Tam Đường - danh sách HTX")
    assert by_name.ok
    importer.commit_import(demo_copy, data, name, "2023-H1", EDITOR, checked=again)
    o = schema.organisations
    with demo_copy.connect() as conn:
        commune = conn.execute(select(o.c.commune_code).where(o.c.name == "HTX Dịch vụ Bình Lư Mới")).scalar()
    assert {"HTX Dịch vụ Bình Lư Mới": commune} == expected["mapped_figures"]
    assert profiles.remove(demo_copy, "Tam Đường - danh sách HTX", EDITOR)
    assert not importer.prepare_import(demo_copy, data, name, "2023-H1").ok
