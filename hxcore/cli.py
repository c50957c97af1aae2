"""Command line: python -m hxcore indicators | targets | list | build-demo | import | check | …

Each command parses its arguments, calls the library once and prints; errors are one line
naming the valid choices, with exit status 2.

The commands are declared in one table (COMMANDS: name, help, options, handler). The parser and
`catalog` need only the model layer, which imports nothing but the standard library; each handler
imports the db, engine, present and io modules of its own command when it runs, so that
`indicators` does not load what `handout` (Altair), `import` (openpyxl), `bench` (pandera) or
`report` (python-docx) need. pandas (with numpy) and SQLAlchemy are deferred the same way: nearly
every command needs them, but `--help`, `<command> --help` and `catalog` need neither, and would
otherwise spend most of their time importing them. The layer rule (tests/test_layers.py) lets this
file, and only this one, defer hxcore's modules and third-party packages alike; main catches a
database error without loading SQLAlchemy for a command that never did (_database_error).
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from hxcore.model.areas import after_reform
from hxcore.model.catalog import INDICATORS, INDICATORS_BY_CODE, IndicatorType
from hxcore.model.filters import BREAKDOWNS, Filter, FilterError, resolve_sectors
from hxcore.model.labels import label
from hxcore.model.periods import Comparison, Period, PeriodError
from hxcore.model.targets import STATUS_LABELS
from hxcore.model.texts import t

if TYPE_CHECKING:
    import pandas as pd

CSV_COLUMNS = ["indicator", "period", "as_of", "district", "commune", "commune_name", "sector",
               "value", "unit", "numerator", "denominator",
               "previous_period", "previous_value", "change", "share", "target", "attainment", "status", "label"]


def _filter(engine, args) -> Filter:
    from hxcore.engine.compute import available_periods, resolve_communes, resolve_districts
    from hxcore.present import frames

    period = Period.parse(args.period).code
    periods = available_periods(engine)
    if period not in periods:  # figures of a period without data would all print as "–"
        raise FilterError(f"Không có số liệu kỳ {period}. Các kỳ có số liệu: "
                          + (", ".join(periods[:12]) + (", …" if len(periods) > 12 else "") or "không có"))
    end = Period.parse(period).end
    flt = Filter(
        period=period,
        districts=resolve_districts(engine, args.district),
        sectors=resolve_sectors(args.sector),
        communes=resolve_communes(engine, getattr(args, "area", ()), end),
        old_communes=not after_reform(end),
        comparison=Comparison(args.compare),
    )
    by_district = getattr(args, "by", None) == "district" and after_reform(end)
    for note in frames.reform_notes(replace(flt, districts=("*",)) if by_district else flt, "vi"):
        print(note, file=sys.stderr)  # on stderr: the CSV on stdout stays clean
    return flt


def _print_table(frame: pd.DataFrame, columns: list[str], decimals_of) -> None:
    from hxcore.present import fmt

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

    return INDICATORS_BY_CODE[row.indicator].decimals if hasattr(row, "indicator") else 1


def cmd_indicators(args) -> int:
    from hxcore.db.schema import make_engine
    from hxcore.engine.compute import evaluate
    from hxcore.present import export

    engine = make_engine(args.db)
    flt = _filter(engine, args)
    frame = evaluate(engine, flt, args.indicator or None, by=args.by)
    if args.format == "csv":
        export.inert_frame(frame[CSV_COLUMNS]).to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        columns = ["indicator", *([args.by] if args.by else []), "value", "unit", "previous_period", "previous_value", "change",
                   "target", "status"]
        _print_table(frame, columns, _decimals)
    return 0


def cmd_targets(args) -> int:
    import pandas as pd

    from hxcore.db.schema import make_engine
    from hxcore.engine.attainment import target_table
    from hxcore.engine.targets import resolutions
    from hxcore.present import export, fmt

    engine = make_engine(args.db)
    flt = _filter(engine, args)
    if args.resolution:
        known = [r["code"] for r in resolutions(engine)]
        if args.resolution not in known:
            raise FilterError(f"Không có nghị quyết '{args.resolution}'. Có: {', '.join(known) or 'không có'}")
    table = target_table(engine, flt, args.resolution)
    if table.empty:
        scope = " cho lĩnh vực đã chọn (chỉ tiêu toàn tỉnh không tính theo lĩnh vực)" if flt.sectors else ""
        print(f"Không có chỉ tiêu nghị quyết năm {flt.parsed_period.year}{scope}.", file=sys.stderr)
        return 1
    if args.format == "csv":
        export.inert_frame(table).to_csv(sys.stdout, index=False, lineterminator="\n")
        return 0

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
            "trạng thái": label(STATUS_LABELS, row.status),
        })
    print(pd.DataFrame(lines).to_string(index=False))
    return 0


def cmd_catalog(args) -> int:
    """The indicator catalog as a Markdown table (the one in README)."""

    print("| code | chỉ tiêu | indicator | unit | type | time | definition |")
    print("|---|---|---|---|---|---|---|")
    signs = {IndicatorType.RATIO: "÷", IndicatorType.AVERAGE: "÷", IndicatorType.DIFFERENCE: "−"}
    for ind in INDICATORS:
        formula = f" ({ind.numerator} {signs[ind.type]} {ind.denominator})" if ind.denominator else ""
        print(f"| `{ind.code}` | {ind.label_vi} | {ind.label_en} | {ind.unit} | {ind.type.value}{formula} | "
              f"{ind.time.value} | {ind.definition} |")
    return 0


def cmd_bench(args) -> int:
    from hxcore.bench import run_from_cli  # pandera and DuckDB, through the demo builder and the contenders

    return run_from_cli(args)


def cmd_build_demo(args) -> int:
    """Build the demo database: never over imported data unless --force, all or nothing even if killed."""
    from hxcore.db.health import error_line, shown_url
    from hxcore.db.schema import DEFAULT_SQLITE_PATH, database_url, make_engine
    from hxcore.io.demo import DatabaseHoldsImports, build_demo
    from hxcore.io.national import build_national

    url = database_url(args.db)
    engine = make_engine(url)
    say = lambda m: print(m, flush=True)  # noqa: E731
    try:
        if url.startswith("sqlite:///"):
            DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
        if args.scale == "national":
            counts = build_national(engine, seed=args.seed, progress=say, force=args.force)
        else:
            counts = build_demo(engine, seed=args.seed, force=args.force, progress=say)
    except DatabaseHoldsImports as error:
        print(f"Từ chối: {error}. Không ghi gì. Để có dữ liệu demo, chọn một tệp khác bằng --db; chỉ khi chắc "
              "chắn muốn xóa dữ liệu đã nhập mới thêm --force (với SQLite, bản cũ được sao lưu vào backups/).",
              file=sys.stderr)
        return 1
    except OSError as error:  # a folder that cannot be made (the file being built beside is removed)
        print(f"Lỗi: không ghi được cơ sở dữ liệu {shown_url(engine)}: {error_line(error)}. Cơ sở dữ liệu cũ (nếu có) "
              "không đổi.", file=sys.stderr)
        return 1
    print(f"Đã tạo cơ sở dữ liệu demo ({shown_url(engine)}): " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


LIST_SHEETS = {"coops": "list_coops", "groups": "list_groups", "projects": "projects_list", "loans": "loans_list",
               "training": "training_list"}


def cmd_list(args) -> int:
    """A unit-level list exactly as the data page downloads it: the same rows, columns and cells."""
    from hxcore.db.schema import make_engine
    from hxcore.engine.compute import district_choices
    from hxcore.engine.lists import LISTS
    from hxcore.present import export, frames

    engine = make_engine(args.db)
    flt = _filter(engine, args)
    rows, _dates = frames.unit_rows(frames.list_labels(LISTS[args.kind](engine, flt), args.kind, "vi"), args.kind, "vi")
    names = dict(district_choices(engine))
    topic = f"danh-sach-{args.kind}"
    if args.format == "csv":
        data = export.csv_bytes(rows, args.sep)
    else:
        data = export.xlsx_bytes([(t(LIST_SHEETS[args.kind]), rows)], frames.about_rows(flt, names, "vi", topic),
                                 about_title=t("filters"))
    if args.output == "-":
        sys.stdout.buffer.write(data)
        return 0
    output = Path(args.output or export.file_name(topic, flt, names, args.format))
    output.write_bytes(data)
    print(f"Đã ghi {len(rows)} dòng vào {output}", file=sys.stderr)
    return 0


REPORT_FORMATS = ("docx", "md", "txt")


def cmd_report(args) -> int:
    """The half-year report (§I, §II and the annex by district) as a Word draft, or its text."""
    from hxcore.db.schema import make_engine
    from hxcore.engine.compute import district_choices
    from hxcore.engine.report_data import gather
    from hxcore.present import export, report

    engine = make_engine(args.db)
    flt = _filter(engine, args)
    built = report.build(gather(engine, flt))
    if args.format == "docx":
        from hxcore.present import report_docx  # python-docx: only for the Word draft

        data = report_docx.write(built)
    else:
        data = (report.to_markdown(built) if args.format == "md" else report.to_text(built)).encode()
    if args.output == "-":
        sys.stdout.buffer.write(data)
        return 0
    output = Path(args.output or export.file_name("bao-cao", flt, dict(district_choices(engine)), args.format))
    output.write_bytes(data)
    print(f"Đã ghi báo cáo {flt.parsed_period.label()} vào {output}; {len(built.flagged)} số liệu không qua kiểm tra "
          "được đánh dấu.", file=sys.stderr)
    return 0


MEETING_FILES = {"slides": ("trinh-chieu", "pptx"), "handout": ("tai-lieu", "pdf")}  # topic of the file name, extension


def cmd_slides(args) -> int:
    """The meeting's slides (.pptx) for a period and filter."""
    from hxcore.present import slides_pptx  # python-pptx, Altair and vl-convert for the charts

    return _meeting_file(args, slides_pptx.write)


