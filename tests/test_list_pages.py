"""A page of a unit-level list, read alone in SQL, is exactly that slice of the whole list, and the
counted length is the whole list's: the app shows pages and downloads the whole list, so both must agree."""

from __future__ import annotations

import pandas as pd
import pytest

from hxcore.engine import lists
from hxcore.model.filters import Filter

FILTERS = [
    Filter("2023-H1"),
    Filter("2026-H1"),  # after 1/7/2025: communes of the 38
    Filter("2023-H1", sectors=("agriculture",)),
    Filter("2023-H1", districts=("tam-duong",)),
]
# (first row, rows): the first page, one in the middle, one running past the end, one wholly past it.
SLICES = [(0, 25), (100, 50), (400, 100), (10_000, 10)]


def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """Values as objects, missing as None: a page whose statuses are all missing has an object
    column where the whole list has strings with NaN, which is the same table to a reader."""
    frame = frame.reset_index(drop=True).astype(object)
    return frame.where(frame.notna(), None)


@pytest.mark.parametrize("name", list(lists.UNIT_LISTS))
@pytest.mark.parametrize("flt", FILTERS, ids=lambda f: f"{f.period}-{'-'.join(f.sectors + f.districts) or 'all'}")
def test_a_page_is_the_slice_of_the_whole_list(db, name, flt):
    whole = lists.LISTS[name](db, flt)
    assert lists.list_length(db, name, flt) == len(whole)
    for first, rows in SLICES:
        page = lists.list_page(db, name, flt, first, rows)
        assert list(page.columns) == list(whole.columns)
        pd.testing.assert_frame_equal(_comparable(page), _comparable(whole.iloc[first:first + rows]))


def test_lists_are_not_empty_where_the_report_has_units(engine):
    """Guards the test above against comparing empty lists with empty lists."""
    h1 = Filter("2023-H1")
    assert {name: lists.list_length(engine, name, h1) for name in ("coops", "groups")} == {"coops": 416, "groups": 278}
    assert len(lists.list_page(engine, "coops", h1, 400, 100)) == 16
