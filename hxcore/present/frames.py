"""The screens' tables and texts: labels in the page's language and figures written the Vietnamese
way (1.056.714 · 59,7% · +7 so với năm 2022). Pure pandas, no Streamlit: hxapp draws the results.

Data shaping that needs the engine (trends, grids, which target applies) is hxcore.engine.frames;
this module only names and formats what it returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from hxcore.engine import frames as shaping
from hxcore.engine.lists import project_status_counts
from hxcore.model import vocab
from hxcore.model.areas import WHOLE_AREA, after_reform, crossing_communes, fold
from hxcore.model.catalog import INDICATORS_BY_CODE, definition_changes
from hxcore.model.filters import COMMUNE_BREAKDOWNS, Filter
from hxcore.model.labels import label, labels_in
from hxcore.model.periods import COMPARISON_LABELS, Comparison, Period
from hxcore.model.targets import STATUS_LABELS
from hxcore.model.texts import EXPORT_COLUMNS, t
from hxcore.present import export, fmt

ORGANISATION_LISTS = ("coops", "groups")
_GROUP_ORG_TYPE = {"coops": "coop", "groups": "group"}  # an indicator's group -> whose sector labels apply
_INDICATOR_COLUMNS = ("value", "previous_value", "change", "target", "expected")  # each indicator's own decimals
_FIXED_DECIMALS = {"numerator": 0, "denominator": 0, "share": 1, "attainment": 1}


# ---------------------------------------------------------------------------------------------
# Labels


def comparison_labels(lang: str) -> dict[Comparison, str]:
    return {comparison: label(COMPARISON_LABELS, comparison, lang) for comparison in Comparison}


def status_labels(lang: str) -> dict[str, str]:
    """Target status code -> its label ("behind" -> "Chậm tiến độ")."""
    return labels_in(STATUS_LABELS, lang)


def status_label(status, lang: str) -> str:
    return status_labels(lang).get(status, "") if isinstance(status, str) else ""


def indicator_label(code: str, lang: str) -> str:
    ind = INDICATORS_BY_CODE[code]
    return ind.label_vi if lang == "vi" else ind.label_en


def sector_name(code: str, org_type: str, lang: str) -> str:
    """A sector's label as HTX or THT call it ("agriculture" is "Nông nghiệp" for a THT)."""
    for sector in vocab.SECTORS:
        if sector.code == code and sector.org_type == org_type:
            return sector.label_vi if lang == "vi" else sector.label_en
    return vocab.sector_label(code, lang)


def where_text(flt: Filter, area_names: dict, lang: str) -> str:
    """The chosen districts (former districts after 1/7/2025, said so) and communes; else the chosen
    province or the whole area by the names given (the app's View gives them on a database of several
    provinces), else the whole province."""
    suffix = t("former_suffix", lang) if after_reform(flt.parsed_period.end) else ""
    parts = [area_names.get(c, c) + suffix for c in flt.districts] + [area_names.get(c, c) for c in flt.communes]
    return ", ".join(parts) or area_names.get(flt.province or WHOLE_AREA) or t("whole_province", lang)


def what_text(flt: Filter, lang: str) -> str:
    return ", ".join(vocab.sector_label(c, lang) for c in flt.sectors) or t("all_sectors", lang)


def filter_text(flt: Filter, district_names: dict, lang: str) -> str:
    """'Huyện Tam Đường · Nông, lâm nghiệp, thủy sản': what the figures cover."""
    return f"{where_text(flt, district_names, lang)} · {what_text(flt, lang)}"


def reform_notes(flt: Filter, lang: str) -> list[str]:
    """What a figure of this filter means across the reform of 1/7/2025: districts chosen for a later
    date are former districts; a period whose year-to-date window contains the reform mixes units."""
    period = flt.parsed_period
    notes = []
    if flt.districts and after_reform(period.end):
        notes.append(t("former_district_notice", lang) + " " + crossing_text(lang))
    if not after_reform(period.year_start) and after_reform(period.end):
        notes.append(t("reform_mix", lang))
    return notes