def cmd_handout(args) -> int:
    """The meeting's A4 handout (.pdf) for a period and filter."""
    from hxcore.present import handout  # fpdf2, Altair and vl-convert for the charts

    return _meeting_file(args, handout.write)


def _meeting_file(args, write: Callable) -> int:
    from hxcore.db.schema import make_engine
    from hxcore.engine import meeting
    from hxcore.engine.compute import district_choices
    from hxcore.present import export, fmt

    engine = make_engine(args.db)
    flt = _filter(engine, args)
    topic, ext = MEETING_FILES[args.command]
    data = write(meeting.gather(engine, flt))
    output = Path(args.output or export.file_name(topic, flt, dict(district_choices(engine)), ext))
    output.write_bytes(data)
    print(f"Đã ghi {output} ({fmt.number(len(data) / 1024, 0)} KB)", file=sys.stderr)
    return 0


def cmd_import(args) -> int:
    """Validate a file (--dry-run) or import it in one transaction as a signed-in editor.

    The file is checked once: the commit reuses this dry run while the database has not changed."""
    from hxcore.db.schema import make_engine
    from hxcore.io import auth, importer
    from hxcore.io.importer.preview import preview as preview_changes
    from hxcore.present import import_preview

    path = Path(args.file)
    if not path.is_file():
        print(f"Lỗi: không có tệp '{args.file}'", file=sys.stderr)
        return 2
    engine = make_engine(args.db)
    data = path.read_bytes()
    plan = importer.prepare_import(engine, data, path.name, args.period, profile=args.profile)
    if not plan.summary_frame().empty:
        print(plan.summary_frame().to_string(index=False))
    if plan.problems:
        if args.report:
            Path(args.report).write_bytes(plan.problems_csv())
        print(plan.problems_frame().to_string(index=False), file=sys.stderr)
    if not plan.ok:
        print(f"Từ chối: {len(plan.errors)} lỗi, không ghi dữ liệu nào.", file=sys.stderr)
        if plan.unmapped:
            print("Gợi ý: ghép cột trên trang Nhập dữ liệu và lưu với một tên, rồi chạy lại với --profile TÊN.",
                  file=sys.stderr)
        return 1
    if args.dry_run:
        changes = preview_changes(engine, plan)  # applied and rolled back: the database stays as it was
        print(import_preview.text_report(changes.indicators, changes.organisations))
        print(f"Chạy thử: sẽ thêm {plan.rows_added} dòng, thay đổi {plan.rows_changed} dòng. Chưa ghi gì.")
        return 0

    user = args.user or input("Tên đăng nhập: ")
    password = os.environ.get("HX_PASSWORD") or getpass.getpass("Mật khẩu: ")
    try:
        session = auth.sign_in(user, password, engine=engine)  # attempts counted in this database, like the app's
        record = importer.commit_import(engine, data, path.name, args.period, session, checked=plan, profile=args.profile)
    except (auth.SignInError, auth.PermissionDenied) as error:
        print(f"Lỗi: {error}", file=sys.stderr)
        return 3
    except importer.ImportRejected as error:  # errors found since the dry run, or another import running
        print(f"Từ chối: {error}", file=sys.stderr)
        return 1
    print(record.note or f"Đã nhập (lần {record.id}): thêm {record.rows_added}, thay đổi {record.rows_changed} dòng. "
          f"Bản sao lưu: {record.backup_path or '(không có: không phải SQLite)'}")
    return 0


