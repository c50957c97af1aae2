"""Label tables share one shape (code -> (Vietnamese, English)) and codes never depend on labels."""

from __future__ import annotations

import pytest

from hxcore.engine.checks import SOURCE_LABELS, CheckSource
from hxcore.io.importer import SEVERITY_LABELS, Severity
from hxcore.model import vocab
from hxcore.model.labels import code_of, label, labels_in
from hxcore.model.periods import COMPARISON_LABELS, PART_LABELS, Comparison, Period
from hxcore.model.targets import STATUS_LABELS, TargetStatus

TABLES = {
    "target status": (STATUS_LABELS, TargetStatus),
    "organisation status": (vocab.STATUS_LABELS, vocab.Status),
    "rating": (vocab.RATING_LABELS, vocab.Rating),
    "project status": (vocab.PROJECT_STATUS_LABELS, vocab.ProjectStatus),
    "training": (vocab.TRAINING_LABELS, vocab.TrainingKind),
    "scheme": (vocab.SCHEME_LABELS, vocab.ProjectScheme),
    "comparison": (COMPARISON_LABELS, Comparison),
    "check source": (SOURCE_LABELS, CheckSource),
    "severity": (SEVERITY_LABELS, Severity),
}


@pytest.mark.parametrize("name", TABLES)
def test_every_code_has_a_label_in_both_languages(name):
    table, codes = TABLES[name]
    assert set(table) == set(codes)
    for vi, en in table.values():
        assert vi and en
    assert len(set(labels_in(table, "vi").values())) == len(table)


@pytest.mark.parametrize(
    "table, code, lang, expected",
    [
        (STATUS_LABELS, TargetStatus.BEHIND, "vi", "Chậm tiến độ"),
        (STATUS_LABELS, "behind", "en", "Behind"),
        (vocab.RATING_LABELS, "kha", "vi", "Khá"),
        (vocab.RATING_LABELS, None, "vi", ""),
        (vocab.RATING_LABELS, float("nan"), "vi", ""),
        (vocab.RATING_LABELS, "unknown", "vi", "unknown"),
        (SEVERITY_LABELS, Severity.ERROR, "vi", "lỗi"),
        (PART_LABELS, "H1", "vi", "6 tháng đầu năm {y}"),
    ],
)
def test_label(table, code, lang, expected):
    assert label(table, code, lang) == expected


def test_a_label_in_either_language_leads_back_to_its_code():
    assert code_of(COMPARISON_LABELS, "So với cùng kỳ năm trước") == "same_period_last_year"
    assert code_of(COMPARISON_LABELS, "Previous year end") == "previous_year_end"
    assert code_of(COMPARISON_LABELS, "nothing") is None


def test_period_labels_follow_the_report():
    assert Period.parse("2023-H1").label() == "6 tháng đầu năm 2023"
    assert Period.parse("2023").label("en") == "Year 2023"
    assert Period.parse("2025-Q3").label() == "Quý III/2025"
