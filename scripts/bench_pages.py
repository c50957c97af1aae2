"""Time each page's full AppTest run for a few filters: `python scripts/bench_pages.py`."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PAGES = ["pages/tong_quan.py", "pages/chi_tieu.py", "pages/hop_tac_xa.py", "pages/to_hop_tac.py",
         "pages/lien_minh.py", "pages/so_sanh.py", "pages/du_lieu.py"]
FILTERS = {"toàn tỉnh": {}, "Tam Đường": {"district": ["Huyện Tam Đường"]},
           "nông nghiệp": {"sector": ["Nông, lâm nghiệp, thủy sản"]}, "quý I/2023": {"period": "Quý I/2023"}}


def main() -> None:
    print(f"{'filter':<14}{'page':<24}{'first run (s)':>14}{'cached (s)':>12}")
    totals = []
    for name, params in FILTERS.items():
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        for page in PAGES:
            start = time.perf_counter()
            at.switch_page(page).run()
            first = time.perf_counter() - start
            start = time.perf_counter()
            at.run()
            cached = time.perf_counter() - start
            assert not at.exception, (name, page)
            totals.append(first)
            print(f"{name:<14}{page:<24}{first:>14.2f}{cached:>12.2f}")
    print(f"median first run {statistics.median(totals):.2f} s, max {max(totals):.2f} s")


if __name__ == "__main__":
    main()