def crossing_text(lang: str) -> str:
    """"Xã, phường mới trải trên nhiều huyện cũ: Phường Đoàn Kết (Thành phố Lai Châu, Huyện Phong Thổ;
    tính vào Thành phố Lai Châu), …" — README lists the same, from the same function."""
    items = [t("crossing_item", lang, name=name, districts=", ".join(districts), counted=counted)
             for name, districts, counted in crossing_communes()]
    return t("crossing", lang, items="; ".join(items))


def as_of_text(flt: Filter, district_names: dict, lang: str, extra: str | None = None) -> str:
    """'Số liệu đến 30/6/2023 · Toàn tỉnh · tất cả lĩnh vực': under every chart, table and download."""
    text = t("as_of", lang, day=fmt.day(flt.parsed_period.end, lang)) + " · " + filter_text(flt, district_names, lang)
    return text + (f" · {extra}" if extra else "")


def header_text(flt: Filter, district_names: dict, lang: str) -> str:
    return f"**{flt.parsed_period.label(lang)}** · {filter_text(flt, district_names, lang)}"


def no_data_text(flt: Filter, periods: list[str], lang: str) -> str:
    shown = ", ".join(Period.parse(p).label(lang) for p in periods[:6])
    return t("no_data", lang, period=flt.parsed_period.label(lang), periods=shown + ", …")


def about_rows(flt: Filter, district_names: dict, lang: str, topic: str,
               version: str | None = None) -> list[tuple[str, str]]:
    """The workbook's filter sheet: what the downloaded figures cover, and from which data version."""
    stamp = [(t("data_version", lang), version)] if version else []
    return [
        (t("app_title", lang), topic),
        (t("period", lang), flt.parsed_period.label(lang)),
        (t("as_of", lang, day="").strip(), fmt.day(flt.parsed_period.end, lang)),
        (t("districts", lang), where_text(flt, district_names, lang)),
        (t("sectors", lang), what_text(flt, lang)),
        (t("comparison", lang), comparison_labels(lang)[flt.comparison]),
        *stamp,
        (t("source", lang), ""),
    ]


# ---------------------------------------------------------------------------------------------
# Figures and KPI cards


def value_text(row, lang: str) -> str:
    """A figure in its indicator's style: "416", "1.056.714", "36,8%", "4,4"."""
    ind = INDICATORS_BY_CODE[row["indicator"]]
    return fmt.indicator_value(row["value"], ind.unit, ind.decimals, lang)


def change_text(row, lang: str) -> tuple[str | None, str, str]:
    """("+7 so với năm 2022", arrow, colour): a figure's change against its comparison period;
    green when it moves the way the indicator wants (fewer dissolved HTX is good)."""
    ind = INDICATORS_BY_CODE[row["indicator"]]
    change = row.get("change")
    if shaping.missing(change) or shaping.missing(row.get("previous_value")):
        return None, "off", "gray"
    previous = Period.parse(row["previous_period"]).label(lang)
    previous = previous[0].lower() + previous[1:] if lang == "vi" else previous  # mid-sentence
    suffix = " điểm %" if ind.unit == "%" and lang == "vi" else (" pts" if ind.unit == "%" else "")
    delta = f"{fmt.signed(change, max(ind.decimals, 1 if ind.unit == '%' else 0), lang)}{suffix} " + t(
        "vs", lang, period=previous)
    rounded = round(float(change), max(ind.decimals, 1))
    if not rounded:
        return delta, "off", "gray"
    good = (rounded > 0) == ind.higher_is_better
    return delta, "up" if rounded > 0 else "down", "green" if good else "red"


@dataclass(frozen=True)
class Card:
    """What a KPI card shows: hxapp.widgets.kpi draws it with st.metric."""

    label: str
    value: str
    delta: str | None = None
    arrow: str = "off"
    colour: str = "gray"
    help: str | None = None
    note: str | None = None
    applicable: bool = True  # False: the figure means nothing under the filter (a sector filter on an area count)


def _joined(note: str | None, more: str) -> str:
    return (note + " · " if note else "") + more


