"""Cần chỉ đạo as a reader sees it: each list of hxcore.engine.attention written as lines, each line
with the page and the filter (by code, as the CLI names them) that explain it, and the table behind.

Pure pandas and text: the page draws the lines as links, the slide draws the first ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from hxcore.engine.attention import (
    LOAN_GRACE_MONTHS,
    LOAN_INSTALMENT_MONTHS,
    PROJECT_IDLE_MONTHS,
    STOPPED_MIN_PERIODS,
    Attention,
)
from hxcore.engine.frames import sector_or_none
from hxcore.model.catalog import INDICATORS_BY_CODE
from hxcore.model.filters import Filter
from hxcore.model.labels import label
from hxcore.model.periods import Period
from hxcore.model.texts import TEXT, t
from hxcore.model.vocab import PROJECT_STATUS_LABELS, unit_label
from hxcore.present import fmt
from hxcore.present.frames import sector_name, target_label, target_value

SECTIONS = ("targets", "stopped", "loans", "projects")  # in the order the page and the slide show them


@dataclass(frozen=True)
class Line:
    """One thing to decide: a sentence, and the page (pages/<page>.py) and filter that explain it."""

    text: str
    page: str
    params: dict = field(default_factory=dict)
    detail: str = ""  # a second, smaller line (where the gap is)
    short: str = ""  # the slide's form: a few words, legible from the back of a room


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    rule: str  # what the list counts, in a sentence
    lines: list[Line]
    table: pd.DataFrame  # the rows behind the lines, headers in the page's language


def _params(flt: Filter, **more) -> dict:
    """The filter's period (and sectors, districts) by code, plus `more`: a link that reproduces the view."""
    params = {"period": flt.period}
    if flt.districts:
        params["district"] = list(flt.districts)
    if flt.sectors:
        params["sector"] = list(flt.sectors)
    params.update({k: v for k, v in more.items() if v})
    return params


# ---------------------------------------------------------------------------------------------
# Targets behind their pace


def _projection_text(row: dict, lang: str) -> str:
    values = [(row["linear"], "projection_linear"), (row["last_year_share"], "projection_share")]
    parts = [t(key, lang, value=target_value(v, row, lang)) for v, key in values if v is not None and not pd.isna(v)]
    return "; ".join(parts)


def _gap_text(row: dict, lang: str) -> str:
    """"còn thiếu 17 THT, 2,8 mỗi tháng trong 6 tháng còn lại"; a rate's gap in what its numerator counts."""
    if row["gap"] is None or pd.isna(row["gap"]):
        return ""
    key = "gap_" + INDICATORS_BY_CODE[row["indicator"]].numerator
    if row["gap_unit"] == "numerator" and key in TEXT:
        gap = t(key, lang, n=fmt.number(row["gap"], 0, lang))
    else:
        gap = t("gap_value", lang, n=target_value(row["gap"], row, lang), unit=unit_label(row["unit"], lang))
    if row["needed_per_month"] is not None and not pd.isna(row["needed_per_month"]):
        gap += t("gap_per_month", lang, n=fmt.number(row["needed_per_month"], 1, lang), months=row["remaining_months"])
    return gap


def _target_lines(att: Attention, flt: Filter, lang: str) -> list[Line]:
    lines = []
    areas = att.areas
    for row in att.targets.to_dict("records"):
        where = areas[areas["row"] == row["row"]]
        detail = ", ".join(f"{name} {fmt.percent(share, 0, lang)}" for name, share in
                           zip(where["area_name"], where["contribution"], strict=True))
        text = t("attention_target", lang, label=f"({row['item']}) {target_label(row, lang)}",
                 actual=target_value(row["actual"], row, lang), target=target_value(row["target"], row, lang),
                 pct=fmt.percent(row["attainment"], 0, lang))
        gap, projection = _gap_text(row, lang), _projection_text(row, lang)
        text += "".join(f" · {part}" for part in (gap, projection) if part)
        short = t("attention_target_short", lang, label=f"({row['item']}) {target_label(row, lang)}",
                  actual=target_value(row["actual"], row, lang), target=target_value(row["target"], row, lang))
        lines.append(Line(text, "chi_tieu", _params(flt, sector=[s] if (s := sector_or_none(row["sector"])) else None),
                          t("attention_areas", lang, areas=detail) if detail else "", short))
    return lines


def _targets_table(att: Attention, lang: str) -> pd.DataFrame:
    rows = att.targets.to_dict("records")
    return pd.DataFrame({
        t("col_indicator", lang): [f"({r['item']}) {target_label(r, lang)}" for r in rows],
        t("col_target", lang): [target_value(r["target"], r, lang) for r in rows],
        t("col_actual", lang): [target_value(r["actual"], r, lang) for r in rows],
        t("col_projection_linear", lang): [target_value(r["linear"], r, lang) for r in rows],
        t("col_projection_share", lang): [target_value(r["last_year_share"], r, lang) for r in rows],
        t("col_gap", lang): [_gap_text(r, lang) for r in rows],
    })


# ---------------------------------------------------------------------------------------------
# Stopped cooperatives, overdue loans, idle projects: one line per district, the table behind


