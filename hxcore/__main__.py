"""Command line: python -m hxcore indicators | targets | build-demo.

Each command parses its arguments, calls the library once and prints; errors are one line
naming the valid choices, with exit status 2.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from hxcore import fmt
from hxcore.compute import Filter, FilterError, evaluate, resolve_districts, resolve_sectors
from hxcore.periods import Comparison, Period, PeriodError
from hxcore.schema import database_url, make_engine

CSV_COLUMNS = ["indicator", "period", "as_of", "district", "sector", "value", "unit", "numerator", "denominator",
               "previous_period", "previous_value", "change", "share", "target", "attainment", "status", "label"]


def _filter(engine, args) -> Filter:
    Period.parse(args.period)
    return Filter(
        period=Period.parse(args.period).code,
        districts=resolve_districts(engine, args.district),
        sectors=resolve_sectors(args.sector),
        comparison=Comparison(args.compare),
    )


def _print_table(frame: pd.DataFrame, columns: list[str], decimals_of) -> None:
    shown = frame[columns].copy()
    if "status" in shown:
        shown["status"] = shown["status"].fillna("")
    for column in ("value", "previous_value", "change", "target", "attainment", "share"):
        if column in shown:
            shown[column] = [fmt.number(v, decimals_of(row), "vi") if column != "change"
                             else fmt.signed(v, decimals_of(row)) for v, row in zip(frame[column], frame.itertuples(),
                                                                                   strict=True)]
    print(shown.to_string(index=False))


def _decimals(row) -> int:
    from hxcore.catalog import INDICATORS_BY_CODE

    return INDICATORS_BY_CODE[row.indicator].decimals if hasattr(row, "indicator") else 1


def cmd_indicators(args) -> int:
    engine = make_engine(args.db)
    flt = _filter(engine, args)
    frame = evaluate(engine, flt, args.indicator or None, by=args.by)
    if args.format == "csv":
        frame[CSV_COLUMNS].to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        columns = ["indicator", *([args.by] if args.by else []), "value", "unit", "previous_value", "change",
                   "target", "status"]
        _print_table(frame, columns, _decimals)
    return 0


def cmd_targets(args) -> int:
    from hxcore.targets import STATUS_LABELS, target_table

    engine = make_engine(args.db)
    flt = _filter(engine, args)
    table = target_table(engine, flt, args.resolution)
    if table.empty:
        print(f"Không có chỉ tiêu nghị quyết cho năm {flt.parsed_period.year}.", file=sys.stderr)
        return 1
    if args.format == "csv":
        table.to_csv(sys.stdout, index=False, lineterminator="\n")
        return 0
    from hxcore.catalog import INDICATORS_BY_CODE

    lines = []
    for row in table.itertuples():
        unit = "%" if row.unit == "%" else ""
        decimals = INDICATORS_BY_CODE[row.indicator].decimals
        lines.append({
            "mục": f"({row.item})",
            "chỉ tiêu": row.indicator + (f" [{row.sector}]" if isinstance(row.sector, str) else ""),
            "mục tiêu": fmt.number(row.target, 1 if row.target % 1 else 0) + unit
            + (f"–{fmt.number(row.target_high)}" if row.comparator == "range" else ""),
            "thực hiện": fmt.number(row.actual, decimals) + unit,
            "đạt": fmt.percent(row.attainment),
            "tiến độ": fmt.number(row.expected, 1) if row.expected is not None and not pd.isna(row.expected) else "",
            "trạng thái": STATUS_LABELS[row.status],
        })
    print(pd.DataFrame(lines).to_string(index=False))
    return 0


def cmd_catalog(args) -> int:
    """The indicator catalog as a Markdown table (the one in README)."""
    from hxcore.catalog import INDICATORS

    print("| code | chỉ tiêu | indicator | unit | kind | definition |")
    print("|---|---|---|---|---|---|")
    for ind in INDICATORS:
        formula = f" ({ind.numerator} ÷ {ind.denominator})" if ind.denominator and ind.combine == "ratio" else ""
        print(f"| `{ind.code}` | {ind.label_vi} | {ind.label_en} | {ind.unit} | {ind.kind.value}{formula} | "
              f"{ind.definition} |")
    return 0


def cmd_build_demo(args) -> int:
    from hxcore.demo import build_demo
    from hxcore.schema import DEFAULT_SQLITE_PATH

    url = database_url(args.db)
    if url.startswith("sqlite:///"):
        DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    if args.scale == "national":
        from hxcore.national import build_national

        counts = build_national(make_engine(url), seed=args.seed, progress=lambda m: print(m, flush=True))
    else:
        counts = build_demo(make_engine(url), seed=args.seed)
    print(f"Đã tạo cơ sở dữ liệu demo ({url}): " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m hxcore", description="hx: chỉ tiêu kinh tế tập thể")
    root.add_argument("--db", help="SQLAlchemy URL (mặc định: HX_DATABASE_URL hoặc data/hx.sqlite)")
    commands = root.add_subparsers(dest="command", required=True)

    def filters(sub):
        sub.add_argument("--period", required=True, help="2023, 2023-H1, 2023-H2, 2023-Q1..Q4")
        sub.add_argument("--district", action="append", default=[], help="mã GSO, slug (tam-duong) hoặc tên")
        sub.add_argument("--sector", action="append", default=[], help="mã lĩnh vực, ví dụ agriculture")
        sub.add_argument("--compare", default=Comparison.PREVIOUS_YEAR_END.value,
                         choices=[c.value for c in Comparison])
        sub.add_argument("--format", default="table", choices=["table", "csv"])

    indicators = commands.add_parser("indicators", help="bảng chỉ tiêu cho một kỳ")
    filters(indicators)
    indicators.add_argument("--by", choices=["district", "sector", "province"])
    indicators.add_argument("--indicator", action="append", default=[], help="mã chỉ tiêu (lặp lại được)")
    indicators.set_defaults(run=cmd_indicators)

    targets = commands.add_parser("targets", help="chỉ tiêu nghị quyết và mức đạt")
    filters(targets)
    targets.add_argument("--resolution", help="ví dụ 58/NQ-BCH")
    targets.set_defaults(run=cmd_targets)

    catalog = commands.add_parser("catalog", help="danh mục chỉ tiêu (Markdown)")
    catalog.set_defaults(run=cmd_catalog)

    demo = commands.add_parser("build-demo", help="tạo lại cơ sở dữ liệu demo")
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("--scale", choices=["lai-chau", "national"], default="lai-chau",
                      help="lai-chau: dữ liệu demo của báo cáo; national: toàn quốc tổng hợp (~95.000 tổ chức)")
    demo.set_defaults(run=cmd_build_demo)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except (FilterError, PeriodError) as error:
        print(f"Lỗi: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
