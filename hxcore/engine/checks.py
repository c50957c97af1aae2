"""Validation rules declared as data, run on the database and on published reports.

In the spirit of DHIS2's validation rules: each rule says which figures must agree and how
(parts sum to a total, a stated share is part ÷ total, a yearly figure is 12 × the monthly one,
an attainment is actual ÷ target, a change is the difference of two stocks, a printed figure is
the one the data gives). Every printed figure stands for an interval: "1,1%" for 1,05–1,15,
"hơn 900" for at least 901. A rule is violated when the interval it states and the interval it
computes do not meet. For each violation the checker says what each figure would have to be for
the rule to hold, and which single figure, changed, would satisfy every rule it takes part in.

A rule names its *form*; each form is one function registered in FORMS with `@form(name)`, which
turns the rule and the figures into checks. To add a rule of an existing form, add a Rule to
RULES; to add a new kind of rule, write one `@form("...")` function and give its name to the Rule.

The data's own figures (~92.000 on a national database) are held as evaluate()'s rows (FigureRows) and
made into Figs only when a check asks for one. failing_figures() makes only the checks that a form's
*screen*, computing every check of the data at once on those rows, finds may fail; check() makes them all.

A violation is kept as language-neutral parts (Violation: the figures by key, value and printed text,
the numbers found and needed, a note's TEXT key); written() makes its sentences in Vietnamese or
English from the templates of hxcore.model.texts, with the number writer it is given. check() writes
them in Vietnamese for the CLI and keeps the parts in `frame.attrs[VIOLATION_PARTS]`, by row, so
hxcore.present.violations can write them in the page's language.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Literal

import numpy as np
import pandas as pd
from babel.numbers import format_decimal
from sqlalchemy import Engine, func, select

from hxcore.db import schema
from hxcore.engine.compute import available_periods, evaluate, part_choices, parts_breakdown, provinces_of
from hxcore.model.areas import PROVINCE_CODE, is_province_code
from hxcore.model.catalog import INDICATORS_BY_CODE, IndicatorType, Time, is_additive, org_type_of
from hxcore.model.filters import Filter
from hxcore.model.labels import Labels, label
from hxcore.model.periods import Period
from hxcore.model.texts import TEXT, t
from hxcore.model.vocab import sector_label, sectors_of

# Units counted in whole things: "hơn 900 học viên" means at least 901.
COUNT_UNITS = {"HTX", "THT", "lớp", "học viên", "thành viên", "lao động", "người", "lượt", "dự án", "đơn vị", "liên hiệp",
               "mô hình"}


class CheckSource(StrEnum):
    """Where a figure comes from. Codes, written to the violations frame: what people read is SOURCE_LABELS."""

    REPORT = "report"  # printed in a published report
    DATA = "data"  # computed from the database
    TARGET = "target"  # a resolution target


SOURCE_LABELS: Labels = {
    CheckSource.REPORT: ("báo cáo", "report"),
    CheckSource.DATA: ("dữ liệu", "data"),
    CheckSource.TARGET: ("chỉ tiêu", "target"),
}
SOURCE_SEPARATOR = "+"  # between the codes of a violation's sources: "report+data"


def sources_code(sources: set[CheckSource]) -> str:
    """The violation's sources as one code, in declaration order: "report", "data" or "report+data"."""
    return SOURCE_SEPARATOR.join(source.value for source in CheckSource if source in sources)


def sources_label(code: str | None, lang: str = "vi") -> str:
    """What a reader sees for a sources code: "report+data" -> "báo cáo ↔ dữ liệu"."""
    if not isinstance(code, str) or not code:
        return ""
    return " ↔ ".join(label(SOURCE_LABELS, part, lang) for part in code.split(SOURCE_SEPARATOR))


@dataclass(frozen=True)
class Rule:
    code: str
    form: str  # the name of the function in FORMS that turns this rule into checks
    label_vi: str
    total: str | None = None  # the stated figure's indicator (None: every figure of the aspect)
    parts: tuple[str, ...] = ()  # indicators on the other side, at the same scope
    over: str | None = None  # "sector" | "district": the parts are the total's breakdown
    aspect: str = "value"  # the stated figure's aspect
    factor: float = 1.0
    sources: tuple[CheckSource, ...] = (CheckSource.REPORT, CheckSource.DATA)  # which figure sets the rule is run on

    def name(self, lang: str = "vi") -> str:
        """The rule in the page's language (RULE_LABELS_EN holds the English)."""
        return RULE_LABELS_EN[self.code] if lang == "en" else self.label_vi


ADDITIVE = frozenset(code for code, ind in INDICATORS_BY_CODE.items() if is_additive(ind))

RULES: tuple[Rule, ...] = (
    Rule("sectors_sum", "breakdown", "Các lĩnh vực cộng lại bằng tổng số", over="sector"),
    Rule("districts_sum", "breakdown", "Các huyện, thành phố cộng lại bằng toàn tỉnh", over="district"),
    Rule("operating_plus_stopped", "sum", "HTX đang hoạt động + ngừng hoạt động = tổng số HTX", "coops_total",
         ("coops_operating", "coops_inactive")),
    Rule("members_plus_workers", "sum", "Thành viên + lao động HTX = thành viên và lao động", "coop_members_workers",
         ("coop_members", "coop_workers")),
    Rule("stated_share", "share", "Tỷ lệ ghi = phần ÷ tổng × 100", aspect="share", factor=100),
    Rule("alliance_rate", "product", "Tỷ lệ HTX tham gia Liên minh = HTX thành viên ÷ HTX đang hoạt động × 100",
         "coops_alliance_share", ("coops_alliance_members", "coops_operating"), factor=100),
    Rule("effective_rate", "product", "Tỷ lệ HTX hiệu quả = HTX Tốt, Khá ÷ HTX đang hoạt động × 100",
         "coops_effective_share", ("coops_effective", "coops_operating"), factor=100),
    Rule("coop_income_year", "product", "Thu nhập năm = thu nhập tháng × 12 (HTX)", "coop_avg_income_year",
         ("coop_avg_income",), factor=12),
    Rule("group_income_year", "product", "Thu nhập năm = thu nhập tháng × 12 (THT)", "group_avg_income_year",
         ("group_avg_income",), factor=12),
    Rule("attainment", "attainment", "Mức đạt = thực hiện ÷ chỉ tiêu × 100", aspect="attainment", factor=100),
    Rule("change", "difference", "Tăng, giảm = số cuối kỳ − số cuối năm trước", aspect="change"),
    Rule("repeated", "repeated", "Một số liệu in nhiều lần phải như nhau", sources=(CheckSource.REPORT,)),
    Rule("matches_data", "matches_data", "Số trong báo cáo khớp số tính từ dữ liệu", sources=(CheckSource.REPORT,)),
    Rule("percent_sign", "percent_sign", "Tỷ lệ và mức đạt được ghi kèm dấu %", sources=(CheckSource.REPORT,)),
)
RULES_BY_CODE = {r.code: r for r in RULES}
RULE_LABELS_EN: dict[str, str] = {
    "sectors_sum": "The sectors add up to the total",
    "districts_sum": "The districts add up to the province",
    "operating_plus_stopped": "Operating + stopped cooperatives = all cooperatives",
    "members_plus_workers": "Cooperative members + workers = members and workers",
    "stated_share": "A stated share = part ÷ total × 100",
    "alliance_rate": "Share in the alliance = member cooperatives ÷ operating cooperatives × 100",
    "effective_rate": "Share of effective cooperatives = Good or Fair ÷ operating cooperatives × 100",
    "coop_income_year": "Yearly income = monthly income × 12 (cooperatives)",
    "group_income_year": "Yearly income = monthly income × 12 (groups)",
    "attainment": "Attainment = actual ÷ target × 100",
    "change": "Change = end-of-period figure − previous year-end figure",
    "repeated": "A figure printed several times is the same each time",
    "matches_data": "A figure of the report matches the figure computed from the data",
    "percent_sign": "Rates and attainments are printed with a % sign",
}


