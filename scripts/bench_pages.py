"""Time every page's script run with AppTest, on the Lai Châu demo and on the national demo:
`python scripts/bench_pages.py [--scale both|lai-chau|national] [--coops N --groups N] [--repeat N]`.

For each page: its first run with Streamlit's data cache cleared (what the first visitor after an
import waits for) and a rerun with the cache warm (what every later click costs), medians over
`--repeat` rounds; then the national ÷ Lai Châu ratio of each. Goals (issue 12): national ≤ 1 s
first and ≤ 0,3 s cached; Lai Châu ≤ 0,3 s and ≤ 0,1 s; no page's national time above 3× its
Lai Châu time. Figures are printed, never asserted. The national database is the benchmark's
(`data/hx-national-<coops>.sqlite`), built when missing.
"""

from __future__ import annotations

import argparse
import ast
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import streamlit as st
from streamlit import logger
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hxcore.db.schema import DEFAULT_SQLITE_PATH, make_engine  # noqa: E402
from hxcore.io.demo import ensure_demo  # noqa: E402
from hxcore.io.national import build_national  # noqa: E402


def pages() -> list[str]:
    """The screens of app.py a visitor can open without signing in, in menu order, then the projector."""
    found = []
    for node in ast.walk(ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Screen" and node.args:
            editors_only = any(k.arg == "editors_only" and getattr(k.value, "value", False) for k in node.keywords)
            if not editors_only:
                found.append(node.args[0].value)
    return sorted(dict.fromkeys(found), key=lambda page: page.endswith("trinh_chieu.py"))


def database(scale: str, coops: int, groups: int) -> str:
    if scale == "lai-chau":
        engine = make_engine(f"sqlite:///{DEFAULT_SQLITE_PATH}")
        ensure_demo(engine)
        return str(engine.url)
    path = ROOT / "data" / f"hx-national-{coops}.sqlite"
    if not path.exists():
        print(f"building {path}…", flush=True)
        build_national(make_engine(f"sqlite:///{path}"), coops=coops, groups=groups, progress=lambda m: print(m, flush=True))
    return f"sqlite:///{path}"


def _timed(at: AppTest) -> float:
    start = time.perf_counter()
    at.run()
    return time.perf_counter() - start


def time_pages(url: str, repeat: int, skip=()) -> dict[str, tuple[float, float]]:
    """{page: (first run with the data cache cleared, cached rerun)} in seconds, medians."""
    os.environ["HX_DATABASE_URL"] = url
    st.cache_resource.clear()  # the engine of the previous database
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.run()  # the default page: imports and the engine, once per server
    assert not at.exception, at.exception
    times: dict[str, tuple[list[float], list[float]]] = {page: ([], []) for page in pages() if page not in skip}
    for _ in range(repeat):
        for page, (first, cached) in times.items():
            at.switch_page(page)
            st.cache_data.clear()
            first.append(_timed(at))
            assert not at.exception, (page, at.exception)
            cached.append(_timed(at))
    return {page: (statistics.median(first), statistics.median(cached)) for page, (first, cached) in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["both", "lai-chau", "national"], default="both")
    parser.add_argument("--coops", type=int, default=30_000)
    parser.add_argument("--groups", type=int, default=65_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--skip", action="append", default=[], help="a page to leave out, e.g. pages/bao_cao.py")
    args = parser.parse_args()
    logger.set_log_level("error")  # AppTest runs without a server: its warnings say so on every run
    scales = ["lai-chau", "national"] if args.scale == "both" else [args.scale]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load average "
          f"{', '.join(f'{x:.2f}' for x in os.getloadavg())} at the start; Python {platform.python_version()}; "
          f"AppTest, medians of {args.repeat} round(s); seconds")
    results = {scale: time_pages(database(scale, args.coops, args.groups), args.repeat, args.skip) for scale in scales}
    header = "".join(f"{scale + ' first':>18}{scale + ' cached':>18}" for scale in scales)
    ratio = f"{'national ÷ Lai Châu':>24}" if len(scales) == 2 else ""
    print(f"{'page':<26}{header}{ratio}")
    for page in results[scales[0]]:
        cells = "".join(f"{results[scale][page][0]:>18.2f}{results[scale][page][1]:>18.2f}" for scale in scales)
        if len(scales) == 2:
            (lai_first, lai_cached), (nat_first, nat_cached) = results["lai-chau"][page], results["national"][page]
            cells += f"{nat_first / lai_first:>14.1f}× /{nat_cached / lai_cached:>5.1f}×"
        print(f"{page:<26}{cells}")
    for scale in scales:
        firsts = [first for first, _ in results[scale].values()]
        cached = [again for _, again in results[scale].values()]
        print(f"{scale}: slowest first run {max(firsts):.2f} s, slowest cached run {max(cached):.2f} s")
    print(f"load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