def kpi_card(row, lang: str, note: str | None = None) -> Card:
    """The figure with its unit (a long unit goes under the card), its change, the ratio behind it."""
    ind = INDICATORS_BY_CODE[row["indicator"]]
    label = indicator_label(ind.code, lang)
    if not row.get("applicable", True):
        return Card(label, "–", help=t("not_applicable", lang), applicable=False)
    value = value_text(row, lang)
    unit = vocab.unit_label(ind.unit, lang)  # "416 cooperatives" in English
    long_unit = ind.unit != "%" and len(unit) > 12
    if ind.unit != "%" and not long_unit:
        value = f"{value} {unit}"
    if long_unit:
        note = _joined(note, unit)
    ratio = fmt.ratio_note(row.get("numerator"), row.get("denominator"), lang) if ind.unit == "%" else ""
    if ratio:
        note = _joined(note, ratio)
    delta, arrow, colour = change_text(row, lang)
    return Card(label, value, delta, arrow, colour, ind.definition or None, note or None)


# ---------------------------------------------------------------------------------------------
# Breakdowns, rankings, trends


def breakdown_labels(frame: pd.DataFrame, by: str, lang: str) -> pd.DataFrame:
    """Name each breakdown row ("name") in the page's language (sector labels differ for HTX and THT)."""
    frame = frame.copy()
    if by == "sector":
        def name(row):
            org_type = _GROUP_ORG_TYPE.get(INDICATORS_BY_CODE[row["indicator"]].group, "coop")
            return sector_name(row["sector"], org_type, lang)
        frame["name"] = frame.apply(name, axis=1)
        frame["sector_label"] = frame["name"]
    elif by in COMMUNE_BREAKDOWNS:
        frame["name"] = frame["commune_name"]
    else:
        frame["name"] = frame["district_name"]
    return frame


def top_bars(frame: pd.DataFrame, by: str, lang: str, codes: list[str] | None = None,
             n: int = shaping.TOP_BARS) -> pd.DataFrame:
    """breakdown_labels() rows of one chart (the indicators `codes`, else all) by area, cut to the n largest
    areas and one bar "Khác (726 địa bàn)" for the rest (shaping.top_and_others); by sector, not cut."""
    frame = frame[frame["indicator"].isin(codes)] if codes else frame
    if by == "sector":
        return frame
    cut = shaping.top_and_others(frame, shaping.breakdown_key(by), n)
    if "others" in cut:
        folded = cut["others"].notna()
        cut.loc[folded, "name"] = [t("others_bar", lang, n=fmt.number(k, 0, lang)) for k in cut.loc[folded, "others"]]
    return cut


def ranking_by_label(by: str, flt: Filter, lang: str) -> str:
    """"Theo huyện, thành phố" until 30/6/2025, "Theo địa bàn huyện cũ" after; "Theo xã, phường"; "Theo lĩnh vực"."""
    if by == "district" and after_reform(flt.parsed_period.end):
        return t("by_former_district", lang)
    return t(f"by_{by}", lang)


def state_frame(frame: pd.DataFrame, category: str, lang: str) -> pd.DataFrame:
    """evaluate(by=...) rows of coops_operating / coops_inactive -> the stacked chart's long table."""
    part = shaping.coop_states(frame)
    part["state_label"] = part["state"].map(lambda s: t(s, lang))
    part["count_text"] = part["count"].map(lambda v: fmt.number(v, 0, lang))
    part[category] = part[category].fillna("")
    return part[[category, "state", "state_label", "count", "count_text"]]


def state_labels(lang: str) -> dict[str, str]:
    return {state: t(state, lang) for state in shaping.COOP_STATES.values()}


