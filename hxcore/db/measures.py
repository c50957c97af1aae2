"""A measure of the catalog as SQL: its source tables, its condition and its aggregate.

The catalog declares measures without SQL (model layer); this module turns each into a
conditional aggregate over its source, for evaluate() and for the summary tables alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace

from sqlalchemy import Date, and_, case, distinct, func, literal, select, true

from hxcore.db import schema
from hxcore.model.areas import REFORM_DATE, after_reform
from hxcore.model.catalog import Aggregation, Measure
from hxcore.model.filters import Window
from hxcore.model.vocab import ORG_TYPE_OF_KIND, sectors_of


@dataclass
class Source:
    """The tables a measure reads (`tables.o`, `tables.f`...), joined, with the breakdown columns."""

    tables: SimpleNamespace
    from_clause: object
    where: object
    dims: dict = field(default_factory=dict)  # breakdown name -> column
    needs_snapshot: bool = False


def project_status_at(project_id, end: date):
    events = schema.project_events
    return (
        select(events.c.status)
        .where(events.c.project_id == project_id, events.c.happened_on <= end)
        .order_by(events.c.happened_on.desc(), events.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def valid_at(area, day: date):
    return and_(area.c.valid_from <= day, (area.c.valid_to.is_(None)) | (area.c.valid_to >= day))


def commune_at(o, day):
    """The organisation's commune among the units valid on `day`: its old commune before the
    reform of 1/7/2025, its 2025 commune from then on. `day` may be a bound parameter, so the
    choice is made in SQL and one statement serves periods on both sides of the reform."""
    if isinstance(day, date):
        return o.c.commune_2025_code if after_reform(day) else o.c.commune_code
    return case((day >= literal(REFORM_DATE, Date), o.c.commune_2025_code), else_=o.c.commune_code)


def _org_tables(o, window: Window, **tables) -> SimpleNamespace:
    return SimpleNamespace(o=o, commune=commune_at(o, window.end), **tables)


def _org_source(o, window: Window) -> Source:
    return Source(_org_tables(o, window), o, true(), _org_dims(o, window))


def _org_dims(o, window: Window) -> dict:
    """Breakdowns of organisation-based measures. `district` is the district until the reform and
    the former district after it (the column holds both), so old links and series keep working."""
    return {"district": o.c.district_code, "former_district": o.c.district_code, "sector": o.c.sector_code,
            "province": o.c.province_code, "commune": commune_at(o, window.end),
            "commune_2025": o.c.commune_2025_code, "commune_old": o.c.commune_code}


def _facts_source(name: str):
    def build(o, window: Window) -> Source:
        f = schema.facts
        when = f.c.as_of == window.end if name == "facts_end" else f.c.as_of.between(window.start, window.end)
        return Source(_org_tables(o, window, f=f), f.join(o, f.c.org_id == o.c.id), when, _org_dims(o, window), True)
    return build


def _training_source(o, window: Window) -> Source:
    tc = schema.training_classes
    return Source(SimpleNamespace(tc=tc), tc, true(), {"district": tc.c.district_code,
                                                       "former_district": tc.c.district_code,
                                                       "province": tc.c.province_code})


def _loans_source(o, window: Window) -> Source:
    loans = schema.fund_loans
    return Source(_org_tables(o, window, l=loans), loans.join(o, loans.c.org_id == o.c.id), true(),
                  _org_dims(o, window))


def _repayments_source(o, window: Window) -> Source:
    loans, repayments = schema.fund_loans, schema.fund_repayments
    joined = repayments.join(loans, repayments.c.loan_id == loans.c.id).join(o, loans.c.org_id == o.c.id)
    return Source(_org_tables(o, window, l=loans, r=repayments), joined, true(), _org_dims(o, window))


def _fairs_source(o, window: Window) -> Source:
    fp = schema.fair_participations
    return Source(_org_tables(o, window, fp=fp), fp.join(o, fp.c.org_id == o.c.id), true(), _org_dims(o, window))


def _projects_source(o, window: Window) -> Source:
    j = schema.projects
    tables = _org_tables(o, window, j=j, status_at_end=project_status_at(j.c.id, window.end))
    return Source(tables, j.join(o, j.c.org_id == o.c.id), true(), _org_dims(o, window))


def _communes_source(o, window: Window) -> Source:
    """The communes valid at the period's end: 106 in Lai Châu until 30/6/2025, 38 from 1/7/2025."""
    c = schema.areas.alias("commune")
    where = and_(c.c.level == "commune", valid_at(c, window.end))
    dims = {"district": c.c.former_district_code, "former_district": c.c.former_district_code,
            "province": c.c.province_code, "commune": c.c.code, "commune_2025": c.c.commune_2025_code,
            "commune_old": c.c.code}
    return Source(SimpleNamespace(c=c), c, where, dims)


SOURCES = {
    "organisations": _org_source,
    "facts_end": _facts_source("facts_end"),
    "facts_ytd": _facts_source("facts_ytd"),
    "training": _training_source,
    "loans": _loans_source,
    "repayments": _repayments_source,
    "fairs": _fairs_source,
    "projects": _projects_source,
    "communes": _communes_source,
}


def source(name: str, window: Window) -> Source:
    if name not in SOURCES:
        raise ValueError(f"unknown source {name}")
    return SOURCES[name](schema.organisations, window)


def sector_codes_for(measure: Measure, sectors: tuple[str, ...]) -> tuple[str, ...] | None:
    """The filter's sector codes that apply to this measure's kind of organisation.

    None means "no restriction"; an empty tuple means the filter excludes this kind entirely.
    """
    if not sectors or not measure.org_kinds:
        return None
    org_type = ORG_TYPE_OF_KIND[measure.org_kinds[0]]
    own = {s.code for s in sectors_of(org_type)}
    return tuple(code for code in sectors if code in own)


def condition(measure: Measure, tables: SimpleNamespace, window: Window):
    """The measure's row condition: the catalog gives a list of conditions, all of which must hold."""
    parts = list(measure.where(tables, window))
    if measure.org_kinds:
        parts.append(tables.o.c.kind.in_([k.value for k in measure.org_kinds]))
    return and_(*parts) if parts else true()


def aggregate(measure: Measure, src: Source, window: Window, sectors: tuple[str, ...]):
    """The measure as one conditional aggregate column over `src`."""
    where = condition(measure, src.tables, window)
    codes = sector_codes_for(measure, sectors)
    if codes is not None:
        where = and_(where, src.tables.o.c.sector_code.in_(codes))
    if measure.aggregation == Aggregation.COUNT:
        return func.count(case((where, literal(1))))
    value = measure.value(src.tables)
    if measure.aggregation == Aggregation.SUM:
        return func.coalesce(func.sum(case((where, value))), 0)
    return func.count(distinct(case((where, value))))
