"""Memory of the app as a server holds it, after visiting every page again and again (issue 12, point 3):
`python scripts/bench_memory.py [--db FILE.sqlite] [--rounds 5] [--periods N]`.

One process plays a server with one visitor (AppTest: the same Streamlit caches and the same hxcore
code as `streamlit run`, without the browser): it opens app.py, then in each round visits every page
a visitor can open without signing in. After each round it prints the process's resident memory
(VmRSS, after a garbage collection) and its growth; the goal is growth ≤ 5% from round 4 to 5.
`--periods N` makes each round look at another of the N latest periods first (a visitor changing the
filter): caches without a bound would then grow round after round. The database is a copy of `--db`
(default: data/hx.sqlite) in a temporary folder. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from streamlit import logger
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_pages import pages  # noqa: E402

from hxapp.view import K_PERIOD  # noqa: E402
from hxcore.db.schema import DEFAULT_SQLITE_PATH, make_engine  # noqa: E402
from hxcore.engine.compute import available_periods  # noqa: E402


def resident_mb() -> float:
    """This process's resident memory now (Linux /proc), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def visit_all(at: AppTest, period: str | None, skip: list[str]) -> None:
    shown = [page for page in pages() if page not in skip]
    if period:  # the sidebar's period (on the first page: the projector has no sidebar), kept for the others
        at.switch_page(shown[0]).run()
        at.selectbox(key=K_PERIOD).set_value(period).run()
    for page in shown:
        at.switch_page(page)
        at.run()
        if at.exception:
            raise RuntimeError(f"{page}: {at.exception[0].message}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_SQLITE_PATH, help="the SQLite file to copy and serve")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--periods", type=int, default=0, help="look at another of the N latest periods each round")
    parser.add_argument("--skip", action="append", default=[], help="a page to leave out, e.g. pages/bao_cao.py")
    args = parser.parse_args()
    logger.set_log_level("error")
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "hx.sqlite"
        shutil.copy(args.db, copy)
        os.environ["HX_DATABASE_URL"] = f"sqlite:///{copy}"
        engine = make_engine(os.environ["HX_DATABASE_URL"])
        periods = available_periods(engine)[:args.periods]
        engine.dispose()
        gc.collect()
        print(f"{args.db.name}: {len(set(pages()) - set(args.skip))} pages a round; {resident_mb():.0f} MB before the app")
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)
        at.run()
        gc.collect()
        sizes = [resident_mb()]
        print(f"after the first page: {sizes[0]:.0f} MB")
        for number in range(1, args.rounds + 1):
            start = time.perf_counter()
            visit_all(at, periods[(number - 1) % len(periods)] if periods else None, args.skip)
            gc.collect()
            sizes.append(resident_mb())
            growth = (sizes[-1] - sizes[-2]) / sizes[-2] * 100
            print(f"round {number}: {sizes[-1]:.0f} MB ({sizes[-1] - sizes[-2]:+.0f} MB, {growth:+.1f}%), "
                  f"{time.perf_counter() - start:.1f} s", flush=True)


if __name__ == "__main__":
    main()