def cmd_check(args) -> int:
    """Run the declared validation rules on a published report (and the data) or on the data alone."""
    import pandas as pd

    from hxcore.db.schema import make_engine
    from hxcore.engine import checks as validation
    from hxcore.present import fmt

    engine = make_engine(args.db)
    try:
        reports = [args.report] if args.report else validation.published_reports(engine)
        frames = [validation.check(engine, report=name) for name in reports]
        if args.data or not reports:
            frames.append(validation.check(engine, period=args.period))
    except ValueError as error:
        print(f"Lỗi: {error}", file=sys.stderr)
        return 2
    frame = pd.concat([f for f in frames if not f.empty], ignore_index=True) if any(not f.empty for f in frames) \
        else frames[0]
    if args.format == "csv":  # sources as people read them ("báo cáo ↔ dữ liệu"), not their codes
        frame.assign(source=frame["source"].map(validation.sources_label)).to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        data_label = label(validation.SOURCE_LABELS, validation.CheckSource.DATA)
        for number, row in enumerate(frame.to_dict("records"), start=1):
            print(f"{number}. [{row['report'] or data_label} {row['period']}] {row['rule_label']}")
            print(f"   số ghi {row['stated']}, số tính được {row['computed']}"
                  + (f", chênh lệch {fmt.number(row['difference'], 2)}" if row["difference"] is not None
                     and not pd.isna(row["difference"]) else ""))
            print(f"   các số: {row['figures']}")
            if row["suspect"]:
                print(f"   nên xem lại: {row['suspect']}")
            if row["note"]:
                print(f"   ghi chú: {row['note']}")
        print(f"{len(frame)} vi phạm.")
    return 1 if args.strict and len(frame) else 0


