"""The deterministic demo database of Lai Châu, 2021 to 2026-Q3, quarter by quarter, across the
reform of 1/7/2025 (organisations founded after it are located in the 38 new communes).

It reproduces every internally consistent figure of the H1-2023 report (and the end-2022
baseline the report compares with) exactly; everything else (district splits, other periods,
names of most organisations) is invented but plausible, and the database says so in `meta`.
The same builder serves the tests and `make run`.

Every step draws from one random stream (seed 42), in the order `content.lai_chau_content`
runs them; the modules, roughly in that order:

  report       the report's figures, the invented ones around them, and the calendar
  register     Org and the Register of organisations, areas and the random stream
  arith        split_total (exact integer splits), random days, half-year starts
  coops        the HTX: the report's 416, districts, new and dissolved, stop dates, communes
  groups       the THT and the union
  history      registration and dissolution dates matching the half-yearly totals
  facts        quarterly facts of every organisation
  calibration  the report's figures made to hold: base figures, end-2022, 30/6/2023, flows
  activity     training classes and trade fairs
  fund         the alliance's fund: loans and repayments
  projects     Đề án 1054 and model-cooperative projects
  content      the steps in order, and the table rows
  database     write_content (never over imported data unasked), build_demo, ensure_demo
"""

from hxcore.io.demo.arith import split_total
from hxcore.io.demo.content import SEED, lai_chau_content
from hxcore.io.demo.database import (
    DEMO_NOTE,
    DatabaseHoldsImports,
    build_demo,
    ensure_demo,
    refuse_over_imports,
    write_content,
)

__all__ = ["DEMO_NOTE", "SEED", "DatabaseHoldsImports", "build_demo", "ensure_demo", "lai_chau_content",
           "refuse_over_imports", "split_total", "write_content"]
