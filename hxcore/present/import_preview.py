"""What an import would change, in words and tables: "Tam Đường 30/6/2023: HTX đang hoạt động 37 → 36".

Takes the plain frames hxcore.io.importer.preview returns (this layer never imports io) and the
importer's problems as objects with `sheet`, `row`, `column`, `value`, `expected`; the page and the
CLI pass them along. Figures are written with fmt (1.056.714), labels in the page's language.
"""

from __future__ import annotations

import re
from datetime import datetime

import pandas as pd

from hxcore.model.areas import fold
from hxcore.model.catalog import INDICATORS_BY_CODE
from hxcore.model.labels import label
from hxcore.model.periods import Period
from hxcore.model.texts import t
from hxcore.model.vocab import STATUS_LABELS
from hxcore.present import fmt
from hxcore.present.frames import indicator_label

ARROW = " → "
FIGURES = ("status", "charter_capital", "members", "workers")  # the columns of the organisations' preview
_FIGURE_DECIMALS = {"charter_capital": 0, "members": 0, "workers": 0}
MARKS = ("new", "dissolved", "jump")  # the preview's marks, in the order the table lists them
PROVINCE_LABEL = "Toàn tỉnh"  # the preview's name for the province's line (hxcore.io.importer.preview)
_DISTRICT_PREFIX = re.compile(r"^(Huyện|H\.)\s*")


def _area(name: str, lang: str) -> str:
    """"Huyện Tam Đường" -> "Tam Đường" ("Thành phố Lai Châu" keeps its prefix: "Lai Châu" is the province)."""
    return t("import_province", lang) if name == PROVINCE_LABEL else _DISTRICT_PREFIX.sub("", str(name))


def _figure(code: str, value, lang: str) -> str:
    ind = INDICATORS_BY_CODE[code]
    return fmt.indicator_value(value, ind.unit, ind.decimals, lang)


def headline_lines(indicators: pd.DataFrame, lang: str = "vi") -> list[tuple[str, bool]]:
    """One sentence per headline figure that changes, and whether it jumps (by half or more):
    ("Tam Đường 30/6/2023: HTX đang hoạt động 37 → 36", False). Districts first, then the province."""
    lines = []
    for row in indicators.itertuples(index=False):
        ind = INDICATORS_BY_CODE[row.indicator]
        label = indicator_label(row.indicator, lang)
        unit = "" if fold(ind.unit) in fold(label) or ind.unit == "%" else f" {ind.unit}"
        text = (f"{_area(row.area, lang)} {fmt.day(row.as_of, lang)}: {label} {_figure(row.indicator, row.before, lang)}"
                f"{ARROW}{_figure(row.indicator, row.after, lang)}{unit}")
        lines.append((text, bool(row.jump)))
    return lines


def _status(value, lang: str) -> str:
    """An organisation's status ("operating") as the page writes it ("Đang hoạt động"); "–" for none."""
    return label(STATUS_LABELS, value, lang) if isinstance(value, str) else "–"


def _change(old, new, key: str, lang: str) -> str:
    """"2.600 → 3.000", or the figure alone when it does not change; "–" for nothing."""
    if key == "status":
        old_text, new_text = _status(old, lang), _status(new, lang)
    else:
        old_text = fmt.number(old, _FIGURE_DECIMALS[key], lang)
        new_text = fmt.number(new, _FIGURE_DECIMALS[key], lang)
    return old_text if old_text == new_text else f"{old_text}{ARROW}{new_text}"


def mark_text(mark: str, jumps: dict, lang: str = "vi") -> str:
    """"Mới", "Giải thể", "Biến động lớn: vốn điều lệ ×10" (new ÷ old, one decimal)."""
    if mark != "jump":
        return t(f"import_mark_{mark}", lang) if mark else ""
    moves = "; ".join(f"{t(f'import_jump_{key}', lang)} ×{fmt.number(ratio, 1, lang)}"
                      for key, ratio in jumps.items())
    return f"{t('import_mark_jump', lang)}: {moves}"


def _changed(row) -> bool:
    return bool(row["mark"]) or any(not _same(row[f"{key}_old"], row[f"{key}_new"]) for key in FIGURES)