def cmd_add_user(args) -> int:
    """Add or replace an editor in .streamlit/secrets.toml (bcrypt hash; the password is asked twice)."""
    from hxcore.io import auth

    password = os.environ.get("HX_PASSWORD")
    if not password:
        password = getpass.getpass("Mật khẩu mới: ")
        if password != getpass.getpass("Nhập lại mật khẩu: "):
            print("Lỗi: hai lần nhập mật khẩu không khớp.", file=sys.stderr)
            return 2
    try:
        path = auth.add_user(args.name, password, args.role, args.full_name or "")
    except ValueError as error:
        print(f"Lỗi: {error}", file=sys.stderr)
        return 2
    print(f"Đã lưu người dùng '{args.name.strip().lower()}' ({args.role}) vào {path}")
    return 0


# ---------------------------------------------------------------------------------------------
# The options of each command, then the table of commands


PERIOD_HELP = "2023, 2023-H1, 2023-H2, 2023-Q1..Q4"
DISTRICT_HELP = "mã GSO, slug (tam-duong) hoặc tên"
SECTOR_HELP = "mã lĩnh vực, ví dụ agriculture"


def _filter_options(sub) -> None:
    sub.add_argument("--period", required=True, help=PERIOD_HELP)
    sub.add_argument("--district", action="append", default=[], help=DISTRICT_HELP)
    sub.add_argument("--sector", action="append", default=[], help=SECTOR_HELP)
    sub.add_argument("--compare", default=Comparison.PREVIOUS_YEAR_END.value,
                     choices=[c.value for c in Comparison])
    sub.add_argument("--format", default="table", choices=["table", "csv"])


def _indicators_options(sub) -> None:
    _filter_options(sub)
    sub.add_argument("--by", choices=list(BREAKDOWNS),
                     help="commune: xã/phường đang có hiệu lực cuối kỳ; commune_2025, former_district: "
                          "xã mới và huyện cũ, so sánh được qua mốc 1/7/2025")
    sub.add_argument("--area", action="append", default=[],
                     help="xã/phường (mã GSO, slug hoặc tên) có hiệu lực cuối kỳ")
    sub.add_argument("--indicator", action="append", default=[], help="mã chỉ tiêu (lặp lại được)")