def _by_district(frame: pd.DataFrame, flt: Filter, page: str, sentence, amount: str | None = None) -> list[Line]:
    """One line per district, the district with most rows first (ties in district order); its link
    filters the page to that district. `sentence(name, rows, total of the amount column, short)` writes
    the line. Counted by one groupby, not district by district: a country has 700 districts."""
    grouped = frame.groupby(["district_code", "district_name"], sort=True)
    rows = grouped.size().sort_values(ascending=False, kind="stable")
    totals = grouped[amount].sum() if amount else None
    return [Line(sentence(name, n, totals[(code, name)] if amount else None, False), page,
                 _params(flt) | {"district": [code]}, short=sentence(name, n, totals[(code, name)] if amount else None, True))
            for (code, name), n in rows.items()]


def _since(stopped_since: str, at_least: bool, lang: str) -> str:
    label = Period.parse(stopped_since).label(lang)
    return t("since_at_least" if at_least else "since", lang, period=label)


def _stopped_section(att: Attention, flt: Filter, lang: str) -> Section:
    frame = att.stopped

    def sentence(name: str, rows: int, _amount, short: bool) -> str:
        return t("attention_stopped_short" if short else "attention_stopped", lang, district=name,
                 n=fmt.number(rows, 0, lang))

    table = pd.DataFrame({
        t("col_name", lang): frame["name"], t("col_district", lang): frame["district_name"],
        t("col_commune", lang): frame["commune_name"],
        t("col_sector", lang): frame["sector_code"].map(lambda c: sector_name(c, "coop", lang)),
        t("col_stopped_periods", lang): frame["periods_stopped"],
        t("col_stopped_since", lang): [_since(since, at_least, lang)
                                       for since, at_least in zip(frame["stopped_since"], frame["at_least"], strict=True)],
    })
    return Section("stopped", t("attention_stopped_title", lang), t("attention_stopped_rule", lang, n=STOPPED_MIN_PERIODS),
                   _by_district(frame, flt, "hop_tac_xa", sentence), table)


def _loans_section(att: Attention, flt: Filter, lang: str) -> Section:
    frame = att.loans

    def sentence(name: str, rows: int, outstanding: float, short: bool) -> str:
        return t("attention_loans_short" if short else "attention_loans", lang, district=name,
                 n=fmt.number(rows, 0, lang), amount=fmt.number(outstanding, 0, lang))

    table = pd.DataFrame({
        t("col_name", lang): frame["name"], t("col_district", lang): frame["district_name"],
        t("col_disbursed", lang): frame["disbursed_on"].map(lambda d: fmt.day(d, lang)),
        t("col_amount", lang): frame["amount"], t("col_outstanding", lang): frame["outstanding"],
        t("col_last_paid", lang): frame["last_paid_on"].map(lambda d: fmt.day(d, lang) if d else t("never_paid", lang)),
        t("col_due_since", lang): frame["due_since"].map(lambda d: fmt.day(d, lang)),
        t("col_days_overdue", lang): frame["days_overdue"],
    })
    return Section("loans", t("attention_loans_title", lang),
                   t("attention_loans_rule", lang, grace=LOAN_GRACE_MONTHS, every=LOAN_INSTALMENT_MONTHS),
                   _by_district(frame, flt, "lien_minh", sentence, "outstanding"), table)


def _projects_section(att: Attention, flt: Filter, lang: str) -> Section:
    frame = att.projects
    lines = [Line(t("attention_project", lang, name=r["name"], district=r["district_name"],
                    status=label(PROJECT_STATUS_LABELS, r["status"], lang),
                    day=fmt.day(r["last_step_on"], lang), months=r["months_idle"]),
                  "lien_minh", _params(flt, district=[r["district_code"]]),
                  short=t("attention_project_short", lang, name=r["name"], district=r["district_name"]))
             for r in frame.to_dict("records")]
    table = pd.DataFrame({
        t("col_name", lang): frame["name"], t("col_district", lang): frame["district_name"],
        t("col_project_status", lang): frame["status"].map(lambda s: label(PROJECT_STATUS_LABELS, s, lang)),
        t("col_last_step", lang): frame["last_step_on"].map(lambda d: fmt.day(d, lang)),
        t("col_months_idle", lang): frame["months_idle"],
    })
    return Section("projects", t("attention_projects_title", lang), t("attention_projects_rule", lang, n=PROJECT_IDLE_MONTHS),
                   lines, table)


def sections(att: Attention, flt: Filter, lang: str) -> list[Section]:
    """The four lists, in SECTIONS order, each with its lines (linked) and its table."""
    targets = Section("targets", t("attention_targets_title", lang), t("attention_targets_rule", lang),
                      _target_lines(att, flt, lang), _targets_table(att, lang))
    return [targets, _stopped_section(att, flt, lang), _loans_section(att, flt, lang), _projects_section(att, flt, lang)]


def summary(att: Attention, lang: str) -> str:
    """One line: how many lines each list has ("11 chỉ tiêu chậm tiến độ · 90 HTX ngừng hoạt động …")."""
    counts = att.counts()
    return " · ".join(t(f"attention_count_{key}", lang, n=fmt.number(counts[key], 0, lang)) for key in SECTIONS)