# --- figures as intervals ---------------------------------------------------------------------

Key = tuple[str, str, str | None, str | None]  # indicator, aspect, sector, district


@dataclass(frozen=True)
class Fig:
    key: Key
    value: float
    lo: float
    hi: float
    source: CheckSource
    printed: str = ""  # as the report printed it ("hơn 900", "22,695 tỷ"); "" for a computed figure or a target
    sentence: str = ""


_NUMBER = re.compile(r"\d[\d.,]*\d|\d")


def _printed_number(token: str) -> tuple[float, int]:
    """A number as Vietnamese prints it, and its decimals: "1.056,714" -> (1056.714, 3)."""
    return float(token.replace(".", "").replace(",", ".")), len(token.split(",")[1]) if "," in token else 0


def printed_interval(value: float, printed: str, unit: str) -> tuple[float, float]:
    """The values a printed figure can stand for: rounding to its last digit, "hơn"/"trên" as a lower bound."""
    match = _NUMBER.search(printed or "")
    if not match:
        return value, value
    shown, decimals = _printed_number(match.group())
    scale = value / shown if shown else 1.0  # "22,695 tỷ" stands for 22.695 triệu đồng
    half = 0.5 * 10 ** -decimals * abs(scale)
    words = printed.lower()
    if re.search(r"\b(hơn|trên)\b", words):
        low = value + 1 if unit in COUNT_UNITS and float(value).is_integer() else value
        return low, math.inf
    if re.search(r"\b(dưới|chưa đến)\b", words):
        return -math.inf, value
    return value - half, value + half


def _exact(value: float) -> tuple[float, float]:
    eps = 1e-9 * max(1.0, abs(value))
    return value - eps, value + eps


def _computed(key: Key, value: float) -> Fig:
    """A figure computed from the data: exact up to floating-point noise."""
    return Fig(key, value, *_exact(value), CheckSource.DATA)


def report_figures(engine: Engine, report: str) -> tuple[dict[Key, Fig], list[list[Fig]], str]:
    """The report's figures by key, every repeated printing, and the report's period."""
    p = schema.published_figures
    with engine.connect() as conn:
        rows = conn.execute(select(p).where(p.c.report == report).order_by(p.c.id)).mappings().all()
    figures: dict[Key, Fig] = {}
    repeats: dict[Key, list[Fig]] = {}
    period = rows[0]["period"] if rows else ""
    for row in rows:
        if not row["indicator"]:
            continue
        key = (row["indicator"], row["aspect"], row["sector_code"], row["district_code"])
        lo, hi = printed_interval(row["value"], row["printed"], row["unit"])
        fig = Fig(key, row["value"], lo, hi, CheckSource.REPORT, row["printed"], row["sentence"])
        figures.setdefault(key, fig)
        repeats.setdefault(key, []).append(fig)
    return figures, [figs for figs in repeats.values() if len(figs) > 1], period


def _named(codes: pd.Series) -> np.ndarray:
    """Which evaluated rows name their sector or district (a code: text, not empty)."""
    if pd.api.types.is_string_dtype(codes):  # text or missing: compared at once
        return (codes.notna() & codes.ne("")).to_numpy(dtype=bool)
    return codes.map(lambda code: isinstance(code, str) and code != "").to_numpy(dtype=bool)


Scope = tuple[str | None, str | None]  # sector, district: (None, None) is the whole
WHOLE = 0  # FigureRows' scope code of the whole
# evaluate()'s column of each aspect a row holds; "previous" is the stock a year-end earlier
ROW_ASPECTS = {"value": "value", "share": "share", "change": "change", "previous": "previous_value"}


class FigureRows:
    """The rows evaluate() gives for the data's figures: one per indicator and scope (the whole, a sector, a
    district), in evaluate()'s order (whole, sectors, districts), each holding a number per aspect (NaN: no
    such figure) with its interval (_exact). A national database has ~33.000 rows and ~92.000 figures, and
    nearly every check of them holds: a Fig is made only when a check asks for one, and once (checks tell
    figures apart by identity).

    `cell[indicator, scope]` is the row of an indicator at a scope (-1: none); the last scope column stands
    for every scope not evaluated, and the arrays' last element, read at row -1, is NaN."""

    def __init__(self, frames: list[tuple[str | None, pd.DataFrame]]):
        """frames: evaluate()'s result by None (the whole), "sector" and "district", in this order."""
        self.scopes: list[Scope] = [(None, None)]  # WHOLE, then each sector and district as first met
        indicators, scopes, numbers = [], [], {aspect: [] for aspect in ROW_ASPECTS}
        for by, frame in frames:
            if by is None:
                kept = np.ones(len(frame), dtype=bool)
                scopes.append(np.full(len(frame), WHOLE))
            else:  # a breakdown's rows without their sector or district are left out
                kept = _named(frame[by])
                found, names = pd.factorize(frame[by][kept])
                scopes.append(found + len(self.scopes))
                self.scopes += [(name, None) if by == "sector" else (None, name) for name in names]
            indicators.append(frame["indicator"][kept])
            for aspect, column in ROW_ASPECTS.items():
                whole_share = by is None and aspect == "share"  # the whole is no share of itself
                numbers[aspect].append(np.full(kept.sum(), np.nan) if whole_share
                                       else frame[column].to_numpy(dtype=float, na_value=np.nan)[kept])
        found, names = pd.factorize(pd.concat(indicators, ignore_index=True))
        self.indicators: list[str] = list(names)
        self.indicator = found  # each row's, as a position in self.indicators
        self.scope = np.concatenate(scopes)  # each row's, as a position in self.scopes
        self.indicator_index = {code: i for i, code in enumerate(self.indicators)}
        self.scope_index = {scope: i for i, scope in enumerate(self.scopes)}
        self.cell = np.full((len(self.indicators), len(self.scopes) + 1), -1)
        self.cell[self.indicator, self.scope] = np.arange(len(self.scope))
        if (self.cell >= 0).sum() != len(self.scope):
            raise ValueError("evaluate() gave two rows for one indicator and scope")
        self.value, self.lo, self.hi = {}, {}, {}
        for aspect, parts in numbers.items():
            value = np.append(np.concatenate(parts), np.nan)
            eps = 1e-9 * np.maximum(1.0, np.abs(value))  # _exact(), for every figure at once
            with np.errstate(invalid="ignore"):  # ∞ - ∞ is NaN, as _exact() gives it
                self.value[aspect], self.lo[aspect], self.hi[aspect] = value, value - eps, value + eps
        self._figs: dict[tuple[int, str], Fig] = {}

    def __len__(self) -> int:
        return len(self.scope)

    def row(self, indicator: str, sector: str | None, district: str | None) -> int:
        """The row of an indicator at a scope, -1 for none."""
        i, s = self.indicator_index.get(indicator), self.scope_index.get((sector, district))
        return -1 if i is None or s is None else int(self.cell[i, s])

    def at(self, indicator: str, scopes: np.ndarray) -> np.ndarray:
        """The rows of an indicator at each of the scope codes (-1 where it has none)."""
        i = self.indicator_index.get(indicator)
        return np.full(len(scopes), -1) if i is None else self.cell[i, scopes]

    def scope_codes(self, scopes: list[Scope]) -> np.ndarray:
        """The codes of the scopes, the column of no rows for one not evaluated."""
        return np.array([self.scope_index.get(scope, len(self.scopes)) for scope in scopes], dtype=int)

    def has(self, aspect: str, rows: np.ndarray | None = None) -> np.ndarray:
        """Whether each row (every row by default) holds a figure of the aspect."""
        value = self.value[aspect][:-1] if rows is None else self.value[aspect][rows]
        return ~np.isnan(value)

    def holding(self, aspect: str, indicator: str | None = None) -> np.ndarray:
        """The rows holding a figure of the aspect (of one indicator if given), in order."""
        held = self.has(aspect)
        if indicator is not None:
            held &= self.indicator == self.indicator_index.get(indicator, -1)
        return np.flatnonzero(held)

    def key(self, row: int, aspect: str) -> Key:
        return (self.indicators[self.indicator[row]], aspect, *self.scopes[self.scope[row]])

    def keys(self, rows: np.ndarray, aspect: str) -> list[Key]:
        """The keys of the rows' figures of the aspect, in the rows' order."""
        return [self.key(row, aspect) for row in np.sort(rows)]

    def fig(self, row: int, aspect: str) -> Fig:
        """The row's figure of the aspect, made once."""
        fig = self._figs.get((row, aspect))
        if fig is None:
            fig = self._figs[row, aspect] = Fig(self.key(row, aspect), float(self.value[aspect][row]),
                                                float(self.lo[aspect][row]), float(self.hi[aspect][row]), CheckSource.DATA)
        return fig