def with_share_text(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Each row's figure with its share of the total: "478.756 (45,3%)" (0 where missing)."""
    frame = frame.copy()
    frame["value"] = frame["value"].fillna(0)
    frame["text"] = [f"{fmt.number(v, 0, lang)} ({fmt.percent(s, 1, lang)})"
                     for v, s in zip(frame["value"], frame["share"], strict=True)]
    return frame


def ranking_frame(frame: pd.DataFrame, code: str, lang: str, ratio: bool = True) -> pd.DataFrame:
    """The rows with a figure, each written in its indicator's style; percentages with the ratio
    behind them ("36,8% (120/326)") unless `ratio` is off."""
    ind = INDICATORS_BY_CODE[code]
    frame = shaping.with_values(frame)
    frame["text"] = frame["value"].map(lambda v: fmt.indicator_value(v, ind.unit, ind.decimals, lang))
    if ratio and ind.unit == "%":
        frame["text"] = [f"{text} ({fmt.ratio_note(n, d, lang)})" for text, n, d in
                         zip(frame["text"], frame["numerator"], frame["denominator"], strict=True)]
    return frame


def ranking_title(code: str, lang: str) -> str:
    return f"{t('ranking', lang)}: {indicator_label(code, lang)} ({vocab.unit_label(INDICATORS_BY_CODE[code].unit, lang)})"


def target_line(target: float | None, code: str, lang: str) -> str | None:
    """"Đường đỏ: chỉ tiêu nghị quyết (45,0%)": the legend of a target rule, when there is a target."""
    if not target:
        return None
    ind = INDICATORS_BY_CODE[code]
    return t("target_line", lang, value=fmt.indicator_value(target, ind.unit, ind.decimals, lang))


def trend_frame(trend: pd.DataFrame, code: str, lang: str) -> pd.DataFrame:
    """engine.frames.trend_frame() rows with the period's label and the figure written out."""
    ind = INDICATORS_BY_CODE[code]
    out = trend.copy()
    out.insert(1, "period_label", [Period.parse(p).label(lang) for p in out["period"]])
    out["text"] = [fmt.indicator_value(v, ind.unit, ind.decimals, lang) for v in out["value"]]
    out["note"] = definition_breaks(list(out["end"]), code, lang)
    out["break_label"] = [t("definition_break", lang) if note else "" for note in out["note"]]
    return out


def definition_breaks(ends: list, code: str, lang: str) -> list[str]:
    """For each point of a series (its end dates, oldest first), the definition changes since the
    point before it: where the series breaks, a note for the chart's mark and the download."""
    notes, previous = [], None
    for end in ends:
        day = date.fromisoformat(end) if isinstance(end, str) else end
        changed = [c for c in definition_changes(INDICATORS_BY_CODE[code])
                   if previous is not None and previous < c.on <= day]
        notes.append(" ".join(c.note_vi if lang == "vi" else c.note_en for c in changed))
        previous = day
    return notes


def heat_frame(heat: pd.DataFrame, lang: str) -> pd.DataFrame:
    """engine.frames.heat_frame() rows -> the heat map's cells (district_name, sector_label, value, text)."""
    folded = heat["others"] if "others" in heat else pd.Series(None, index=heat.index, dtype=float)
    return pd.DataFrame({
        "district_name": [name if pd.isna(k) else t("others_bar", lang, n=fmt.number(k, 0, lang))
                          for name, k in zip(heat["district_name"], folded, strict=True)],
        "sector_label": [sector_name(c, o, lang) for c, o in zip(heat["sector"], heat["org_type"], strict=True)],
        "value": heat["value"],
        "text": [fmt.number(v, 0, lang) for v in heat["value"]],
    }, columns=["district_name", "sector_label", "value", "text"])


def breakdown_table(frame: pd.DataFrame, codes: list[str], by: str, lang: str) -> pd.DataFrame:
    """breakdown_labels() rows -> one row per sector or district, one column per indicator."""
    table = shaping.indicator_table(frame, codes, "name").rename(columns=lambda c: indicator_label(c, lang))
    table.index.name = t("col_sector" if by == "sector" else "col_district", lang)
    return table.reset_index()


# ---------------------------------------------------------------------------------------------
# Tables for st.dataframe (numbers as text) and downloads (numbers as numbers)


def shown(frame: pd.DataFrame, lang: str, decimals: dict | None = None) -> pd.DataFrame:
    """A copy for the screen with numeric columns written the Vietnamese way (1.056.714);
    downloads keep the typed numbers."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_numeric_dtype(out[column]) and not pd.api.types.is_bool_dtype(out[column]):
            places = (decimals or {}).get(column, 0)
            out[column] = out[column].map(lambda v, p=places: fmt.number(v, p, lang))
    return out


def _shown_column(key: str, values: pd.Series, decimals, lang: str) -> list | pd.Series:
    if key == "as_of":
        return values.map(lambda d: fmt.day(d, lang) if not shaping.missing(d) else "")
    if key == "change":
        return [fmt.signed(v, int(d), lang, missing="") for v, d in zip(values, decimals, strict=True)]
    if key in _INDICATOR_COLUMNS:
        return [fmt.number(v, int(d), lang, missing="") for v, d in zip(values, decimals, strict=True)]
    if key in _FIXED_DECIMALS:
        return values.map(lambda v, p=_FIXED_DECIMALS[key]: fmt.number(v, p, lang, missing=""))
    return values


def shown_indicators(table: pd.DataFrame, codes: pd.Series, lang: str) -> pd.DataFrame:
    """The indicator table for the screen: each figure with its own indicator's decimals (416 HTX,
    36,8%, 4,4 triệu đồng), counts behind ratios whole, shares and attainments to one decimal."""
    out = table.copy()
    decimals = codes.map(lambda code: INDICATORS_BY_CODE[code].decimals).to_numpy()
    for key, (vi, en) in EXPORT_COLUMNS.items():
        column = en if lang == "en" else vi
        if column in out.columns:
            out[column] = _shown_column(key, out[column], decimals, lang)
    return out.astype(object).where(out.notna(), "")  # blanks, not "None"


def search(frame: pd.DataFrame, columns: list[str], text: str) -> pd.DataFrame:
    """The rows where any of `columns` contains `text`, ignoring case and accents ("tam duong" finds "Tam Đường")."""
    if not text:
        return frame
    needle = fold(text)
    mask = frame[columns].fillna("").astype(str).apply(lambda col: col.map(fold).str.contains(needle, regex=False))
    return frame[mask.any(axis=1)]


def indicator_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """evaluate() rows -> the long table shown and downloaded, labels in the page's language."""
    table = export.indicator_export_frame(frame, lang)
    if lang == "en":
        table[table.columns[1]] = frame["indicator"].map(lambda c: indicator_label(c, lang)).to_numpy()
    return table


