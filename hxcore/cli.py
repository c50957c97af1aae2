"""Command line: python -m hxcore indicators | targets | list | build-demo | import | check | …

Each command parses its arguments, calls the library once and prints; errors are one line
naming the valid choices, with exit status 2.
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd
from sqlalchemy.exc import SQLAlchemyError

from hxcore.bench import run_from_cli
from hxcore.db.health import database_problem, import_count, latest_backup, shown_url
from hxcore.db.schema import DEFAULT_SQLITE_PATH, database_url, make_engine
from hxcore.engine import checks as validation
from hxcore.engine import meeting
from hxcore.engine.attainment import target_table
from hxcore.engine.compute import available_periods, district_choices, evaluate, resolve_communes, resolve_districts
from hxcore.engine.lists import LISTS
from hxcore.engine.report_data import gather
from hxcore.engine.targets import resolutions
from hxcore.io import auth, importer
from hxcore.io.demo import DatabaseHoldsImports, build_demo
from hxcore.io.importer.preview import preview as preview_changes
from hxcore.io.national import build_national
from hxcore.model.areas import after_reform
from hxcore.model.catalog import INDICATORS, INDICATORS_BY_CODE, IndicatorType
from hxcore.model.filters import BREAKDOWNS, Filter, FilterError, resolve_sectors
from hxcore.model.labels import label
from hxcore.model.periods import Comparison, Period, PeriodError
from hxcore.model.targets import STATUS_LABELS
from hxcore.model.texts import t
from hxcore.present import export, fmt, frames, handout, import_preview, report, report_docx, slides_pptx

CSV_COLUMNS = ["indicator", "period", "as_of", "district", "commune", "commune_name", "sector",
               "value", "unit", "numerator", "denominator",
               "previous_period", "previous_value", "change", "share", "target", "attainment", "status", "label"]


def _filter(engine, args) -> Filter:
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
    return run_from_cli(args)


def cmd_build_demo(args) -> int:
    """Build the demo database: never over imported data unless --force, all or nothing even if killed."""
    url = database_url(args.db)
    if url.startswith("sqlite:///"):
        DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    say = lambda m: print(m, flush=True)  # noqa: E731
    try:
        if args.scale == "national":
            counts = build_national(engine, seed=args.seed, progress=say, force=args.force)
        else:
            counts = build_demo(engine, seed=args.seed, force=args.force, progress=say)
    except DatabaseHoldsImports as error:
        print(f"Từ chối: {error}. Không ghi gì. Để có dữ liệu demo, chọn một tệp khác bằng --db; chỉ khi chắc "
              "chắn muốn xóa dữ liệu đã nhập mới thêm --force (với SQLite, bản cũ được sao lưu vào backups/).",
              file=sys.stderr)
        return 1
    print(f"Đã tạo cơ sở dữ liệu demo ({shown_url(engine)}): " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


LIST_SHEETS = {"coops": "list_coops", "groups": "list_groups", "projects": "projects_list", "loans": "loans_list",
               "training": "training_list"}


def cmd_list(args) -> int:
    """A unit-level list exactly as the data page downloads it: the same rows, columns and cells."""
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


REPORT_FORMATS = {"docx": report_docx.write, "md": lambda r: report.to_markdown(r).encode(),
                  "txt": lambda r: report.to_text(r).encode()}


def cmd_report(args) -> int:
    """The half-year report (§I, §II and the annex by district) as a Word draft, or its text."""
    engine = make_engine(args.db)
    flt = _filter(engine, args)
    built = report.build(gather(engine, flt))
    data = REPORT_FORMATS[args.format](built)
    if args.output == "-":
        sys.stdout.buffer.write(data)
        return 0
    output = Path(args.output or export.file_name("bao-cao", flt, dict(district_choices(engine)), args.format))
    output.write_bytes(data)
    print(f"Đã ghi báo cáo {flt.parsed_period.label()} vào {output}; {len(built.flagged)} số liệu không qua kiểm tra "
          "được đánh dấu.", file=sys.stderr)
    return 0


MEETING_FILES = {"slides": (slides_pptx.write, "trinh-chieu", "pptx"), "handout": (handout.write, "tai-lieu", "pdf")}


def cmd_meeting_file(args) -> int:
    """The meeting's slides (.pptx) or A4 handout (.pdf) for a period and filter."""
    engine = make_engine(args.db)
    flt = _filter(engine, args)
    write, topic, ext = MEETING_FILES[args.command]
    data = write(meeting.gather(engine, flt))
    output = Path(args.output or export.file_name(topic, flt, dict(district_choices(engine)), ext))
    output.write_bytes(data)
    print(f"Đã ghi {output} ({fmt.number(len(data) / 1024, 0)} KB)", file=sys.stderr)
    return 0