class DataFigures(Mapping[Key, Fig]):
    """The data's figures of some aspects, by key, in the rows' order (each row's aspects in the order given),
    read from FigureRows; then figures computed from them here (attainments), added with add()."""

    def __init__(self, rows: FigureRows, aspects: tuple[str, ...]):
        self.rows, self.aspects = rows, aspects
        self.added: dict[Key, Fig] = {}

    def get(self, key: Key, default: Fig | None = None) -> Fig | None:
        if key in self.added:
            return self.added[key]
        indicator, aspect, sector, district = key
        row = self.rows.row(indicator, sector, district) if aspect in self.aspects else -1
        return self.rows.fig(row, aspect) if row >= 0 and self.rows.has(aspect, row) else default

    def __getitem__(self, key: Key) -> Fig:
        fig = self.get(key)
        if fig is None:
            raise KeyError(key)
        return fig

    def __contains__(self, key: object) -> bool:
        return isinstance(key, tuple) and len(key) == 4 and self.get(key) is not None

    def __iter__(self) -> Iterator[Key]:
        held = [self.rows.has(aspect) for aspect in self.aspects]
        for row in range(len(self.rows)):
            yield from (self.rows.key(row, aspect) for aspect, has in zip(self.aspects, held, strict=True) if has[row])
        yield from self.added

    def __len__(self) -> int:
        return sum(int(self.rows.has(aspect).sum()) for aspect in self.aspects) + len(self.added)

    def keys_of(self, aspect: str, indicator: str | None = None) -> list[Key]:
        """The keys of the figures of one aspect (and indicator), in order, without making their Figs."""
        rows = self.rows.holding(aspect, indicator) if aspect in self.aspects else []
        return [*(self.rows.key(row, aspect) for row in rows),
                *(key for key in self.added if key[1] == aspect and indicator in (None, key[0]))]

    def scopes(self) -> list[Scope]:
        """The scopes of the figures, in the order they first come."""
        held = np.logical_or.reduce([self.rows.has(aspect) for aspect in self.aspects])
        return list(dict.fromkeys([*(self.rows.scopes[code] for code in pd.unique(self.rows.scope[held])),
                                   *((key[2], key[3]) for key in self.added)]))

    def add(self, fig: Fig) -> None:
        """A figure computed here, of an aspect the rows do not hold (the screens read only the rows)."""
        if fig.key[1] in ROW_ASPECTS:
            raise ValueError(f"{fig.key}: the rows hold the figures of this aspect")
        self.added[fig.key] = fig


def report_province(engine: Engine, report: str) -> str | None:
    """The province a published report speaks of, on a database of several provinces (None: the whole
    database is its area, as on a database of one province).

    The province its districts belong to (areas.province_code, or a district's parent); none named
    (published_figures has no province column), the alliance's own province (PROVINCE_CODE), whose
    reports the table holds. A report naming districts of several provinces is the whole database's.
    """
    p, a = schema.published_figures, schema.areas
    with engine.connect() as conn:
        provinces = set(conn.execute(select(a.c.code).where(a.c.level == "province")).scalars())
        if len(provinces) < 2:
            return None
        named = conn.execute(select(p.c.district_code).distinct()
                             .where(p.c.report == report, p.c.district_code.is_not(None))).scalars().all()
    found = provinces_of(engine, named)
    if found:
        return found.pop() if len(found) == 1 else None
    return PROVINCE_CODE if PROVINCE_CODE in provinces else None


def data_frames(engine: Engine, period: str, province: str | None = None) -> dict[str | None, pd.DataFrame]:
    """evaluate()'s results the data's figures are read from, by None (the whole), "sector" and the
    parts (compute.parts_breakdown), in this order: of one province, or (None) of the whole database."""
    flt = Filter(period, province=province)
    return {by: evaluate(engine, flt, by=by) for by in (None, "sector", parts_breakdown(engine, province))}


def parts_of(frames: dict[str | None, pd.DataFrame]) -> str:
    """The breakdown of data_frames()' parts: "district", or "province" for the whole of a database of several."""
    return next(by for by in frames if by not in (None, "sector"))


def data_figures(engine: Engine, period: str, province: str | None = None,
                 frames: dict[str | None, pd.DataFrame] | None = None) -> tuple[DataFigures, DataFigures]:
    """Figures computed from the database at the period's end, and the stocks a year-end earlier: of one
    province (its whole, its sectors, its districts), or (None) of the whole database (its whole, its
    sectors and, on a database of several provinces, its provinces in the district's place). `frames`:
    data_frames() of the same, when the caller has them already."""
    rows = FigureRows(list((frames or data_frames(engine, period, province)).items()))
    return DataFigures(rows, ("value", "share", "change")), DataFigures(rows, ("previous",))