def list_labels(frame: pd.DataFrame, name: str, lang: str) -> pd.DataFrame:
    """A unit-level list's labels in the page's language (hxcore.engine.lists writes the report's Vietnamese)."""
    if lang != "en" or frame.empty:
        return frame
    frame = frame.copy()
    sectors = {s.code: (s.label_vi, s.label_en) for s in vocab.SECTORS if (s.org_type == "group") == (name == "groups")}
    tables = {"status_label": ("status", vocab.PROJECT_STATUS_LABELS if name == "projects" else vocab.STATUS_LABELS),
              "rating_label": ("rating", vocab.RATING_LABELS),
              "scheme_label": ("scheme", vocab.SCHEME_LABELS),
              "kind_label": ("kind", vocab.TRAINING_LABELS),
              "sector_label": ("sector_code", sectors)}
    for shown, (code, table) in tables.items():
        if shown in frame.columns and code in frame.columns:
            frame[shown] = frame[code].map(lambda c, m=table: label(m, c, lang) if isinstance(c, str) else None)
    return frame


def organisation_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """lists.organisation_list() -> the table shown and downloaded, with the page's headers."""
    yes, no = t("yes", lang), t("no", lang)
    return pd.DataFrame({
        t("col_name", lang): frame["name"],
        t("col_district", lang): frame["district_name"],
        t("col_commune", lang): frame["commune_name"],
        t("col_sector", lang): frame["sector_label"],
        t("col_registered", lang): frame["registered_on"],
        t("col_org_status", lang): frame["status_label"],
        t("col_capital", lang): frame["charter_capital"],
        t("col_members", lang): frame["members"],
        t("col_workers", lang): frame["workers"],
        t("col_rating", lang): frame["rating_label"].fillna(t("not_rated", lang)),
        t("col_alliance", lang): frame["alliance_member"].map({True: yes, False: no}),
    })


def unit_rows(rows: pd.DataFrame, name: str, lang: str) -> tuple[pd.DataFrame, list[str]]:
    """A unit-level list as the data page shows it, and its date columns: organisations with
    headers, other lists without their code columns."""
    if name in ORGANISATION_LISTS:
        return organisation_table(rows, lang), [t("col_registered", lang)]
    return rows.drop(columns=[c for c in rows.columns if c.endswith("_code") or c in ("id", "org_type")]), []