def _same(old, new) -> bool:
    if pd.isna(old) and pd.isna(new):
        return True
    return old == new


def organisations_table(organisations: pd.DataFrame, lang: str = "vi") -> tuple[pd.DataFrame, int]:
    """The organisations whose figures change (new, dissolved and large jumps first), each figure old → new,
    in the page's language; and how many the file names without changing anything."""
    columns = [t("import_col_name", lang), t("import_col_district", lang),
               *[t(f"import_figure_{key}", lang) for key in FIGURES], t("import_col_mark", lang)]
    if organisations.empty:
        return pd.DataFrame(columns=columns), 0
    changed = organisations[organisations.apply(_changed, axis=1)]
    order = changed["mark"].map({mark: i for i, mark in enumerate(MARKS)}).fillna(len(MARKS))
    changed = changed.assign(_order=order).sort_values(["_order", "district", "name"], kind="stable")
    rows = [[row["name"], _area(str(row["district"]), lang),
             *[_change(row[f"{key}_old"], row[f"{key}_new"], key, lang) for key in FIGURES],
             mark_text(row["mark"], row["jumps"], lang)] for _, row in changed.iterrows()]
    return pd.DataFrame(rows, columns=columns), len(organisations) - len(changed)


def marked(table: pd.DataFrame, lang: str = "vi") -> pd.Series:
    """Which rows of `organisations_table` carry a mark (new, dissolved, a large jump): highlighted."""
    return table[t("import_col_mark", lang)] != ""


def problem_line(problem, lang: str = "vi") -> str:
    """"Biểu 01, dòng 12 (Tổng cộng): dòng tổng: không nhập; khớp với tổng 44 dòng": where, then what."""
    where = problem.sheet
    if problem.row:
        where += ", " + t("import_row", lang, n=problem.row)
    if problem.column and problem.column != problem.value:
        where += f", {problem.column}"
    said = any(problem.value in text for text in (problem.sheet, problem.column, problem.expected))
    value = f" ({problem.value})" if problem.value and not said else ""
    return f"{where}{value}: {problem.expected}"


def text_report(indicators: pd.DataFrame, organisations: pd.DataFrame, lang: str = "vi") -> str:
    """The preview as the CLI prints it: the headline changes, then the organisations that change."""
    lines = [t("import_preview_headline", lang) + ":"]
    headline = headline_lines(indicators, lang)
    lines += [f"  {text}" + (f"  ({t('import_mark_jump', lang).lower()})" if jump else "") for text, jump in headline]
    if not headline:
        lines.append("  " + t("import_preview_no_change", lang))
    table, unchanged = organisations_table(organisations, lang)
    lines.append(t("import_preview_orgs", lang, n=len(table)) + ":")
    if not table.empty:
        lines += ["  " + line for line in table.to_string(index=False).splitlines()]
    if unchanged:
        lines.append("  " + t("import_preview_unchanged", lang, n=unchanged))
    return "\n".join(lines)


HISTORY_COLUMNS = ("id", "imported_at", "user_name", "file_name", "period", "rows_added", "rows_changed", "status",
                   "undone_by", "undone_at")


def _moment(iso, lang: str) -> str:
    """An ISO timestamp (UTC) in the server's time zone: "14:05 30/6/2023"."""
    if not isinstance(iso, str) or not iso:
        return ""
    try:
        moment = datetime.fromisoformat(iso).astimezone()
    except ValueError:
        return iso
    return f"{moment:%H:%M} {fmt.day(moment.date(), lang)}"


def history_table(history: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """The import log (hxcore.io.importer.import_history) with headers, times and statuses in the page's language."""
    shown = history.reindex(columns=list(HISTORY_COLUMNS)).copy()
    for column in ("imported_at", "undone_at"):
        shown[column] = [_moment(value, lang) for value in shown[column]]
    shown["status"] = [t(f"import_history_{value}", lang) if value in ("committed", "undone") else value
                       for value in shown["status"]]
    shown["period"] = [Period.parse(code).label(lang) if isinstance(code, str) else "" for code in shown["period"]]
    return shown.rename(columns={column: t(f"import_history_col_{column}", lang) for column in HISTORY_COLUMNS})
