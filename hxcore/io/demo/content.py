"""Every table's rows for the Lai Châu demo: the build steps, in the order they draw from the
random stream, and the conversion of the register into table rows."""

from __future__ import annotations

import csv

from hxcore.db import schema
from hxcore.db.schema import PROJECT_DIR
from hxcore.io.demo.activity import build_fairs, build_training
from hxcore.io.demo.calibration import pin_flows_2023h1
from hxcore.io.demo.coops import build_coops
from hxcore.io.demo.facts import build_facts
from hxcore.io.demo.fund import build_fund
from hxcore.io.demo.groups import build_groups
from hxcore.io.demo.later import extend_past_2024
from hxcore.io.demo.projects import build_projects
from hxcore.io.demo.register import Register
from hxcore.io.targets_file import read_resolutions_csv, read_targets_csv
from hxcore.model.areas import PROVINCE_CODE, REFORM_DATE, slugify, successor_2025
from hxcore.model.vocab import SECTORS

SEED = 42
PUBLISHED_DIR = PROJECT_DIR / "data" / "published"


def lai_chau_content(seed: int = SEED) -> dict:
    """Every table's rows for the Lai Châu demo, keyed by table."""
    # The order of these steps is the order of the random stream: changing it changes the data.
    register = Register(seed)
    build_coops(register)
    build_groups(register)
    facts = build_facts(register)
    pin_flows_2023h1(register, facts)
    training = build_training(register)
    fund = build_fund(register)
    fairs = build_fairs(register)
    projects, events = build_projects(register)
    later = extend_past_2024(register, fund)  # its own stream: nothing above changes
    facts, training, fairs = facts + later["facts"], training + later["training"], fairs + later["fairs"]
    loans, repayments = fund.loans, fund.repayments
    return {
        schema.areas: _area_rows(register), schema.area_successions: _succession_rows(register),
        schema.sectors: _sector_rows(), schema.organisations: _organisation_rows(register),
        schema.facts: facts, schema.training_classes: training,
        schema.fund_loans: loans, schema.fund_repayments: repayments, schema.fair_participations: fairs,
        schema.projects: projects, schema.project_events: events,
        schema.resolutions: read_resolutions_csv(), schema.targets: read_targets_csv(),
        schema.published_figures: _published_rows(),
    }


def _organisation_rows(register: Register) -> list[dict]:
    return [{
        "id": o.id, "org_type": o.org_type.value, "kind": o.kind.value, "name": o.name,
        "province_code": PROVINCE_CODE, "district_code": o.district, "commune_code": o.commune or None,
        "commune_2025_code": o.commune_2025 or successor_2025(o.commune),
        "sector_code": o.sector, "registered_on": o.registered_on, "dissolved_on": o.dissolved_on,
        "alliance_joined_on": o.alliance_joined_on, "founding_supported": o.founding_supported, "tax_code": None,
    } for o in register.orgs]


def _area_rows(register: Register) -> list[dict]:
    return [{"code": a.code, "name": a.name, "slug": slugify(a.name), "level": a.level, "kind": a.kind,
             "parent_code": a.parent_code, "valid_from": a.valid_from, "valid_to": a.valid_to,
             "province_code": PROVINCE_CODE, "commune_2025_code": a.commune_2025_code,
             "former_district_code": a.former_district_code}
            for a in register.areas]


def _succession_rows(register: Register) -> list[dict]:
    return [{"old_code": a.code, "new_code": a.successor_code, "effective_on": REFORM_DATE}
            for a in register.areas if a.successor_code]


def _sector_rows() -> list[dict]:
    return [{"org_type": s.org_type.value, "code": s.code, "label_vi": s.label_vi, "label_en": s.label_en,
             "sort_order": index} for index, s in enumerate(SECTORS)]


def _published_rows() -> list[dict]:
    """The figures printed in published reports (data/published/*.csv), to compare with."""
    rows = []
    for path in sorted(PUBLISHED_DIR.glob("*.csv")):
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                rows.append({
                    "report": row["report"], "period": row["period"], "indicator": row["indicator"] or None,
                    "aspect": row["aspect"], "sector_code": row["sector"] or None,
                    "district_code": row["district"] or None, "value": float(row["value"]),
                    "followed_value": float(row["followed_value"]) if row["followed_value"] else None,
                    "unit": row["unit"], "printed": row["printed"], "sentence": row["sentence"],
                    "note": row["note"] or None,
                })
    return rows