def target_figures(engine: Engine, year: int, province: str | None = None) -> dict[Key, Fig]:
    """The year's targets: of the resolutions adopted for `province`, or (None) every one."""
    targets, resolutions = schema.targets, schema.resolutions
    statement = select(targets).where(targets.c.year == year)
    if province:
        statement = (statement.join(resolutions, targets.c.resolution_code == resolutions.c.code)
                     .where(resolutions.c.province_code == province))
    with engine.connect() as conn:
        rows = conn.execute(statement).mappings().all()
    out = {}
    for row in rows:
        key = (row["indicator"], "target", row["sector_code"], None)
        out[key] = Fig(key, row["value"], *_exact(row["value"]), CheckSource.TARGET, sentence=row["wording"])
    return out


# --- interval arithmetic ----------------------------------------------------------------------

def _clean(lo: float, hi: float) -> tuple[float, float]:
    lo = -math.inf if math.isnan(lo) else lo
    hi = math.inf if math.isnan(hi) else hi
    return lo, hi


def _sum(terms: list[tuple[Fig, int]]) -> tuple[float, float, float]:
    lo = sum(f.lo if s > 0 else -f.hi for f, s in terms)
    hi = sum(f.hi if s > 0 else -f.lo for f, s in terms)
    return (*_clean(lo, hi), sum(f.value * s for f, s in terms))