def cmd_import(args) -> int:
    """Validate a file (--dry-run) or import it in one transaction as a signed-in editor.

    The file is checked once: the commit reuses this dry run while the database has not changed."""

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

    def filters(sub):
        sub.add_argument("--period", required=True, help="2023, 2023-H1, 2023-H2, 2023-Q1..Q4")
        sub.add_argument("--district", action="append", default=[], help="mã GSO, slug (tam-duong) hoặc tên")
        sub.add_argument("--sector", action="append", default=[], help="mã lĩnh vực, ví dụ agriculture")
        sub.add_argument("--compare", default=Comparison.PREVIOUS_YEAR_END.value,
                         choices=[c.value for c in Comparison])
        sub.add_argument("--format", default="table", choices=["table", "csv"])

    indicators = commands.add_parser("indicators", help="bảng chỉ tiêu cho một kỳ")
    filters(indicators)
    indicators.add_argument("--by", choices=list(BREAKDOWNS),
                            help="commune: xã/phường đang có hiệu lực cuối kỳ; commune_2025, former_district: "
                                 "xã mới và huyện cũ, so sánh được qua mốc 1/7/2025")
    indicators.add_argument("--area", action="append", default=[],
                            help="xã/phường (mã GSO, slug hoặc tên) có hiệu lực cuối kỳ")
    indicators.add_argument("--indicator", action="append", default=[], help="mã chỉ tiêu (lặp lại được)")
    indicators.set_defaults(run=cmd_indicators)

    targets = commands.add_parser("targets", help="chỉ tiêu nghị quyết và mức đạt")
    filters(targets)
    targets.add_argument("--resolution", help="ví dụ 58/NQ-BCH")
    targets.set_defaults(run=cmd_targets)

    catalog = commands.add_parser("catalog", help="danh mục chỉ tiêu (Markdown)")
    catalog.set_defaults(run=cmd_catalog)

    bench = commands.add_parser("bench", help="đo tốc độ truy vấn (benchmark)")
    bench.add_argument("--scale", choices=["lai-chau", "national"], default="lai-chau")
    bench.add_argument("--period", default="2023-H1")
    bench.add_argument("--repeat", type=int, default=7)
    bench.add_argument("--coops", type=int, default=30_000, help="với --scale national: số HTX")
    bench.add_argument("--groups", type=int, default=65_000, help="với --scale national: số THT")
    bench.set_defaults(run=cmd_bench)

    demo = commands.add_parser("build-demo", help="tạo lại cơ sở dữ liệu demo")
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("--force", action="store_true",
                      help="ghi đè cả cơ sở dữ liệu đang chứa dữ liệu đã nhập (SQLite: bản cũ sao lưu vào backups/)")
    demo.add_argument("--scale", choices=["lai-chau", "national"], default="lai-chau",
                      help="lai-chau: dữ liệu demo của báo cáo; national: toàn quốc tổng hợp (~95.000 tổ chức)")
    demo.set_defaults(run=cmd_build_demo)

    unit_list = commands.add_parser("list", help="danh sách đơn vị (HTX, THT, dự án, lớp tập huấn, khoản vay) ra CSV/XLSX")
    unit_list.add_argument("--kind", required=True, choices=list(LIST_SHEETS))
    unit_list.add_argument("--period", required=True, help="2023, 2023-H1, 2023-H2, 2023-Q1..Q4")
    unit_list.add_argument("--district", "--area", dest="district", action="append", default=[],
                           help="mã GSO, slug (tam-duong) hoặc tên")
    unit_list.add_argument("--sector", action="append", default=[], help="mã lĩnh vực, ví dụ agriculture")
    unit_list.add_argument("--format", default="csv", choices=["csv", "xlsx"])
    unit_list.add_argument("--sep", default=",", choices=[",", ";"], help="dấu phân cách CSV (';': số thập phân ',')")
    unit_list.add_argument("--output", help="tệp ghi ra ('-': ra màn hình; mặc định: tên tệp như trang Dữ liệu)")
    unit_list.set_defaults(run=cmd_list, compare=Comparison.PREVIOUS_YEAR_END.value)

    rep = commands.add_parser("report", help="báo cáo tình hình KTTT (DOCX theo Nghị định 30/2020/NĐ-CP)")
    rep.add_argument("--period", required=True, help="2023, 2023-H1, 2023-H2, 2023-Q1..Q4")
    rep.add_argument("--district", "--area", dest="district", action="append", default=[],
                     help="mã GSO, slug (tam-duong) hoặc tên")
    rep.add_argument("--format", default="docx", choices=list(REPORT_FORMATS))
    rep.add_argument("--output", help="tệp ghi ra ('-': ra màn hình; mặc định: hx_bao-cao_<nơi>_<kỳ>.docx)")
    rep.set_defaults(run=cmd_report, sector=[], compare=Comparison.PREVIOUS_YEAR_END.value)

    for name, help_text in (("slides", "bản trình chiếu PowerPoint 16:9 (mỗi chỉ tiêu một trang)"),
                            ("handout", "tài liệu phát tay PDF khổ A4 (số liệu chính, chỉ tiêu, biểu đồ)")):
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--period", required=True, help="2023, 2023-H1, 2023-H2, 2023-Q1..Q4")
        sub.add_argument("--district", "--area", dest="district", action="append", default=[],
                         help="mã GSO, slug (tam-duong) hoặc tên")
        sub.add_argument("--sector", action="append", default=[], help="mã lĩnh vực, ví dụ agriculture")
        sub.add_argument("--output", help=f"tệp ghi ra (mặc định: hx_{MEETING_FILES[name][1]}_<nơi>_<kỳ>."
                                          f"{MEETING_FILES[name][2]})")
        sub.set_defaults(run=cmd_meeting_file, compare=Comparison.PREVIOUS_YEAR_END.value)

    imp = commands.add_parser("import", help="nhập tệp Excel/CSV (kiểm tra trước, ghi tất cả hoặc không gì)")
    imp.add_argument("file")
    imp.add_argument("--period", required=True, help="kỳ báo cáo của số liệu, ví dụ 2023-H1")
    imp.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi")
    imp.add_argument("--user", help="tên đăng nhập biên tập viên (mật khẩu hỏi khi chạy hoặc HX_PASSWORD)")
    imp.add_argument("--report", help="ghi danh sách lỗi ra tệp CSV")
    imp.add_argument("--profile", help="tên cách ghép cột đã lưu trên trang Nhập dữ liệu (cột thiếu được báo theo tên)")
    imp.set_defaults(run=cmd_import)

    chk = commands.add_parser("check", help="kiểm tra số liệu theo các quy tắc")
    chk.add_argument("--report", help="mã báo cáo trong published_figures, ví dụ BC-BCH-2023-H1")
    chk.add_argument("--data", action="store_true", help="kiểm tra cả dữ liệu")
    chk.add_argument("--period", help="kỳ của dữ liệu (mặc định: kỳ mới nhất)")
    chk.add_argument("--format", default="table", choices=["table", "csv"])
    chk.add_argument("--strict", action="store_true", help="thoát với mã 1 nếu có vi phạm")
    chk.set_defaults(run=cmd_check)

    user = commands.add_parser("add-user", help="thêm biên tập viên vào .streamlit/secrets.toml")
    user.add_argument("name")
    user.add_argument("--role", default="editor", choices=["editor", "viewer"])
    user.add_argument("--full-name")
    user.set_defaults(run=cmd_add_user)
    return root


# commands that refuse an empty or half-built database
READS_DATA = ("indicators", "targets", "check", "list", "report", "slides", "handout")


def _unusable(engine) -> str | None:
    """One line saying why the database cannot be read (empty, half-built), None when it can.
    It suggests rebuilding the demo only where no imported data could be lost."""
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


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        unusable = _unusable(make_engine(args.db)) if args.command in READS_DATA else None
        if unusable:
            print(unusable, file=sys.stderr)
            return 2
        return args.run(args)
    except (FilterError, PeriodError) as error:
        print(f"Lỗi: {error}", file=sys.stderr)
        return 2
    except (SQLAlchemyError, ImportError) as error:
        # A wrong URL, a missing driver, an unreadable or empty database: say which, in one line.
        detail = str(getattr(error, "orig", None) or error).splitlines()[0]
        print(f"Lỗi: không dùng được cơ sở dữ liệu {_without_password(database_url(args.db))}: {detail}. "
              "Kiểm tra HX_DATABASE_URL/--db.", file=sys.stderr)
        return 2

