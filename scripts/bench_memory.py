"""Memory of the app as a server holds it, after visiting every page again and again (issue 12, point 3):
`python scripts/bench_memory.py [--db FILE.sqlite] [--rounds 5] [--skip PAGE] [--server [--navigate url|menu]]`.

In each round every page a visitor can open without signing in is visited once; after each round
the script prints the resident memory (VmRSS) of the process that runs the app, and its growth; the
goal is growth ≤ 5% from round 4 to 5. Default: one process plays the server with one visitor
(AppTest: the same Streamlit caches and hxcore code, no browser; measured after a garbage
collection). `--server`: `streamlit run app.py` in its own process, and each round a new visitor
(a new Chromium context) opening every page by its URL, each a new session that Streamlit keeps
two minutes after it is left (`server.disconnectedSessionTTL`), or with `--navigate menu` opening
the first by its URL and the others from the sidebar's menu, one session a round, as a person
does; each page waits until its script run is over (as tests/test_browser.py does). Every visit looks at the default filter. The
database is a copy of `--db` (default: data/hx.sqlite) in a temporary folder. Figures are printed,
never asserted.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright
from streamlit import logger
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_pages import pages  # noqa: E402

from hxcore.db.schema import DEFAULT_SQLITE_PATH  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]


def resident_mb(pid: int | str = "self") -> float:
    """A process's resident memory now (Linux /proc), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def visit_all(at: AppTest, skip: list[str]) -> None:
    for page in (page for page in pages() if page not in skip):
        at.switch_page(page)
        at.run()
        if at.exception:
            raise RuntimeError(f"{page}: {at.exception[0].message}")


def start_server(url: str) -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env={**os.environ, "HX_DATABASE_URL": url}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).status == 200:
                return process, base
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("streamlit did not start")


def settle(page) -> None:
    """Wait until the script run is over: no status widget three checks in a row."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=120_000)
    quiet, deadline = 0, time.time() + 300
    while quiet < 3 and time.time() < deadline:
        page.wait_for_timeout(300)
        busy = page.locator('[data-testid="stStatusWidget"]').count() + page.locator('[data-testid="stSkeleton"]').count()
        quiet = 0 if busy else quiet + 1


def server_rounds(url: str, rounds: int, skip: list[str], navigate: str = "url") -> None:
    process, base = start_server(url)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            sizes = [resident_mb(process.pid)]
            print(f"server started: {sizes[0]:.0f} MB")
            for number in range(1, rounds + 1):
                start, context = time.perf_counter(), browser.new_context(viewport={"width": 1600, "height": 1000})
                page, clicks = context.new_page(), 0
                for number_in_round, script in enumerate(script for script in pages() if script not in skip):
                    link = page.locator(f'[data-testid="stSidebar"] a[href^="{Path(script).stem}"]')  # hrefs are relative
                    if navigate == "menu" and number_in_round and link.count():
                        link.first.dispatch_event("click")  # the same session, as a person moving through the menu
                        clicks += 1
                    else:
                        page.goto(f"{base}/{Path(script).stem}")  # a new session for every page
                    settle(page)
                    if page.locator('[data-testid="stException"]').count():
                        raise RuntimeError(f"{script}: an exception is shown")
                context.close()
                sizes.append(resident_mb(process.pid))
                report(number, sizes, start, f", {clicks} pages opened from the menu" if navigate == "menu" else "")
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=30)


def report(number: int, sizes: list[float], start: float, extra: str = "") -> None:
    growth = (sizes[-1] - sizes[-2]) / sizes[-2] * 100
    print(f"round {number}: {sizes[-1]:.0f} MB ({sizes[-1] - sizes[-2]:+.0f} MB, {growth:+.1f}%), "
          f"{time.perf_counter() - start:.1f} s{extra}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_SQLITE_PATH, help="the SQLite file to copy and serve")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--skip", action="append", default=[], help="a page to leave out, e.g. pages/bao_cao.py")
    parser.add_argument("--server", action="store_true", help="measure a `streamlit run` server visited by Chromium")
    parser.add_argument("--navigate", choices=["url", "menu"], default="url",
                        help="--server: open every page by its URL (a new session each, kept 2 minutes after it "
                             "is left) or, after the first, by the sidebar's menu (one session a round)")
    args = parser.parse_args()
    logger.set_log_level("error")
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "hx.sqlite"
        shutil.copy(args.db, copy)
        os.environ["HX_DATABASE_URL"] = f"sqlite:///{copy}"
        print(f"{args.db.name}: {len(set(pages()) - set(args.skip))} pages a round")
        if args.server:
            server_rounds(os.environ["HX_DATABASE_URL"], args.rounds, args.skip, args.navigate)
            return
        gc.collect()
        print(f"{resident_mb():.0f} MB before the app")
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)
        at.run()
        gc.collect()
        sizes = [resident_mb()]
        print(f"after the first page: {sizes[0]:.0f} MB")
        for number in range(1, args.rounds + 1):
            start = time.perf_counter()
            visit_all(at, args.skip)
            gc.collect()
            sizes.append(resident_mb())
            report(number, sizes, start)


if __name__ == "__main__":
    main()