def _targets_options(sub) -> None:
    _filter_options(sub)
    sub.add_argument("--resolution", help="ví dụ 58/NQ-BCH")


def _no_options(sub) -> None:
    pass


def _bench_options(sub) -> None:
    sub.add_argument("--scale", choices=["lai-chau", "national"], default="lai-chau")
    sub.add_argument("--period", default="2023-H1")
    sub.add_argument("--repeat", type=int, default=7)
    sub.add_argument("--coops", type=int, default=30_000, help="với --scale national: số HTX")
    sub.add_argument("--groups", type=int, default=65_000, help="với --scale national: số THT")


def _build_demo_options(sub) -> None:
    sub.add_argument("--seed", type=int, default=42)
    sub.add_argument("--force", action="store_true",
                     help="ghi đè cả cơ sở dữ liệu đang chứa dữ liệu đã nhập (SQLite: bản cũ sao lưu vào backups/)")
    sub.add_argument("--scale", choices=["lai-chau", "national"], default="lai-chau",
                     help="lai-chau: dữ liệu demo của báo cáo; national: toàn quốc tổng hợp (~95.000 tổ chức)")


def _list_options(sub) -> None:
    sub.add_argument("--kind", required=True, choices=list(LIST_SHEETS))
    sub.add_argument("--period", required=True, help=PERIOD_HELP)
    sub.add_argument("--district", "--area", dest="district", action="append", default=[], help=DISTRICT_HELP)
    sub.add_argument("--sector", action="append", default=[], help=SECTOR_HELP)
    sub.add_argument("--format", default="csv", choices=["csv", "xlsx"])
    sub.add_argument("--sep", default=",", choices=[",", ";"], help="dấu phân cách CSV (';': số thập phân ',')")
    sub.add_argument("--output", help="tệp ghi ra ('-': ra màn hình; mặc định: tên tệp như trang Dữ liệu)")


def _report_options(sub) -> None:
    sub.add_argument("--period", required=True, help=PERIOD_HELP)
    sub.add_argument("--district", "--area", dest="district", action="append", default=[], help=DISTRICT_HELP)
    sub.add_argument("--format", default="docx", choices=list(REPORT_FORMATS))
    sub.add_argument("--output", help="tệp ghi ra ('-': ra màn hình; mặc định: hx_bao-cao_<nơi>_<kỳ>.docx)")


def _meeting_file_options(sub, name: str) -> None:
    topic, ext = MEETING_FILES[name]
    sub.add_argument("--period", required=True, help=PERIOD_HELP)
    sub.add_argument("--district", "--area", dest="district", action="append", default=[], help=DISTRICT_HELP)
    sub.add_argument("--sector", action="append", default=[], help=SECTOR_HELP)
    sub.add_argument("--output", help=f"tệp ghi ra (mặc định: hx_{topic}_<nơi>_<kỳ>.{ext})")


def _import_options(sub) -> None:
    sub.add_argument("file")
    sub.add_argument("--period", required=True, help="kỳ báo cáo của số liệu, ví dụ 2023-H1")
    sub.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi")
    sub.add_argument("--user", help="tên đăng nhập biên tập viên (mật khẩu hỏi khi chạy hoặc HX_PASSWORD)")
    sub.add_argument("--report", help="ghi danh sách lỗi ra tệp CSV")
    sub.add_argument("--profile", help="tên cách ghép cột đã lưu trên trang Nhập dữ liệu (cột thiếu được báo theo tên)")


def _check_options(sub) -> None:
    sub.add_argument("--report", help="mã báo cáo trong published_figures, ví dụ BC-BCH-2023-H1")
    sub.add_argument("--data", action="store_true", help="kiểm tra cả dữ liệu")
    sub.add_argument("--period", help="kỳ của dữ liệu (mặc định: kỳ mới nhất)")
    sub.add_argument("--format", default="table", choices=["table", "csv"])
    sub.add_argument("--strict", action="store_true", help="thoát với mã 1 nếu có vi phạm")


def _add_user_options(sub) -> None:
    sub.add_argument("name")
    sub.add_argument("--role", default="editor", choices=["editor", "viewer"])
    sub.add_argument("--full-name")


