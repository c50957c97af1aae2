"""Unit-level lists behind the figures: which cooperatives, projects, loans and classes.

SQLAlchemy Core, no Streamlit; every function takes the same Filter as evaluate() and returns a
DataFrame with English column names (the interface relabels them) and typed values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, Select, and_, false, func, or_, select

from hxcore.db import schema
from hxcore.db.measures import commune_at
from hxcore.model.filters import Filter
from hxcore.model.labels import label
from hxcore.model.vocab import (
    PROJECT_STATUS_LABELS,
    RATING_LABELS,
    SCHEME_LABELS,
    STATUS_LABELS,
    TRAINING_LABELS,
    OrgType,
    sector_label,
    sectors_of,
)

FEW_AREAS = 500  # up to this many codes are asked for by name (IN); more, and every name is read


def _area_names(engine: Engine, level: str, day, codes=None) -> dict[str, str]:
    """Names of the communes valid on `day`; of every district, valid or former (after 1/7/2025 an
    organisation's district is its former district). Only those of `codes` when they are few (a
    page of a list names a few dozen of a country's 10.000 communes)."""
    a = schema.areas
    valid = a.c.level == "district" if level == "district" else and_(
        a.c.level == level, a.c.valid_from <= day, or_(a.c.valid_to.is_(None), a.c.valid_to >= day))
    statement = select(a.c.code, a.c.name).where(valid)
    wanted = None if codes is None else {c for c in codes if isinstance(c, str)}
    if wanted is not None and len(wanted) <= FEW_AREAS:
        statement = statement.where(a.c.code.in_(sorted(wanted)))
    with engine.connect() as connection:
        return dict(connection.execute(statement).all())


def _org_conditions(o, flt: Filter, org_type: str | None):
    conditions = []
    if flt.province:
        conditions.append(o.c.province_code == flt.province)
    if flt.districts:
        conditions.append(o.c.district_code.in_(flt.districts))
    if flt.communes:
        conditions.append((o.c.commune_code if flt.old_communes else o.c.commune_2025_code).in_(flt.communes))
    if flt.sectors and org_type:
        own = {s.code for s in sectors_of(OrgType(org_type))}
        conditions.append(o.c.sector_code.in_([c for c in flt.sectors if c in own]))
    elif flt.sectors:
        conditions.append(o.c.sector_code.in_(flt.sectors))
    return conditions


def _frame(engine: Engine, statement, columns: list[str]) -> pd.DataFrame:
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    if not rows:
        return pd.DataFrame([], columns=columns)
    # Column by column: given Row objects, pandas asks each for attributes (slow for 54.000 rows).
    values = zip(*rows, strict=True)
    return pd.DataFrame({column: list(value) for column, value in zip(columns, values, strict=True)}, columns=columns)


def _labelled(values: pd.Series, label_of) -> pd.Series:
    """label_of(value) for every row, computed once per distinct value (a national list has 54.000 rows, 9 sectors)."""
    if values.empty:
        return values.map(label_of)
    if values.isna().all():  # e.g. no group has a rating: one label (None) for every row, as map() gives
        return pd.Series([label_of(values.iloc[0])] * len(values), index=values.index)
    return values.map({value: label_of(value) for value in values.dropna().unique()})


ORGANISATION_COLUMNS = ["id", "name", "district_code", "commune_code", "sector_code", "kind", "registered_on",
                        "status", "charter_capital", "members", "workers", "rating", "alliance_member"]


def _existing_organisations(flt: Filter, org_type: str) -> list:
    """Organisations of `org_type` registered and not dissolved at the period's end, within the filter."""
    end, o = flt.parsed_period.end, schema.organisations
    return [o.c.org_type == org_type, o.c.registered_on <= end, or_(o.c.dissolved_on.is_(None), o.c.dissolved_on > end),
            *_org_conditions(o, flt, org_type)]


def _organisation_statement(flt: Filter, org_type: str):
    end = flt.parsed_period.end
    o, f = schema.organisations, schema.facts
    joined = o.outerjoin(f, and_(f.c.org_id == o.c.id, f.c.as_of == end))
    return (
        select(o.c.id, o.c.name, o.c.district_code, commune_at(o, end).label("commune_code"), o.c.sector_code, o.c.kind,
               o.c.registered_on, f.c.status, f.c.charter_capital, f.c.members, f.c.workers, f.c.rating,
               (o.c.alliance_joined_on.is_not(None) & (o.c.alliance_joined_on <= end)).label("alliance_member"))
        .select_from(joined)
        .where(*_existing_organisations(flt, org_type))
        .order_by(o.c.district_code, o.c.name, o.c.id)  # the id last: a stable order, so pages never overlap (ix_org_listed)
    )


def _organisation_count(flt: Filter, org_type: str):
    # Without the facts: an organisation has at most one return per date, so the join adds no row.
    return select(func.count()).select_from(schema.organisations).where(*_existing_organisations(flt, org_type))


def _organisation_labels(engine: Engine, flt: Filter, frame: pd.DataFrame, org_type: str) -> pd.DataFrame:
    end = flt.parsed_period.end
    frame["district_name"] = frame["district_code"].map(_area_names(engine, "district", end, frame["district_code"]))
    frame["commune_name"] = frame["commune_code"].map(_area_names(engine, "commune", end, frame["commune_code"]))
    frame["sector_label"] = _labelled(frame["sector_code"], lambda c: _sector_label_for(c, org_type))
    frame["status_label"] = _labelled(frame["status"], lambda s: label(STATUS_LABELS, s, missing=None))
    frame["rating_label"] = _labelled(frame["rating"], lambda r: label(RATING_LABELS, r, missing=None))
    frame["alliance_member"] = frame["alliance_member"].astype(bool)
    for column in ("charter_capital", "members", "workers"):
        frame[column] = pd.to_numeric(frame[column])
    frame["registered_on"] = pd.to_datetime(frame["registered_on"]).dt.date
    return frame


def _organisations(org_type: str, status: str | None = None) -> UnitList:
    """The list of organisations of `org_type` existing at the period's end, with their facts at that
    date; only those whose return then has `status`, when given (selected in SQL: a country's
    25.000 HTX are not read to find its stopped ones)."""
    def statement(flt: Filter):
        selected = _organisation_statement(flt, org_type)
        return selected if status is None else selected.where(schema.facts.c.status == status)

    return UnitList(statement, ORGANISATION_COLUMNS, lambda e, f, frame: _organisation_labels(e, f, frame, org_type),
                    (lambda f: _organisation_count(f, org_type)) if status is None else None)


def organisation_list(engine: Engine, flt: Filter, org_type: str = "coop", status: str | None = None) -> pd.DataFrame:
    """Organisations of `org_type` existing at the period's end (of `status` then, when given), with their facts."""
    return _read(engine, flt, _organisations(org_type, status))


def _sector_label_for(code: str, org_type: str) -> str:
    for s in sectors_of(OrgType(org_type)):
        if s.code == code:
            return s.label_vi
    return sector_label(code)


def _project_statement(flt: Filter):
    end = flt.parsed_period.end
    o, p, e = schema.organisations, schema.projects, schema.project_events
    status = (select(e.c.status).where(e.c.project_id == p.c.id, e.c.happened_on <= end)
              .order_by(e.c.happened_on.desc(), e.c.id.desc()).limit(1).scalar_subquery())
    return (
        select(p.c.id, p.c.title, p.c.scheme, p.c.selected_on, o.c.name, o.c.district_code, o.c.sector_code,
               status.label("status"))
        .select_from(p.join(o, p.c.org_id == o.c.id))
        .where(p.c.selected_on <= end, *_org_conditions(o, flt, None))
        .order_by(p.c.scheme, p.c.id)
    )


def _project_labels(engine: Engine, flt: Filter, frame: pd.DataFrame) -> pd.DataFrame:
    frame["district_name"] = frame["district_code"].map(_area_names(engine, "district", flt.parsed_period.end))
    frame["scheme_label"] = frame["scheme"].map(lambda s: label(SCHEME_LABELS, s))
    frame["status_label"] = frame["status"].map(lambda s: label(PROJECT_STATUS_LABELS, s, missing=None) if s else None)
    frame["sector_label"] = frame["sector_code"].map(lambda c: _sector_label_for(c, "coop"))
    return frame


def _loan_statement(flt: Filter):
    period = flt.parsed_period
    o, loans, r = schema.organisations, schema.fund_loans, schema.fund_repayments
    repaid = (select(func.coalesce(func.sum(r.c.amount), 0)).where(r.c.loan_id == loans.c.id,
                                                                 r.c.paid_on <= period.end).scalar_subquery())
    return (
        select(loans.c.id, loans.c.disbursed_on, loans.c.amount, loans.c.purpose, o.c.name, o.c.district_code,
               o.c.sector_code, o.c.org_type, repaid.label("repaid"))
        .select_from(loans.join(o, loans.c.org_id == o.c.id))
        .where(loans.c.disbursed_on.between(period.year_start, period.end), *_org_conditions(o, flt, None))
        .order_by(loans.c.disbursed_on, loans.c.id)
    )


def _loan_labels(engine: Engine, flt: Filter, frame: pd.DataFrame) -> pd.DataFrame:
    frame["district_name"] = frame["district_code"].map(_area_names(engine, "district", flt.parsed_period.end))
    frame["sector_label"] = [_sector_label_for(c, t) for c, t in zip(frame["sector_code"], frame["org_type"],
                                                                        strict=True)]
    frame["amount"] = pd.to_numeric(frame["amount"])
    frame["repaid"] = pd.to_numeric(frame["repaid"])
    return frame


def _training_statement(flt: Filter):
    """Classes have no sector: none with a sector filter."""
    period = flt.parsed_period
    tc = schema.training_classes
    conditions = [tc.c.held_on.between(period.year_start, period.end)]
    if flt.province:
        conditions.append(tc.c.province_code == flt.province)
    if flt.districts:
        conditions.append(tc.c.district_code.in_(flt.districts))
    if flt.sectors:
        conditions.append(false())
    return select(tc.c.id, tc.c.held_on, tc.c.district_code, tc.c.kind, tc.c.title, tc.c.trainees).where(
        *conditions).order_by(tc.c.held_on, tc.c.id)


def _training_labels(engine: Engine, flt: Filter, frame: pd.DataFrame) -> pd.DataFrame:
    frame["district_name"] = frame["district_code"].map(_area_names(engine, "district", flt.parsed_period.end))
    frame["kind_label"] = frame["kind"].map(lambda k: label(TRAINING_LABELS, k))
    return frame


@dataclass(frozen=True)
class UnitList:
    """A list as one ordered SELECT and the labels written onto its rows, so that the whole list
    and any page of it are read the same way (a page costs the same for 400 rows or 60.000)."""

    statement: Callable[[Filter], Select]
    columns: list[str]
    labels: Callable[[Engine, Filter, pd.DataFrame], pd.DataFrame]
    count: Callable[[Filter], Select] | None = None  # a cheaper count than counting the statement's rows


UNIT_LISTS = {
    "coops": _organisations("coop"),
    "groups": _organisations("group"),
    "projects": UnitList(_project_statement, ["id", "title", "scheme", "selected_on", "name", "district_code",
                                              "sector_code", "status"], _project_labels),
    "loans": UnitList(_loan_statement, ["id", "disbursed_on", "amount", "purpose", "name", "district_code",
                                        "sector_code", "org_type", "repaid"], _loan_labels),
    "training": UnitList(_training_statement, ["id", "held_on", "district_code", "kind", "title", "trainees"],
                         _training_labels),
}


def _read(engine: Engine, flt: Filter, unit_list: UnitList) -> pd.DataFrame:
    return unit_list.labels(engine, flt, _frame(engine, unit_list.statement(flt), unit_list.columns))


def project_list(engine: Engine, flt: Filter) -> pd.DataFrame:
    """Projects (scheme 1054, model cooperatives) selected by the period's end, with their status then."""
    return _read(engine, flt, UNIT_LISTS["projects"])


def loan_list(engine: Engine, flt: Filter) -> pd.DataFrame:
    """Support-fund loans disbursed from 1 January to the period's end, with what was repaid by then."""
    return _read(engine, flt, UNIT_LISTS["loans"])


def training_list(engine: Engine, flt: Filter) -> pd.DataFrame:
    """Classes held from 1 January to the period's end. Classes have no sector: empty with a sector filter."""
    return _read(engine, flt, UNIT_LISTS["training"])


LISTS = {name: (lambda engine, flt, unit_list=unit_list: _read(engine, flt, unit_list))
         for name, unit_list in UNIT_LISTS.items()}


def list_page(engine: Engine, name: str, flt: Filter, first: int, rows: int) -> pd.DataFrame:
    """Rows first … first+rows-1 (0-based) of a list, in the whole list's order: LIMIT/OFFSET in
    SQL, so only the page is read and labelled (the first page of 54.000 groups in ~10 ms)."""
    unit_list = UNIT_LISTS[name]
    frame = _frame(engine, unit_list.statement(flt).limit(rows).offset(first), unit_list.columns)
    return unit_list.labels(engine, flt, frame)


def list_length(engine: Engine, name: str, flt: Filter) -> int:
    """How many rows the whole list has."""
    unit_list = UNIT_LISTS[name]
    statement = (unit_list.count(flt) if unit_list.count else
                 select(func.count()).select_from(unit_list.statement(flt).order_by(None).subquery()))
    with engine.connect() as connection:
        return connection.execute(statement).scalar_one()


def project_status_counts(projects: pd.DataFrame) -> pd.DataFrame:
    """Projects per scheme and status (in the order statuses progress), from project_list()."""
    order = {str(k): i for i, k in enumerate(PROJECT_STATUS_LABELS)}
    counts = projects.groupby(["scheme_label", "status", "status_label"], dropna=False).size().reset_index(name="count")
    counts["order"] = counts["status"].map(lambda s: order.get(s, 99))
    return counts.sort_values(["scheme_label", "order"]).reset_index(drop=True)
