"""The targets file officials edit (data/targets.csv) and the resolutions they belong to, read and checked."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from hxcore.model.catalog import INDICATORS_BY_CODE
from hxcore.model.targets import COMPARATORS, TARGET_COLUMNS, TargetFileError
from hxcore.model.vocab import SECTOR_CODES

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
TARGETS_CSV = DATA_DIR / "targets.csv"
RESOLUTIONS_CSV = DATA_DIR / "resolutions.csv"


def read_targets_csv(path: Path = TARGETS_CSV) -> list[dict]:
    """Targets as officials edit them, checked: columns, known indicator and sector, comparator,
    numbers, and one target per indicator, sector and year of a resolution."""
    rows, seen = [], {}
    with path.open(encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in TARGET_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise TargetFileError(f"{path.name}: thiếu cột {', '.join(missing)} (cần: {', '.join(TARGET_COLUMNS)})")
        for line, row in enumerate(reader, start=2):
            where = f"{path.name}, dòng {line}"
            row = {k: (v or "").strip() for k, v in row.items() if k}
            if row["indicator"] not in INDICATORS_BY_CODE:
                raise TargetFileError(f"{where}: chỉ tiêu '{row['indicator']}' không có trong danh mục")
            if row["comparator"] not in COMPARATORS:
                raise TargetFileError(f"{where}: so sánh phải là min, max hoặc range, không phải '{row['comparator']}'")
            if row["sector"] and row["sector"] not in SECTOR_CODES:
                raise TargetFileError(f"{where}: lĩnh vực '{row['sector']}' không có (chọn: {', '.join(SECTOR_CODES)})")
            try:
                value = float(row["value"])
                value_high = float(row["value_high"]) if row["value_high"] else None
                item, year = int(row["item"]), int(row["year"])
            except ValueError as error:
                raise TargetFileError(f"{where}: số không hợp lệ ({error})") from None
            if row["comparator"] == "range" and (value_high is None or value_high < value):
                raise TargetFileError(f"{where}: chỉ tiêu khoảng cần giá trị cao ≥ giá trị thấp")
            scope = (row["resolution"], row["indicator"], row["sector"], year)
            if scope in seen:
                raise TargetFileError(f"{where}: trùng chỉ tiêu với dòng {seen[scope]} (cùng nghị quyết, chỉ tiêu, "
                                      "lĩnh vực và năm)")
            seen[scope] = line
            rows.append({
                "resolution_code": row["resolution"], "item": item, "indicator": row["indicator"],
                "comparator": row["comparator"], "value": value, "value_high": value_high,
                "sector_code": row["sector"] or None, "year": year, "wording": row["wording"],
            })
    return rows


def read_resolutions_csv(path: Path = RESOLUTIONS_CSV) -> list[dict]:
    with path.open(encoding="utf-8-sig") as handle:
        return [
            {"code": r["code"], "title": r["title"], "adopted_on": date.fromisoformat(r["adopted_on"]),
             "year": int(r["year"]), "province_code": r["province_code"] or None}
            for r in csv.DictReader(handle)
        ]