@dataclass(frozen=True)
class Command:
    """A subcommand as `--help` shows it and as main runs it."""

    name: str
    help: str  # its line in `python -m hxcore --help`
    options: Callable[[argparse.ArgumentParser], None]  # adds the command's arguments to its parser
    run: Callable[[argparse.Namespace], int]  # the handler: imports its command's modules, returns the exit status
    reads_data: bool = False  # refuses an empty or half-built database before the handler runs
    defaults: dict = field(default_factory=dict)  # what _filter reads that the command has no option for


COMPARE_DEFAULT = {"compare": Comparison.PREVIOUS_YEAR_END.value}

COMMANDS = (  # in the order of `python -m hxcore --help`
    Command("indicators", "bảng chỉ tiêu cho một kỳ", _indicators_options, cmd_indicators, reads_data=True),
    Command("targets", "chỉ tiêu nghị quyết và mức đạt", _targets_options, cmd_targets, reads_data=True),
    Command("catalog", "danh mục chỉ tiêu (Markdown)", _no_options, cmd_catalog),
    Command("bench", "đo tốc độ truy vấn (benchmark)", _bench_options, cmd_bench),
    Command("build-demo", "tạo lại cơ sở dữ liệu demo", _build_demo_options, cmd_build_demo),
    Command("list", "danh sách đơn vị (HTX, THT, dự án, lớp tập huấn, khoản vay) ra CSV/XLSX", _list_options, cmd_list,
            reads_data=True, defaults=COMPARE_DEFAULT),
    Command("report", "báo cáo tình hình KTTT (DOCX theo Nghị định 30/2020/NĐ-CP)", _report_options, cmd_report,
            reads_data=True, defaults={"sector": [], **COMPARE_DEFAULT}),
    Command("slides", "bản trình chiếu PowerPoint 16:9 (mỗi chỉ tiêu một trang)",
            partial(_meeting_file_options, name="slides"), cmd_slides, reads_data=True, defaults=COMPARE_DEFAULT),
    Command("handout", "tài liệu phát tay PDF khổ A4 (số liệu chính, chỉ tiêu, biểu đồ)",
            partial(_meeting_file_options, name="handout"), cmd_handout, reads_data=True, defaults=COMPARE_DEFAULT),
    Command("import", "nhập tệp Excel/CSV (kiểm tra trước, ghi tất cả hoặc không gì)", _import_options, cmd_import),
    Command("check", "kiểm tra số liệu theo các quy tắc", _check_options, cmd_check, reads_data=True),
    Command("add-user", "thêm biên tập viên vào .streamlit/secrets.toml", _add_user_options, cmd_add_user),
)
READS_DATA = tuple(command.name for command in COMMANDS if command.reads_data)
OPENS_DATA = (*READS_DATA, "import")  # upgraded first when an earlier hx made the database


class _Parser(argparse.ArgumentParser):
    """Argument errors in one line, exit status 2, like every other error of this command."""

    # argparse speaks English; the messages people actually meet, in Vietnamese.
    _MESSAGES = (
        (r"argument (\S+): invalid choice: '(.*)' \(choose from (.*)\)", r"tham số \1: không có '\2'; chọn: \3"),
        (r"argument (\S+): invalid int value: '(.*)'", r"tham số \1: '\2' không phải số nguyên"),
        (r"argument (\S+): expected one argument", r"tham số \1 cần một giá trị"),
        (r"the following arguments are required: (.*)", r"thiếu tham số bắt buộc: \1"),
        (r"unrecognized arguments: (.*)", r"tham số không hiểu được: \1"),
    )

    def error(self, message: str):
        for pattern, vietnamese in self._MESSAGES:
            message = re.sub(pattern, vietnamese, message)
        print(f"Lỗi: {message} (xem: {self.prog} --help)", file=sys.stderr)
        raise SystemExit(2)


def parser() -> argparse.ArgumentParser:
    root = _Parser(prog="python -m hxcore", description="hx: chỉ tiêu kinh tế tập thể")
    root.add_argument("--db", help="SQLAlchemy URL (mặc định: HX_DATABASE_URL hoặc data/hx.sqlite)")
    commands = root.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for command in COMMANDS:
        sub = commands.add_parser(command.name, help=command.help)
        command.options(sub)
        sub.set_defaults(run=command.run, **command.defaults)
    return root