def projects_table(projects: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        t("col_title", lang): projects["title"], t("col_name", lang): projects["name"],
        t("col_district", lang): projects["district_name"], t("col_scheme", lang): projects["scheme_label"],
        t("col_selected", lang): projects["selected_on"],
        t("col_project_status", lang): projects["status_label"],
    })


def project_status_frame(projects: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Projects per scheme and status, as ranking rows (name, value, text)."""
    counts = project_status_counts(projects)
    counts["name"] = counts["status_label"].fillna("–")
    counts["value"] = counts["count"]
    counts["text"] = counts["count"].map(lambda v: fmt.number(v, 0, lang))
    return counts


def loans_table(loans: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        t("col_disbursed", lang): loans["disbursed_on"], t("col_name", lang): loans["name"],
        t("col_district", lang): loans["district_name"], t("col_sector", lang): loans["sector_label"],
        t("col_amount", lang): loans["amount"], t("col_repaid", lang): loans["repaid"],
        t("col_purpose", lang): loans["purpose"],
    })


def classes_table(classes: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        t("col_held", lang): classes["held_on"], t("col_district", lang): classes["district_name"],
        t("col_training_type", lang): classes["kind_label"], t("col_title", lang): classes["title"],
        t("col_trainees", lang): classes["trainees"],
    })


# ---------------------------------------------------------------------------------------------
# Targets


def target_label(row, lang: str) -> str:
    """An indicator's label, with its sector for a sector target: "HTX thành lập mới (Nông nghiệp…)"."""
    label = indicator_label(row["indicator"], lang)
    sector = shaping.sector_or_none(row["sector"])
    return label + (f" ({vocab.sector_label(sector, lang)})" if sector else "")


def target_labels(targets: pd.DataFrame, lang: str) -> pd.Series:
    """"(3) HTX thành lập mới": each target's resolution item and label, for charts and pickers."""
    return pd.Series([f"({r['item']}) {target_label(r, lang)}" for r in targets.to_dict("records")],
                     index=targets.index, dtype=object)


def target_value(value, row, lang: str) -> str:
    return fmt.indicator_value(value, row["unit"], shaping.target_decimals(row["unit"], row["indicator_type"]), lang)


def _target_range(row, lang: str) -> str:
    high = row["target_high"]
    return target_value(row["target"], row, lang) + ("–" + target_value(high, row, lang) if pd.notna(high) else "")


def _actual(row, lang: str) -> str:
    ratio = f" ({fmt.ratio_note(row['numerator'], row['denominator'], lang)})" if row["unit"] == "%" else ""
    return target_value(row["actual"], row, lang) + ratio


def _scope(sector, lang: str) -> str:
    sector = shaping.sector_or_none(sector)
    return t("sector_scope", lang, sector=vocab.sector_label(sector, lang)) if sector else t("province_scope", lang)


def target_table(targets: pd.DataFrame, lang: str) -> pd.DataFrame:
    """attainment.target_table() rows -> the table of the targets page, every figure written out."""
    records = targets.to_dict("records")
    return pd.DataFrame({
        t("col_item", lang): targets["item"],
        t("col_indicator", lang): [target_label(r, lang) for r in records],
        t("col_scope", lang): targets["sector"].map(lambda s: _scope(s, lang)),
        t("col_target", lang): [_target_range(r, lang) for r in records],
        t("col_actual", lang): [_actual(r, lang) for r in records],
        t("col_unit", lang): targets["unit"].map(lambda u: vocab.unit_label(u, lang)),
        t("col_attainment", lang): targets["attainment"].map(lambda v: fmt.percent(v, 1, lang)),
        t("col_expected", lang): [target_value(r["expected"], r, lang) for r in records],
        t("col_gap", lang): [target_value(r["gap"], r, lang) for r in records],
        t("col_needed", lang): [fmt.number(r["needed_per_month"], 1, lang) for r in records],
        t("col_status", lang): targets["status"].map(lambda s: status_label(s, lang)),
        t("col_wording", lang): targets["wording"],
    })


def target_export_table(targets: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The targets table as downloaded: the same columns as target_table(), every figure a
    number (rounded as shown; attainment in % of target), the upper bound of a range its own column."""
    records = targets.to_dict("records")
    places = [shaping.target_decimals(r["unit"], r["indicator_type"]) for r in records]

    def rounded(column: str, decimals: list[int] | int) -> list:
        each = decimals if isinstance(decimals, list) else [decimals] * len(records)
        return [None if pd.isna(r[column]) else round(float(r[column]), d) for r, d in zip(records, each, strict=True)]

    table = pd.DataFrame({
        t("col_item", lang): targets["item"],
        t("col_indicator", lang): [target_label(r, lang) for r in records],
        t("col_scope", lang): targets["sector"].map(lambda s: _scope(s, lang)),
        t("col_target", lang): rounded("target", places),
        t("col_target_high", lang): rounded("target_high", places),
        t("col_actual", lang): rounded("actual", places),
        t("col_unit", lang): targets["unit"].map(lambda u: vocab.unit_label(u, lang)),
        t("col_attainment", lang): rounded("attainment", 1),
        t("col_expected", lang): rounded("expected", places),
        t("col_gap", lang): rounded("gap", places),
        t("col_needed", lang): rounded("needed_per_month", 1),
        t("col_status", lang): targets["status"].map(lambda s: status_label(s, lang)),
        t("col_wording", lang): targets["wording"],
    })
    if targets["target_high"].isna().all():
        table = table.drop(columns=t("col_target_high", lang))
    return table


def gap_frame(gaps: pd.DataFrame, lang: str) -> pd.DataFrame:
    """attainment.gap_by_district() rows with each district's share of the shortfall written out."""
    if gaps.empty:
        return gaps
    gaps = gaps.copy()
    gaps["text"] = gaps["contribution"].map(lambda v: fmt.percent(v, 1, lang))
    return gaps


def gap_table(gaps: pd.DataFrame, target, lang: str) -> pd.DataFrame:
    """gap_frame() rows as the table under the shortfall chart, in the target's own style."""
    return pd.DataFrame({
        t("col_area", lang): gaps["area_name"],
        t("col_actual", lang): gaps["value"].map(lambda v: target_value(v, target, lang)),
        t("col_needed_district", lang): gaps["needed"].map(lambda v: fmt.number(v, 1, lang)),
        t("col_contribution", lang): gaps["text"],
    })


# ---------------------------------------------------------------------------------------------
# Projector slides


def slide_title(slide: shaping.Slide, lang: str) -> str:
    label = indicator_label(slide.code, lang)
    return label + (f" ({vocab.sector_label(slide.sector, lang)})" if slide.sector else "")


@dataclass(frozen=True)
class Figure:
    """A slide's big figure: the value, its unit beside it, its change and the ratio behind it."""

    value: str
    unit: str
    delta: str | None
    colour: str
    ratio: str


def slide_figure(row, lang: str) -> Figure:
    ind = INDICATORS_BY_CODE[row["indicator"]]
    delta, _, colour = change_text(row, lang)
    ratio = fmt.ratio_note(row.get("numerator"), row.get("denominator"), lang) if ind.unit == "%" else ""
    return Figure(value_text(row, lang), "" if ind.unit == "%" else f" {vocab.unit_label(ind.unit, lang)}", delta, colour,
                  ratio)


def slide_actual(target, lang: str) -> tuple[str, str]:
    """A sector target's actual figure (one decimal) and the ratio behind it."""
    return (fmt.indicator_value(target["actual"], target["unit"], 1, lang),
            fmt.ratio_note(target["numerator"], target["denominator"], lang))


def slide_target_lines(target, lang: str) -> tuple[str, str]:
    """A target slide's two lines: the target (and the pace due), then the status and attainment."""
    target_text = target_value(target["target"], target, lang)
    expected = target["expected"]
    if expected is not None and expected == expected:  # not NaN
        line = t("target_of", lang, target=target_text, expected=target_value(expected, target, lang))
    else:
        line = t("target_only", lang, target=target_text)
    status = f"{status_label(target['status'], lang)} · {t('attained', lang, pct=fmt.percent(target['attainment'], 0, lang))}"
    return line, status
