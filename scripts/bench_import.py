"""Time the import's dry run (and, with --commit, the commit) at 1.000, 3.000 and 9.000 new cooperatives;
with --district DB, the commit of one district's half-year return into a copy of DB (issue 12).

Each file is one workbook: a register sheet of N new cooperatives and a half-year returns sheet
with one return for each, so 2N data rows. It is run on a copy of the demo database; the time per
row should stay flat as N grows (issue 13, point 6). Not a unit test: timings depend on the machine.

    .venv/bin/python scripts/bench_import.py [--sizes 1000 3000 9000] [--commit] [--profile N]
    .venv/bin/python scripts/bench_import.py --district data/hx-national-30000.sqlite

The district run copies DB to a temporary folder, writes a return for every cooperative of the
district with the most cooperatives at the database's latest date (members + 1), times its dry
run, then its commit (reusing the dry run, as the import page does) while a reader thread
evaluates the period's figures without pause (errors and slowest read printed); then, for
comparison, one full rebuild of the summary tables on the same copy.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import pstats
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hxcore.db import schema  # noqa: E402
from hxcore.db.schema import make_engine  # noqa: E402
from hxcore.engine.compute import evaluate  # noqa: E402
from hxcore.engine.summary import refresh_summaries  # noqa: E402
from hxcore.io import auth, importer  # noqa: E402
from hxcore.io.demo import build_demo  # noqa: E402
from hxcore.model.areas import read_reference  # noqa: E402
from hxcore.model.filters import Filter  # noqa: E402
from hxcore.model.periods import Period  # noqa: E402

PERIOD = "2023-H1"
REGISTER = ["Tên HTX", "Huyện/thành phố", "Xã/phường/thị trấn", "Lĩnh vực", "Ngày đăng ký"]
RETURNS = ["Tên đơn vị", "Huyện/thành phố", "Tình trạng", "Vốn điều lệ (triệu đồng)", "Số thành viên",
           "Số lao động thường xuyên", "Doanh thu (triệu đồng)"]
SECTORS = ["Nông, lâm nghiệp, thủy sản", "Công nghiệp", "Xây dựng", "Thương mại, dịch vụ", "Vận tải"]


def communes_2023() -> list[tuple[str, str]]:
    """(district name, commune name) of every commune valid in 2023."""
    areas = read_reference()
    districts = {a.code: a.name for a in areas if a.level == "district"}
    return [(districts[a.parent_code], a.name) for a in areas
            if a.level == "commune" and a.parent_code in districts and a.valid_to is not None]


def workbook(n: int) -> bytes:
    """N new cooperatives spread over every commune, and their returns for 2023-H1."""
    places = communes_2023()
    book = Workbook(write_only=True)
    register, returns = book.create_sheet("Hợp tác xã"), book.create_sheet("Số liệu 6 tháng")
    register.append(REGISTER)
    returns.append(RETURNS)
    for i in range(n):
        district, commune = places[i % len(places)]
        name = f"HTX Thử tải số {i + 1:05d}"
        register.append([name, district, commune, SECTORS[i % len(SECTORS)], f"{1 + i % 28}/{1 + i % 5}/2023"])
        returns.append([name, district, "Đang hoạt động", 100 + i % 900, 7 + i % 50, 3 + i % 40, 250.5 + i % 1000])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run(size: int, demo: Path, folder: Path, commit: bool, profile: int) -> None:
    path = folder / f"bench-{size}.sqlite"
    shutil.copy(demo, path)
    engine = make_engine(f"sqlite:///{path}")
    data = workbook(size)
    profiler = cProfile.Profile() if size == profile else None
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    plan = importer.prepare_import(engine, data, f"bench-{size}.xlsx", PERIOD)
    if profiler:
        profiler.disable()
    dry = time.perf_counter() - start
    assert plan.ok and plan.rows_added == 2 * size, (plan.rows_added, plan.errors[:3])
    line = f"{size:>8,}{2 * size:>8,}{dry:>10.2f}{dry / (2 * size) * 1000:>10.3f}"
    if commit:
        start = time.perf_counter()
        importer.commit_import(engine, data, f"bench-{size}.xlsx", PERIOD, auth._issue("bench", auth.Role.EDITOR))
        took = time.perf_counter() - start
        line += f"{took:>11.2f}{took / (2 * size) * 1000:>10.3f}"
    print(line.replace(",", "."), flush=True)
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    engine.dispose()


def district_return(engine) -> tuple[bytes, str, str, int]:
    """(CSV, period code, district code, rows): every cooperative of the district with the most of them."""
    o, f = schema.organisations, schema.facts
    with engine.connect() as conn:
        # The latest half-year end the whole country reported for (the demo's own province goes on to
        # 2026, the invented ones stop at 2024): the date holding at least half the most facts of any.
        counts = conn.execute(select(f.c.as_of, func.count()).group_by(f.c.as_of)).all()
        most = max(n for _, n in counts)
        last = max(day for day, n in counts if n * 2 >= most and (day.month, day.day) in ((6, 30), (12, 31)))
        district = conn.execute(select(o.c.district_code).join(f, f.c.org_id == o.c.id)
                                .where(f.c.as_of == last, o.c.org_type == "coop").group_by(o.c.district_code)
                                .order_by(func.count().desc()).limit(1)).scalar()
        rows = conn.execute(select(o.c.name, f.c.status, f.c.members, f.c.workers).join(f, f.c.org_id == o.c.id)
                            .where(f.c.as_of == last, o.c.district_code == district, o.c.org_type == "coop")).all()
    names = [importer.org_key_name(r.name) for r in rows]
    unique = [r for r, name in zip(rows, names, strict=True) if names.count(name) == 1]
    status = {"operating": "Đang hoạt động", "stopped": "Ngừng hoạt động"}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(RETURNS[:3] + ["Số thành viên", "Số lao động thường xuyên"])
    writer.writerows([r.name, district, status[r.status], r.members + 1, r.workers] for r in unique)
    period = next(p for p in (f"{last.year}-H1", f"{last.year}-H2") if Period.parse(p).end == last)
    return buffer.getvalue().encode(), period, district, len(unique)


def run_district(source: Path, folder: Path) -> None:
    """One district's half-year return committed into a copy of `source`, with a reader running meanwhile."""
    path = folder / "district.sqlite"
    shutil.copy(source, path)
    engine = make_engine(f"sqlite:///{path}")
    data, period, district, rows = district_return(engine)
    start = time.perf_counter()
    plan = importer.prepare_import(engine, data, "district.csv", period)  # the dry run the editor sees first
    dry = time.perf_counter() - start
    reads, errors, done = [], [], threading.Event()

    def reader() -> None:
        while not done.is_set():
            start = time.perf_counter()
            try:
                evaluate(engine, Filter(period), compare=False, with_targets=False)
            except Exception as error:  # noqa: BLE001 - counted and printed
                errors.append(error)
            reads.append(time.perf_counter() - start)

    thread = threading.Thread(target=reader)
    thread.start()
    start = time.perf_counter()
    record = importer.commit_import(engine, data, "district.csv", period, auth._issue("bench", auth.Role.EDITOR),
                                    checked=plan)
    took = time.perf_counter() - start
    done.set()
    thread.join()
    print(f"district {district}, period {period}: {rows} returns, {record.rows_changed} rows changed; "
          f"dry run {dry:.2f} s, then commit {took:.2f} s; "
          f"reader: {len(reads)} reads, {len(errors)} errors, slowest {max(reads):.2f} s"
          + (f" ({errors[0]!r})" if errors else ""))
    start = time.perf_counter()
    with engine.begin() as conn:
        written = refresh_summaries(conn)
    rebuilt = f"{written:,}".replace(",", ".")
    print(f"for comparison, a full rebuild of the summary tables: {time.perf_counter() - start:.2f} s ({rebuilt} rows)")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 3000, 9000])
    parser.add_argument("--commit", action="store_true", help="also time the commit (on a fresh copy of the demo)")
    parser.add_argument("--profile", type=int, default=0, help="print the cProfile of the dry run at this size")
    parser.add_argument("--district", type=Path, help="time one district's half-year return into a copy of this SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.district:
            run_district(args.district, folder)
            return
        demo = folder / "demo.sqlite"
        build_demo(make_engine(f"sqlite:///{demo}"))
        header = f"{'HTX':>8}{'dòng':>8}{'chạy thử s':>11}{'ms/dòng':>10}"
        print(header + (f"{'ghi s':>11}{'ms/dòng':>10}" if args.commit else ""))
        for size in args.sizes:
            run(size, demo, folder, args.commit, args.profile)


if __name__ == "__main__":
    main()