def _unusable(engine) -> str | None:
    """One line saying why the database cannot be read (empty, half-built), None when it can.
    It suggests rebuilding the demo only where no imported data could be lost."""
    from hxcore.db.health import database_problem, import_count, latest_backup, shown_url

    problem = database_problem(engine)
    if problem is None:
        return None
    imports = import_count(engine)
    if imports:
        backup = latest_backup(engine)
        return (f"Lỗi: {problem} ({shown_url(engine)}), dù đã có {imports} lần nhập dữ liệu: dữ liệu đã nhập có thể "
                "đã mất. Đừng ghi gì thêm vào cơ sở dữ liệu này; "
                + (f"bản sao lưu gần nhất: {backup}." if backup else "hãy khôi phục từ bản sao lưu của máy chủ."))
    return (f"Lỗi: {problem} ({shown_url(engine)}). Tạo dữ liệu demo bằng: python -m hxcore build-demo, "
            "nhập tệp bằng: python -m hxcore import, hoặc chọn cơ sở dữ liệu khác bằng --db/HX_DATABASE_URL.")


def _without_password(url: str) -> str:
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


def _upgraded(engine, writes: bool = True) -> str | None:
    """A database made by an earlier hx brought to this version (hxcore.io.upgrade, with a backup
    copy first): what was done is said on stderr; None, or why it could not be (nothing changed).
    `writes=False` (a dry run, which promises to write nothing): an outdated database is refused."""
    from hxcore.db.health import error_line, shown_url
    from hxcore.io.upgrade import outdated, upgrade

    lacking = outdated(engine)  # only reads: an unreachable database raises here, and main says so
    if not lacking:
        return None
    if not writes:
        return (f"Lỗi: cơ sở dữ liệu {shown_url(engine)} do phiên bản hx cũ hơn tạo ra ({'; '.join(lacking)}). Lần chạy "
                "thử không ghi gì nên không nâng cấp nó: mở ứng dụng hoặc chạy một lệnh đọc số liệu (ví dụ "
                "python -m hxcore indicators) để nâng cấp, có sao lưu trước.")
    try:
        done = upgrade(engine)
    except Exception as error:  # noqa: BLE001 - any failure: one line, the database as it was
        return f"Lỗi: {t('db_upgrade_failed', 'vi', detail=error_line(error))} ({shown_url(engine)})."
    if done:
        print(done, file=sys.stderr)
    return None


def _database_error() -> type[Exception] | tuple[()]:
    """What main catches as a database error: SQLAlchemyError once SQLAlchemy is loaded, else nothing.

    An except clause is evaluated only when an exception reaches it, and no SQLAlchemyError can be
    raised before sqlalchemy.exc is loaded: a command that never loaded SQLAlchemy (`catalog`) does
    not load it to find out that its error is not one."""
    loaded = sys.modules.get("sqlalchemy.exc")
    return loaded.SQLAlchemyError if loaded is not None else ()


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command in OPENS_DATA:
            from sqlalchemy.exc import SQLAlchemyError

            from hxcore.db.schema import make_engine

            try:
                engine = make_engine(args.db)
                writes = not getattr(args, "dry_run", False)
                problem = _upgraded(engine, writes) or (_unusable(engine) if args.command in READS_DATA else None)
            except ImportError as error:  # the database's driver (psycopg for a PostgreSQL URL) is not installed
                raise SQLAlchemyError(str(error)) from error
            if problem:
                print(problem, file=sys.stderr)
                return 2
        return args.run(args)
    except (FilterError, PeriodError) as error:
        print(f"Lỗi: {error}", file=sys.stderr)
        return 2
    except _database_error() as error:
        # A wrong URL, a missing driver, an unreadable or empty database: say which, in one line.
        from hxcore.db.health import error_line
        from hxcore.db.schema import database_url

        detail = error_line(error)
        print(f"Lỗi: không dùng được cơ sở dữ liệu {_without_password(database_url(args.db))}: {detail}. "
              "Kiểm tra HX_DATABASE_URL/--db.", file=sys.stderr)
        return 2
    except ImportError as error:  # a package of this command (openpyxl for `import`, …) is missing
        print(f"Lỗi: thiếu gói Python {error.name or error} mà lệnh {args.command} cần. Cài lại: "
              "pip install -r requirements.txt", file=sys.stderr)
        return 2

