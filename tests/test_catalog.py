"""The catalog speaks one vocabulary: aggregation (of a measure), type and time (of an indicator)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hxcore.model.catalog import (
    INDICATORS,
    MEASURES,
    MEASURES_BY_CODE,
    Aggregation,
    IndicatorType,
    Time,
    is_additive,
    is_paced,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("ind", INDICATORS, ids=lambda i: i.code)
def test_an_indicator_is_formed_as_its_type_says(ind):
    if ind.type == IndicatorType.SIMPLE:
        assert ind.denominator is None
    else:
        assert ind.denominator in MEASURES_BY_CODE
    if ind.type == IndicatorType.RATIO:
        assert ind.unit == "%" and ind.scale == 100
    # A figure counted from 1 January is a flow, whatever its type (revenue per HTX is an average of a flow).
    if MEASURES_BY_CODE[ind.numerator].source == "facts_ytd":
        assert ind.time == Time.FLOW


def test_only_counts_and_amounts_add_up_and_only_yearly_counts_are_paced():
    assert {i.code for i in INDICATORS if not is_additive(i)} == {
        i.code for i in INDICATORS if i.type in (IndicatorType.RATIO, IndicatorType.AVERAGE)}
    assert {i.code for i in INDICATORS if is_paced(i)} == {
        i.code for i in INDICATORS if i.type == IndicatorType.SIMPLE and i.time == Time.FLOW}
    assert "coops_new" in {i.code for i in INDICATORS if is_paced(i)}
    assert "coop_avg_revenue" not in {i.code for i in INDICATORS if is_paced(i)}


def test_every_measure_names_its_aggregation_and_sums_something():
    for measure in MEASURES:
        assert isinstance(measure.aggregation, Aggregation)
        assert (measure.value is None) == (measure.aggregation == Aggregation.COUNT), measure.code


def test_readme_shows_the_catalog_exactly_as_the_cli_prints_it():
    printed = subprocess.run([sys.executable, "-m", "hxcore", "catalog"], capture_output=True, text=True, cwd=ROOT,
                             check=True).stdout
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert printed.strip() in readme