def _div(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    if b[0] <= 0 <= b[1]:
        return -math.inf, math.inf
    values = [x / y for x in a for y in b if not (math.isinf(x) and math.isinf(y))]
    return (min(values), max(values)) if values else (-math.inf, math.inf)


def _meet(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


# --- a violation: language-neutral parts, written in either language -------------------------

VIOLATION_COLUMNS = ["rule", "rule_label", "source", "report", "period", "indicator", "aspect", "sector", "district",
                     "stated", "computed", "difference", "figures", "reconcile", "note", "sentence"]
WRITTEN_COLUMNS = ("stated", "computed", "figures", "reconcile", "note", "suspect")  # what written() makes
VIOLATION_PARTS = "violation_parts"  # check()'s frame.attrs key: {row index: Violation}


@dataclass(frozen=True)
class Violation:
    """A violated check as parts in no language: its figures (key, source, value, what the report printed),
    the numbers computed and needed, a note as a TEXT key and its values; written() makes the sentences."""

    stated: Fig
    figures: tuple[Fig, ...]  # every figure the check takes, the stated one first
    computed: tuple[float, float, float] | None  # (low, high, value) the others give; None: a rule on how it is printed
    reconcile: tuple[tuple[Fig, float], ...] = ()  # each figure (targets excepted) and the value it would need
    note: str = ""  # a TEXT key ("check_note_..."), "" for none; a note that is no key is shown as it is
    note_values: tuple[tuple[str, int], ...] = ()
    suspects: tuple[tuple[Fig, float, int], ...] = ()  # (figure, the value it would take, violations that fixes)


Number = Callable[[float, str, int | None], str]  # (value, lang, decimals; None: up to two, no trailing zeros)


def babel_number(value: float, lang: str = "vi", decimals: int | None = None) -> str:
    """The engine's own number writer (Babel), for check()'s Vietnamese: 1.056.714 · 4,38; the page's
    is hxcore.present.fmt's (hxcore.present.violations), and writes the same."""
    pattern = "#,##0" + (".##" if decimals is None else "." + "0" * decimals if decimals else "")
    return format_decimal(round(value, 2 if decimals is None else decimals), format=pattern, locale=lang)


# The words a report prints around its figures, in the order they are replaced ("hơn 900" -> "more than 900").
PRINTED_WORDS = ("check_word_less_than", "check_word_more_than", "check_word_over", "check_word_under",
                 "check_word_about", "check_word_billion", "check_word_million", "check_word_thousand")
FIGURE_ASPECTS = {aspect: f"check_fig_{aspect}" for aspect in ("share", "attainment", "change", "target", "previous")}


class _Writer:
    """A violation's sentences in one language: the templates of hxcore.model.texts, numbers by `number`."""

    def __init__(self, lang: str, number: Number):
        self.lang, self.number = lang, number

    def num(self, value: float | None, decimals: int | None = None) -> str:
        if value is None or math.isnan(value):
            return "–"
        if math.isinf(value):
            return "∞"
        return self.number(value, self.lang, decimals)

    def printed(self, text: str) -> str:
        """What the report printed, read in the writer's language: numbers in its notation, its words translated."""
        if self.lang == "vi":
            return text
        text = _NUMBER.sub(lambda m: self.num(*_printed_number(m.group())), text)
        for key in PRINTED_WORDS:
            text = re.sub(rf"(?<!\w){re.escape(t(key, 'vi'))}(?!\w)", t(key, self.lang), text, flags=re.IGNORECASE)
        return text

    def name(self, fig: Fig) -> str:
        """"Vốn điều lệ HTX (tỷ lệ trong tổng), Vận tải" / "Cooperative charter capital (share of the total), Transport"."""
        indicator, aspect, sector, district = fig.key
        ind = INDICATORS_BY_CODE.get(indicator)
        text = (ind.label_en if self.lang == "en" else ind.label_vi) if ind else indicator
        if aspect in FIGURE_ASPECTS:
            text = t(FIGURE_ASPECTS[aspect], self.lang, figure=text)
        if sector:
            text = t("check_fig_sector", self.lang, figure=text, sector=sector_label(sector, self.lang))
        if district:  # a whole country's parts are its provinces (compute.parts_breakdown)
            key = "check_fig_province" if is_province_code(district) else "check_fig_district"
            text = t(key, self.lang, figure=text, district=district)
        return text

    def shown(self, fig: Fig) -> str:
        """The figure as printed, or written out when it was computed."""
        return self.printed(fig.printed) if fig.printed else self.num(fig.value)

    def source(self, fig: Fig) -> str:
        return label(SOURCE_LABELS, fig.source, self.lang)

    def named(self, fig: Fig) -> str:
        """"Tổng số HTX (báo cáo)": the figure and where it comes from."""
        return f"{self.name(fig)} ({self.source(fig)})"

    def described(self, fig: Fig) -> str:
        return f"{self.name(fig)} = {self.shown(fig)} ({self.source(fig)})"

    def note(self, v: Violation) -> str:
        return t(v.note, self.lang, **dict(v.note_values)) if v.note in TEXT else v.note

    def suspect(self, fig: Fig, point: float, fixed: int) -> str:
        return t("check_suspect_one" if fixed == 1 else "check_suspect", self.lang, figure=self.named(fig),
                 shown=self.shown(fig), value=self.num(point), n=fixed)

    def columns(self, v: Violation) -> dict[str, str]:
        suspect = "; ".join(self.suspect(*found) for found in v.suspects)
        if v.computed is None:  # the figure lacks its % sign
            printed = self.printed(v.stated.printed)
            return {"stated": printed, "computed": printed + "%", "figures": self.described(v.stated),
                    "reconcile": t("check_reconcile_percent", self.lang, figure=self.name(v.stated), printed=printed),
                    "note": self.note(v), "suspect": suspect}
        lo, hi, value = v.computed
        narrow = math.isfinite(lo) and math.isfinite(hi) and hi - lo <= 0.01 * max(1.0, abs(value))
        computed = self.num(value) if narrow else t("check_computed_range", self.lang, value=self.num(value),
                                                     low=self.num(lo), high=self.num(hi))
        reconcile = (t("check_reconcile", self.lang, figure=self.named(fig), needed=self.num(needed),
                       shown=self.shown(fig)) for fig, needed in v.reconcile)
        return {"stated": self.shown(v.stated), "computed": computed,
                "figures": "; ".join(self.described(f) for f in v.figures), "reconcile": " | ".join(reconcile),
                "note": self.note(v), "suspect": suspect}


def written(violation: Violation, lang: str = "vi", number: Number = babel_number) -> dict[str, str]:
    """The violation's sentences (WRITTEN_COLUMNS) in `lang`: what was stated and computed, the figures, how
    to reconcile them, the note, the figures to review."""
    return _Writer(lang, number).columns(violation)


# --- checks: one rule applied to one set of figures ------------------------------------------


@dataclass
class Check:
    """Arithmetic between figures: stated = Σ sign·term, or stated = factor × numerator ÷ denominator."""

    rule: Rule
    stated: Fig
    shape: Literal["sum", "product", "difference", "equal"]
    terms: list[tuple[Fig, int]] = field(default_factory=list)  # sum/difference/equal: stated = Σ sign·term
    numerator: Fig | None = None  # product: stated = factor × numerator ÷ denominator
    denominator: Fig | None = None
    note: str = ""  # a TEXT key ("check_note_..."), "" for none
    note_values: tuple[tuple[str, int], ...] = ()

    @property
    def figures(self) -> list[Fig]:
        if self.shape != "product":
            return [self.stated, *(f for f, _ in self.terms)]
        return [self.stated, *(f for f in (self.numerator, self.denominator) if f)]

    def computed(self) -> tuple[float, float, float]:
        if self.shape != "product":
            return _sum(self.terms)
        den = (self.denominator.lo, self.denominator.hi) if self.denominator else (1.0, 1.0)
        den_value = self.denominator.value if self.denominator else 1.0
        lo, hi = _div((self.numerator.lo, self.numerator.hi), den)
        value = self.numerator.value / den_value if den_value else math.nan
        return lo * self.rule.factor, hi * self.rule.factor, value * self.rule.factor

    def holds(self) -> bool:
        lo, hi, _ = self.computed()
        return _meet((self.stated.lo, self.stated.hi), (lo, hi))

    def needed(self, fig: Fig) -> tuple[float, float, float]:
        """The interval (and point) `fig` must lie in for this check to hold, the others as they are."""
        if fig is self.stated:
            return self.computed()
        if self.shape != "product":
            return self._needed_term(fig)
        if fig is self.numerator:
            return self._needed_numerator()
        return self._needed_denominator()

    def _needed_term(self, fig: Fig) -> tuple[float, float, float]:
        s = (self.stated.lo, self.stated.hi)
        sign = next(sg for f, sg in self.terms if f is fig)
        rest = [(f, sg) for f, sg in self.terms if f is not fig]
        lo, hi, value = _sum(rest) if rest else (0.0, 0.0, 0.0)
        a = (s[0] - hi, s[1] - lo)
        point = self.stated.value - value
        return (*_clean(*a), point) if sign > 0 else (*_clean(-a[1], -a[0]), -point)

    def _needed_numerator(self) -> tuple[float, float, float]:
        s, k, den = (self.stated.lo, self.stated.hi), self.rule.factor, self.denominator
        d = (den.lo, den.hi) if den else (1.0, 1.0)
        lo, hi = min(s[0] * d[0], s[0] * d[1]) / k, max(s[1] * d[0], s[1] * d[1]) / k
        return *_clean(lo, hi), self.stated.value * (den.value if den else 1.0) / k

    def _needed_denominator(self) -> tuple[float, float, float]:
        s, k = (self.stated.lo, self.stated.hi), self.rule.factor
        lo, hi = _div((self.numerator.lo * k, self.numerator.hi * k), s)
        point = k * self.numerator.value / self.stated.value if self.stated.value else math.nan
        return lo, hi, point

    def violation(self, report: str, period: str) -> dict:
        """The violation as a row of the result: what was stated, what the others give, how to reconcile them
        (its parts under "_parts", written out in Vietnamese)."""
        lo, hi, value = self.computed()
        indicator, aspect, sector, district = self.stated.key
        shown = [fig for fig in self.figures if fig.source != CheckSource.TARGET]
        parts = Violation(self.stated, tuple(self.figures), (lo, hi, value),
                          tuple((fig, self.needed(fig)[2]) for fig in shown), self.note, self.note_values)
        sentences = (f.sentence for f in self.figures if f.sentence and f.source == CheckSource.REPORT)
        return {
            "rule": self.rule.code, "rule_label": self.rule.label_vi,
            "source": sources_code({fig.source for fig in shown}), "report": report, "period": period,
            "indicator": indicator, "aspect": aspect, "sector": sector, "district": district,
            "difference": self.stated.value - value if math.isfinite(value) else None,
            "sentence": " / ".join(dict.fromkeys(sentences)),
            **written(parts), "_parts": parts, "_check": self,
        }


@dataclass
class SignCheck:
    """A printed rate or attainment must carry its % sign: a rule on how a figure is written, not arithmetic."""

    rule: Rule
    stated: Fig

    def holds(self) -> bool:
        return "%" in self.stated.printed

    def violation(self, report: str, period: str) -> dict:
        fig = self.stated
        indicator, aspect, sector, district = fig.key
        parts = Violation(fig, (fig,), None, note="check_note_no_percent")
        return {"rule": self.rule.code, "rule_label": self.rule.label_vi, "source": sources_code({fig.source}),
                "report": report, "period": period, "indicator": indicator, "aspect": aspect, "sector": sector,
                "district": district, "difference": None, "sentence": fig.sentence,
                **written(parts), "_parts": parts, "_check": None}


@dataclass
class Figures:
    """What the rules run on: the stated figures (a report's, or the data's) and what forms compare them with."""

    source: CheckSource  # where the stated figures come from
    period: str
    stated: Mapping[Key, Fig]
    data: Mapping[Key, Fig]  # computed from the database (DataFigures), with attainment of the targets
    previous: Mapping[Key, Fig]  # the data's stocks a year-end earlier
    targets: dict[Key, Fig]
    repeats: list[list[Fig]] = field(default_factory=list)  # figures the report prints more than once
    # (code, name) of the province's districts; of the provinces, for the whole of a database of several
    districts: list[tuple[str, str]] = field(default_factory=list)
    # The stated figures whose checks are wanted, in order (None: all): those a screen could not clear.
    focus: dict[Key, None] | None = None

    def pick(self, indicator: str, aspect: str, sector: str | None, district: str | None) -> Fig | None:
        return self.stated.get((indicator, aspect, sector, district))

    def wanted(self, key: Key) -> bool:
        """Whether the checks stating this figure are wanted."""
        return self.focus is None or key in self.focus

    def of(self, rule: Rule) -> list[Fig]:
        """The stated figures (in focus) the rule speaks of: its aspect, and its indicator if it names one."""
        if self.focus is None and not isinstance(self.stated, DataFigures):
            return [f for f in self.stated.values() if f.key[1] == rule.aspect and (rule.total is None or f.key[0] == rule.total)]
        keys = self.stated.keys_of(rule.aspect, rule.total) if self.focus is None else self.focus
        return [self.stated[k] for k in keys if k[1] == rule.aspect and (rule.total is None or k[0] == rule.total)]

    def scopes(self) -> list[Scope]:
        """The scopes of the stated figures, in the order they are first stated."""
        if isinstance(self.stated, DataFigures):
            return self.stated.scopes()
        return list(dict.fromkeys((f.key[2], f.key[3]) for f in self.stated.values()))


# --- forms: one registered function per kind of rule ------------------------------------------

AnyCheck = Check | SignCheck
FormFunction = Callable[[Rule, Figures], list[AnyCheck]]
FORMS: dict[str, FormFunction] = {}


def _registrar(registry: dict, what: str) -> Callable[[str], Callable]:
    """A decorator factory that registers a function under a name in `registry`, once."""

    def named(name: str) -> Callable:
        def register(function):
            if name in registry:
                raise ValueError(f"{what} '{name}' is already registered ({registry[name].__name__})")
            registry[name] = function
            return function

        return register

    return named


# @form(name): the function that turns a rule of this form, and the figures, into checks.
form = _registrar(FORMS, "form")


def _sector_scopes(figs: Figures, indicator: str) -> list[Scope]:
    org_type = org_type_of(INDICATORS_BY_CODE[indicator])
    return [(s.code, None) for s in sectors_of(org_type)] if org_type else []


def _district_scopes(figs: Figures, indicator: str) -> list[Scope]:
    return [(None, code) for code, _ in figs.districts]


# The scopes of a total's parts, by the breakdown a rule names (Rule.over).
BREAKDOWNS: dict[str, Callable[[Figures, str], list[Scope]]] = {"sector": _sector_scopes, "district": _district_scopes}


def _breakdown_check(rule: Rule, total: Fig, parts: list[Fig | None]) -> Check | None:
    """Every part printed: they add up to the total. Some missing: only if the known ones already exceed it."""
    present = [p for p in parts if p]
    if not present:
        return None
    if len(present) == len(parts):
        return Check(rule, total, "sum", [(p, 1) for p in present])
    if sum(p.lo for p in present) > total.hi:
        return Check(rule, total, "sum", [(p, 1) for p in present], note="check_note_partial",
                     note_values=(("present", len(present)), ("total", len(parts))))
    return None


@form("breakdown")
def _breakdown(rule: Rule, figs: Figures) -> list[AnyCheck]:
    """An additive total is the sum of its breakdown by sector or by district (rule.over)."""
    checks = []
    for fig in figs.of(rule):
        indicator, _, sector, district = fig.key
        if indicator not in ADDITIVE or sector or district:
            continue
        parts = [figs.pick(indicator, "value", *scope) for scope in BREAKDOWNS[rule.over](figs, indicator)]
        found = _breakdown_check(rule, fig, parts)
        if found:
            checks.append(found)
    return checks


@form("sum")
def _sum_of_parts(rule: Rule, figs: Figures) -> list[AnyCheck]:
    """rule.total = Σ rule.parts, at every scope where all are stated (scopes in the order they are first stated)."""
    checks = []
    for sector, district in figs.scopes():
        if not figs.wanted((rule.total, "value", sector, district)):
            continue
        total = figs.pick(rule.total, "value", sector, district)
        parts = [figs.pick(code, "value", sector, district) for code in rule.parts]
        if total and all(parts):
            checks.append(Check(rule, total, "sum", [(p, 1) for p in parts]))
    return checks


@form("share")
def _share(rule: Rule, figs: Figures) -> list[AnyCheck]:
    """A sector's or district's stated share = its value ÷ the whole's × factor."""
    checks = []
    for fig in figs.of(rule):
        indicator, _, sector, district = fig.key
        part = figs.pick(indicator, "value", sector, district)
        whole = figs.pick(indicator, "value", None, None)
        if part and whole and (sector or district):
            checks.append(Check(rule, fig, "product", numerator=part, denominator=whole))
    return checks


@form("product")
def _product(rule: Rule, figs: Figures) -> list[AnyCheck]:
    """rule.total = factor × parts[0] (÷ parts[1]) at the same scope."""
    checks = []
    for fig in figs.of(rule):
        _, _, sector, district = fig.key
        parts = [figs.pick(code, "value", sector, district) for code in rule.parts]
        if all(parts):
            checks.append(Check(rule, fig, "product", numerator=parts[0], denominator=parts[1] if len(parts) > 1 else None))
    return checks


def _attainment_note(fig: Fig, actual: Fig) -> str:
    indicator = fig.key[0]
    if (fig.source == CheckSource.REPORT and actual.printed and fig.value == actual.value
            and INDICATORS_BY_CODE[indicator].unit == "%"):
        return "check_note_rate_as_attainment"
    return ""


@form("attainment")
def _attainment(rule: Rule, figs: Figures) -> list[AnyCheck]:
    """A stated attainment = actual ÷ the year's target × factor (province or sector)."""
    checks = []
    for fig in figs.of(rule):
        indicator, _, sector, district = fig.key
        actual = figs.pick(indicator, "value", sector, district)
        target = figs.targets.get((indicator, "target", sector, None))
        if actual and target and not district:
            checks.append(Check(rule, fig, "product", numerator=actual, denominator=target, note=_attainment_note(fig, actual)))
    return checks


@form("difference")
def _difference(rule: Rule, figs: Figures) -> list[AnyCheck]:
    """A stated change = the stock at the period's end − the stock a year-end earlier (flows of simple counts excepted)."""
    checks = []
    for fig in figs.of(rule):
        indicator, _, sector, district = fig.key
        ind = INDICATORS_BY_CODE.get(indicator)
        if ind is None or (ind.type == IndicatorType.SIMPLE and ind.time == Time.FLOW):
            continue
        now = figs.pick(indicator, "value", sector, district) or figs.data.get((indicator, "value", sector, district))
        before = figs.previous.get((indicator, "previous", sector, district))
        if now and before:
            checks.append(Check(rule, fig, "difference", [(now, 1), (before, -1)]))
    return checks


@form("repeated")
def _repeated(rule: Rule, figs: Figures) -> list[AnyCheck]:
    """Every later printing of a figure equals its first."""
    return [Check(rule, group[0], "equal", [(other, 1)]) for group in figs.repeats for other in group[1:]]


@form("matches_data")
def _matches_data(rule: Rule, figs: Figures) -> list[AnyCheck]:
    """A printed value, share or attainment equals the one computed from the data."""
    pairs = ((fig, figs.data.get(fig.key)) for fig in figs.stated.values() if fig.key[1] in ("value", "share", "attainment"))
    return [Check(rule, fig, "equal", [(data, 1)]) for fig, data in pairs if data]


@form("percent_sign")
def _percent_sign(rule: Rule, figs: Figures) -> list[AnyCheck]:
    """Every printing of a share or an attainment in the report, once each."""
    every = [f for group in figs.repeats for f in group] + list(figs.stated.values())
    unique = {id(f): f for f in every if f.source == CheckSource.REPORT and f.key[1] in ("share", "attainment")}
    return [SignCheck(rule, fig) for fig in unique.values()]


# --- screens: the checks of the data that may fail, found in bulk -----------------------------
#
# Made one by one, the ~50.000 checks of a national database's figures took 1,6 s, and nearly all hold. A
# form's screen computes, on the columns of FigureRows (numpy), the intervals every check of its rule would
# compare, and keeps the stated figures whose check may fail; the form then makes and decides only theirs
# (Figures.focus). A screen must never clear a check that fails: its ÷ and × are the check's own (the same
# IEEE operations), its sums (in another order) are trusted only with room for their rounding, and it
# keeps every figure where anything is NaN. A form without a screen makes every check.

Screen = Callable[[Rule, Figures, FigureRows], list[Key]]  # -> the stated figures whose check may fail
SCREENS: dict[str, Screen] = {}
SUM_ROUNDING = 1e-15  # per term added, relative to the terms' magnitudes: over twice float64's rounding (2⁻⁵³)


screen = _registrar(SCREENS, "screen")  # @screen(name): the screen of a form (FORMS[name])


def _may_not_meet(stated_lo: np.ndarray, stated_hi: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                  slack: np.ndarray | float = 0.0) -> np.ndarray:
    """Where the stated intervals may not meet the computed ones (_meet), these known within `slack`."""
    with np.errstate(invalid="ignore"):
        return ~((stated_lo <= hi - slack) & (lo + slack <= stated_hi))


def _quotients(a_lo: np.ndarray, a_hi: np.ndarray, b_lo: np.ndarray, b_hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """_div() of many intervals at once; NaN where _div leaves ∞ ÷ ∞ out (the check decides those)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        quotients = [a / b for a in (a_lo, a_hi) for b in (b_lo, b_hi)]
        lo, hi = np.minimum.reduce(quotients), np.maximum.reduce(quotients)
    spans_zero = (b_lo <= 0) & (b_hi >= 0)
    return np.where(spans_zero, -np.inf, lo), np.where(spans_zero, np.inf, hi)


def _sum_may_fail(rows: FigureRows, stated: np.ndarray, aspect: str,
                  terms: list[tuple[np.ndarray, str, int]]) -> np.ndarray:
    """Where stated = Σ sign·term (each term: its rows, aspect and sign) may fail, as _sum() computes it."""
    lo = sum(rows.lo[a][r] if sign > 0 else -rows.hi[a][r] for r, a, sign in terms)
    hi = sum(rows.hi[a][r] if sign > 0 else -rows.lo[a][r] for r, a, sign in terms)
    size = sum(np.abs(rows.lo[a][r]) + np.abs(rows.hi[a][r]) for r, a, _ in terms)
    return _may_not_meet(rows.lo[aspect][stated], rows.hi[aspect][stated], lo, hi, len(terms) * SUM_ROUNDING * size)


def _at_same_scope(rows: FigureRows, rule: Rule, aspect: str) -> tuple[np.ndarray, list[np.ndarray]]:
    """The rows of rule.total's figures of the aspect, and the rows of each of rule.parts at their scopes,
    where every part has its value."""
    stated = rows.holding(aspect, rule.total)
    parts = [rows.at(code, rows.scope[stated]) for code in rule.parts]
    complete = np.logical_and.reduce([rows.has("value", part) for part in parts]) if parts else np.ones(len(stated), bool)
    return stated[complete], [part[complete] for part in parts]


@screen("sum")
def _sum_screen(rule: Rule, figs: Figures, rows: FigureRows) -> list[Key]:
    stated, parts = _at_same_scope(rows, rule, "value")
    return rows.keys(stated[_sum_may_fail(rows, stated, "value", [(part, "value", 1) for part in parts])], "value")


@screen("product")
def _product_screen(rule: Rule, figs: Figures, rows: FigureRows) -> list[Key]:
    stated, parts = _at_same_scope(rows, rule, rule.aspect)
    numerator = parts[0]
    denominator = (rows.lo["value"][parts[1]], rows.hi["value"][parts[1]]) if len(parts) > 1 else (1.0, 1.0)
    lo, hi = _quotients(rows.lo["value"][numerator], rows.hi["value"][numerator], *denominator)
    fails = _may_not_meet(rows.lo[rule.aspect][stated], rows.hi[rule.aspect][stated], lo * rule.factor, hi * rule.factor)
    return rows.keys(stated[fails], rule.aspect)


@screen("share")
def _share_screen(rule: Rule, figs: Figures, rows: FigureRows) -> list[Key]:
    """The part is the stated share's own row's value; the whole, its indicator's at the whole scope."""
    stated = rows.holding(rule.aspect, rule.total)
    whole = rows.cell[rows.indicator[stated], WHOLE]
    checked = (rows.scope[stated] != WHOLE) & rows.has("value", stated) & rows.has("value", whole)
    stated, whole = stated[checked], whole[checked]
    lo, hi = _quotients(rows.lo["value"][stated], rows.hi["value"][stated], rows.lo["value"][whole], rows.hi["value"][whole])
    fails = _may_not_meet(rows.lo[rule.aspect][stated], rows.hi[rule.aspect][stated], lo * rule.factor, hi * rule.factor)
    return rows.keys(stated[fails], rule.aspect)


@screen("difference")
def _difference_screen(rule: Rule, figs: Figures, rows: FigureRows) -> list[Key]:
    """The stock now and a year-end earlier are the stated change's own row's (the stated figures are the data)."""
    stocks = np.array([ind is not None and not (ind.type == IndicatorType.SIMPLE and ind.time == Time.FLOW)
                       for ind in map(INDICATORS_BY_CODE.get, rows.indicators)], dtype=bool)
    stated = rows.holding(rule.aspect, rule.total)
    stated = stated[stocks[rows.indicator[stated]] & rows.has("value", stated) & rows.has("previous", stated)]
    fails = _sum_may_fail(rows, stated, rule.aspect, [(stated, "value", 1), (stated, "previous", -1)])
    return rows.keys(stated[fails], rule.aspect)


@screen("breakdown")
def _breakdown_screen(rule: Rule, figs: Figures, rows: FigureRows) -> list[Key]:
    """As _breakdown_check: all parts there, they must add up to the total; some missing, the others must not exceed it."""
    kept, scope_codes = [], {}  # the codes of each list of parts' scopes (the districts': the same for every total)
    totals = rows.holding(rule.aspect, rule.total)
    for total in totals[rows.scope[totals] == WHOLE]:
        indicator = rows.indicators[rows.indicator[total]]
        if indicator not in ADDITIVE:
            continue
        scopes = tuple(BREAKDOWNS[rule.over](figs, indicator))
        if scopes not in scope_codes:
            scope_codes[scopes] = rows.scope_codes(scopes)
        parts = rows.at(indicator, scope_codes[scopes])
        present = parts[rows.has("value", parts)]
        if not len(present):
            continue
        lo, hi = rows.lo["value"][present], rows.hi["value"][present]
        slack = len(present) * SUM_ROUNDING * (np.abs(lo) + np.abs(hi)).sum()
        total_lo, total_hi = rows.lo["value"][total], rows.hi["value"][total]
        if len(present) == len(parts):
            fails = _may_not_meet(total_lo, total_hi, lo.sum(), hi.sum(), slack)
        else:
            with np.errstate(invalid="ignore"):
                fails = not lo.sum() + slack <= total_hi
        if fails:
            kept.append(total)
    return rows.keys(np.array(kept, dtype=int), rule.aspect)


def _screened(rule: Rule, figs: Figures) -> Figures:
    """The figures, their focus narrowed to the stated figures whose check of the rule may fail: when the rule's
    form has a screen and the stated figures are the data's own (rows, with the previous stocks on the same rows)."""
    stated, previous = figs.stated, figs.previous
    screening = SCREENS.get(rule.form)
    if (screening is None or stated is not figs.data or not isinstance(stated, DataFigures)
            or not isinstance(previous, DataFigures) or previous.rows is not stated.rows):
        return figs
    return replace(figs, focus=dict.fromkeys(screening(rule, figs, stated.rows)))


# --- running ----------------------------------------------------------------------------------

def _fix(fig: Fig, check: Check, by_fig: dict[int, list[Check]], violated: list[Check]) -> tuple[int, Fig, float] | None:
    """The value `fig` could take to satisfy every check it is in, and how many violations that fixes."""
    lo, hi = -math.inf, math.inf
    for other in by_fig.get(id(fig), []):
        nlo, nhi, _ = other.needed(fig)
        lo, hi = max(lo, nlo), min(hi, nhi)
    if lo > hi:
        return None
    fixed = sum(1 for other in violated if any(f is fig for f in other.figures))
    point = check.needed(fig)[2]
    point = point if lo <= point <= hi else (lo if math.isfinite(lo) else hi)
    return fixed, fig, point


def _suspects(rows: list[dict], checks: list[Check]) -> None:
    """Mark, for each violation, the single figure whose change would satisfy every rule it is in."""
    violated = [r["_check"] for r in rows if r["_check"] is not None]
    by_fig: dict[int, list[Check]] = {}
    for check in checks:
        for fig in check.figures:
            by_fig.setdefault(id(fig), []).append(check)
    best: dict[int, tuple[int, Fig, float]] = {}
    for check in violated:
        for fig in check.figures:
            if fig.source == CheckSource.TARGET or id(fig) in best:
                continue
            found = _fix(fig, check, by_fig, violated)
            if found:
                best[id(fig)] = found
    for row in rows:
        check = row["_check"]
        options = sorted((best[id(f)] for f in check.figures if id(f) in best),
                         key=lambda option: (-option[0], option[1].source != CheckSource.REPORT)) if check else []
        row["_parts"] = replace(row["_parts"], suspects=tuple((fig, point, fixed) for fixed, fig, point in options[:2]))
        row["suspect"] = written(row["_parts"])["suspect"]


def _with_attainment(data: DataFigures, targets: dict[Key, Fig]) -> DataFigures:
    """The data's attainment of each target, computed here."""
    for (indicator, _, sector, _), target in targets.items():
        actual = data.get((indicator, "value", sector, None))
        if actual and target.value:
            key = (indicator, "attainment", sector, None)
            data.add(_computed(key, actual.value / target.value * 100))
    return data


def figures_for(engine: Engine, report: str | None = None, period: str | None = None,
                province: str | None = None, frames: dict[str | None, pd.DataFrame] | None = None) -> Figures | None:
    """The figures to check: the report's (its own period) or the data's at `period` (default: the latest).

    A report is compared with the data of its own province (report_province(): on a national database,
    Lai Châu's report with Lai Châu, not with the country); the data's own checks cover the whole database,
    or `province` when given (a province's report is flagged from that province's figures).
    None when there is no period to check; ValueError for an unknown report.
    """
    stated: dict[Key, Fig] = {}
    repeats: list[list[Fig]] = []
    if report:
        stated, repeats, period = report_figures(engine, report)
        if not stated:
            raise ValueError(f"Không có báo cáo '{report}'. Chọn: {', '.join(published_reports(engine))}")
        province = report_province(engine, report)
    period = period or next(iter(available_periods(engine)), None)
    if not period:
        return None
    data, previous = data_figures(engine, period, province, None if report else frames)  # a report: its own province
    targets = target_figures(engine, Period.parse(period).year, province)
    _with_attainment(data, targets)
    source = CheckSource.REPORT if report else CheckSource.DATA
    return Figures(source, period, stated if report else data, data, previous, targets, repeats,
                   part_choices(engine, province))


def run_rules(engine: Engine, report: str | None = None, period: str | None = None, rules: tuple[Rule, ...] = RULES,
              province: str | None = None, screened: bool = False,
              frames: dict[str | None, pd.DataFrame] | None = None) -> tuple[Figures | None, list[AnyCheck]]:
    """The figures checked and every check the rules make of them (held or not); `screened`: leaving out
    checks of the data that a screen finds to hold; `frames`: data_frames() when the caller has them."""
    figs = figures_for(engine, report, period, province, frames)
    if figs is None:
        return None, []
    return figs, [c for rule in rules if figs.source in rule.sources
                  for c in FORMS[rule.form](rule, _screened(rule, figs) if screened else figs)]


def failing_figures(engine: Engine, period: str, province: str | None = None,
                    frames: dict[str | None, pd.DataFrame] | None = None) -> dict[Key, tuple[str, ...]]:
    """The data's figures at `period` (of one province, or the whole database) that take part in a
    violated rule, each with those rules' labels (every figure of a violated check, not only the one it
    states: any of them may be the wrong one)."""
    _, found = run_rules(engine, period=period, province=province, screened=True, frames=frames)
    out: dict[Key, tuple[str, ...]] = {}
    for failed in (c for c in found if not c.holds()):
        figures = failed.figures if isinstance(failed, Check) else [failed.stated]
        for fig in figures:
            if fig.source == CheckSource.DATA and failed.rule.label_vi not in out.get(fig.key, ()):
                out[fig.key] = (*out.get(fig.key, ()), failed.rule.label_vi)
    return out


def check(engine: Engine, report: str | None = None, period: str | None = None,
          rules: tuple[Rule, ...] = RULES) -> pd.DataFrame:
    """Every violation of the declared rules: in a published report (and against the data), or in the data alone."""

    figs, found = run_rules(engine, report, period, rules)
    if figs is None:
        return pd.DataFrame(columns=[*VIOLATION_COLUMNS, "suspect"])
    rows = [c.violation(report or "", figs.period) for c in found if not c.holds()]
    _suspects(rows, [c for c in found if isinstance(c, Check)])
    frame = pd.DataFrame(rows, columns=[*VIOLATION_COLUMNS, "suspect"])
    frame.attrs[VIOLATION_PARTS] = dict(zip(frame.index, (row["_parts"] for row in rows), strict=True))
    return frame


def published_reports(engine: Engine) -> list[str]:
    p = schema.published_figures
    with engine.connect() as conn:
        return [r for (r,) in conn.execute(select(p.c.report).distinct().order_by(p.c.report))]


def published_report_periods(engine: Engine) -> dict[str, str]:
    """report code -> the period it reports on: what a page names a report by."""
    p = schema.published_figures
    with engine.connect() as conn:
        return dict(conn.execute(select(p.c.report, func.min(p.c.period)).group_by(p.c.report)).all())
