"""The figures the demo reproduces: the H1-2023 report's (and its end-2022 baseline), the
invented ones around them, and the calendar of snapshots they are placed on."""

from __future__ import annotations

from datetime import date

from hxcore.model.periods import periods_between

# --- Calendar -------------------------------------------------------------------------------
# Quarter by quarter through 2026-Q3, the data a meeting in late 2026 discusses. The years to 2024
# are built first; 2025 to 2026-Q3 afterwards from a random stream of their own (later.py), so that
# adding them changed no figure before. The last "half" is July–September 2026: nothing is dated
# after the last snapshot.
END_2024 = date(2024, 12, 31)
LAST_DAY = date(2026, 9, 30)
SNAPSHOTS_TO_2024 = [p.end for p in periods_between("2021-Q1", "2024-Q4", kind="quarter")]
SNAPSHOTS_LATER = [p.end for p in periods_between("2025-Q1", "2026-Q3", kind="quarter")]
SNAPSHOTS = SNAPSHOTS_TO_2024 + SNAPSHOTS_LATER
HALF_ENDS_TO_2024 = [p.end for p in periods_between("2020-H2", "2024-H2", kind="half")]
HALF_ENDS_LATER = [p.end for p in periods_between("2025-H1", "2026-H1", kind="half")] + [LAST_DAY]
HALF_ENDS = HALF_ENDS_TO_2024 + HALF_ENDS_LATER
H1_2023 = date(2023, 6, 30)
END_2022 = date(2022, 12, 31)

# --- Calibration: the report's figures at 30/6/2023 (section I.2.3) -----------------------
# sector: (operating, stopped, members, workers, charter capital of operating HTX, million VND)
SECTOR_2023H1 = {
    "agriculture": (174, 27, 1568, 1868, 478_756),
    "industry": (18, 4, 169, 186, 44_500),
    "construction": (68, 48, 573, 785, 235_920),
    "trade": (55, 11, 416, 551, 260_648),
    "transport": (4, 0, 46, 39, 10_850),
    # The report prints 14.640 here, copied from the credit-fund line; 11.400 is what makes the
    # sectors add up to 1.056.714 and is the 1,1% it states (README, "Contradictions").
    "environment": (5, 0, 47, 58, 11_400),
    "credit": (2, 0, 634, 0, 14_640),
}
NEW_COOPS_2023H1 = {"agriculture": 7, "industry": 1, "construction": 1, "trade": 4}  # 13 HTX
SUPPORTED_NEW_2023H1 = {"agriculture": 6, "industry": 1, "construction": 1, "trade": 3}  # 11 advised
DISSOLVED_2023H1 = {"construction": 3, "agriculture": 2, "trade": 1}  # 6 HTX
COOP_REVENUE_2023H1 = 756 * 326  # "doanh thu bình quân ... 756 triệu đồng/HTX"
COOP_INCOME_YEAR_2023H1 = 52.6  # million VND per worker per year (followed over "4,3/tháng")
EFFECTIVE_2023H1 = {"agriculture": 42, "other": 78}  # 24% of 174 and 36,8% of 326 overall
ALLIANCE_2023H1 = 176
NEW_MEMBERS_2023H1, NEW_WORKERS_2023H1 = 100, 143
COMMUNES_WITH_COOP_2023H1 = 81  # 81/106 = 76,4%: "trên 76%"
END_2022_CAPITAL = 1_056_714 - 39_600
END_2022_MEMBERS, END_2022_WORKERS = 3_360, 3_365  # 6.725 = 6.940 − 215; the split is invented

GROUPS_2023H1 = {"agriculture": 166, "non_agriculture": 112}
GROUP_PEOPLE_2023H1 = 2_115
GROUP_NEW_MEMBERS_2023H1 = 30
GROUP_INCOME_YEAR_2023H1 = 37.0

# Province totals at each half-year end (and 30/9/2026). 2023-H1 and end-2022 are the report's;
# 2020 and 2021-H1 follow the published 324/229 and 340/237; the rest is invented (no province
# totals after August 2023 are published), with growth slowing as it did from 2022.
COOPS_AT = dict(zip(HALF_ENDS, (324, 340, 361, 386, 409, 416, 423, 430, 436, 441, 447, 452, 455), strict=True))
COOPS_DISSOLVED_IN = dict(zip(HALF_ENDS[1:], (3, 4, 5, 4, 6, 5, 4, 6, 5, 4, 6, 2), strict=True))
GROUPS_AT = dict(zip(HALF_ENDS, (229, 237, 248, 262, 275, 278, 286, 291, 297, 300, 304, 309, 311), strict=True))
GROUPS_DISSOLVED_IN = dict(zip(HALF_ENDS[1:], (2, 3, 2, 4, 0, 5, 3, 4, 3, 4, 3, 1), strict=True))

# District split of the 416 HTX at 30/6/2023: Tam Đường's 44 is published, the rest invented.
DISTRICT_COOPS_2023H1 = {"105": 62, "106": 44, "107": 38, "108": 54, "109": 58, "110": 70, "111": 60, "112": 30}
TAM_DUONG = "106"
TAM_DUONG_CAPITAL_2023H1 = 141_075
GROUP_DISTRICT_WEIGHTS = {"105": 20, "106": 38, "107": 30, "108": 44, "109": 40, "110": 42, "111": 36, "112": 28}

# Fund of the alliance: outstanding 22,695 billion at 30/6/2023 after lending 1,000 and
# recovering 1,695 (4 loans settled, 8 in instalments) in the half-year.
FUND_OUTSTANDING_2023H1 = 22_695
FUND_LOANS_2023H1 = (300, 350, 350)
FUND_BORROWERS_2023H1 = ("HTX Ứng Thìn", "HTX Dương Yến", "HTX Mý Dao")  # with FUND_LOANS_2023H1
FUND_RECOVERED_2023H1, FUND_SETTLED_2023H1, FUND_PARTIAL_2023H1 = 1_695, 4, 8
PROPAGANDA_2023H1 = (19, 900)  # classes, trainees

# Organisations the report names, with their district and sector.
NAMED_COOPS = (
    ("HTX Ứng Thìn", "107", "agriculture"),
    ("HTX Nông sản dược liệu cao nguyên Sìn Hồ", "108", "agriculture"),
    ("HTX Mý Dao", "108", "agriculture"),
    ("HTX Dương Yến", "109", "agriculture"),
    ("HTX Nông lâm thủy sản Hà Dũng", "110", "agriculture"),
    ("HTX Công nghệ và Môi trường", "111", "environment"),
    ("HTX Nông nghiệp, thương mại và xây dựng Nậm Nhùn", "112", "agriculture"),
    ("Quỹ tín dụng nhân dân Than Uyên", "110", "credit"),
    ("Quỹ tín dụng nhân dân Tân Uyên", "111", "credit"),
)
UNION_NAME = "Liên hiệp HTX tiêu dùng Lai Châu"
