"""The quality score, hand-worked: each dimension, the weights, the grade thresholds and
the edge cases (never published, a failed gate, stale data, no schedule promised)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from dagster_project.lib.dictionary.quality_policy import policy_from_spec
from dagster_project.lib.quality_score.scoring import (
    DatasetFacts,
    Dimension,
    accessibility_dimension,
    completeness_dimension,
    freshness_dimension,
    gates_dimension,
    metadata_dimension,
    score_dataset,
    weighted_total,
)

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
ALL_FORMATS = ("CSV", "Parquet", "DataStore API", "data package", "DCAT listing")
POLICY = policy_from_spec(
    {
        "dimensions": {
            "gates": {"weight": 30},
            "freshness": {"weight": 25},
            "metadata": {"weight": 20},
            "completeness": {"weight": 15},
            "accessibility": {"weight": 10},
        },
        "grades": [{"grade": "Silver", "min_score": 60}, {"grade": "Gold", "min_score": 80}],
        "failed_gate_grade": "Bronze",
        "freshness": {"zero_after_periods": 2},
        "metadata": {"min_description_chars": 15, "optional_fields": ["limitations", "keywords"]},
        "accessibility": {"formats": list(ALL_FORMATS)},
    }
)

# A perfect daily dataset: every dimension 1.0
PERFECT = DatasetFacts(
    dataset_id="service_requests",
    measured_at=NOW,
    published_at=NOW - timedelta(hours=1),
    gates={"quality_gate": True, "privacy_gate": True},
    frequency="daily",
    grace=timedelta(hours=30),
    last_arrival=NOW - timedelta(hours=6),
    columns_total=10,
    undescribed_columns=(),
    optional_fields={"limitations": True, "keywords": True},
    rows=1000,
    key_columns=("request_id", "ward"),
    empty_key_cells={},
    formats_offered=ALL_FORMATS,
)


def test_a_perfect_dataset_is_gold_with_100():
    score = score_dataset(PERFECT, POLICY)
    assert (score.grade, score.total) == ("Gold", 100)
    assert {d.score for d in score.dimensions.values()} == {1.0}


def test_gates_each_count_half():
    assert gates_dimension(PERFECT).score == 1.0
    one_failed = replace(PERFECT, gates={"quality_gate": True, "privacy_gate": False})
    dim = gates_dimension(one_failed)
    assert dim.score == 0.5
    assert dim.reason == "the quality checks passed on the latest rows; the privacy check failed"
    never = gates_dimension(replace(PERFECT, gates={}))
    assert never.score == 0.0
    assert "the quality and privacy check has not run yet" in never.reason


def test_freshness_on_time_then_linear_to_zero_after_two_periods_late():
    # daily: on time while the data is at most 30 hours old
    assert freshness_dimension(PERFECT, POLICY) == Dimension(
        1.0, "data last arrived 6 hours ago; promised daily"
    )
    on_the_edge = replace(PERFECT, last_arrival=NOW - timedelta(hours=30))
    assert freshness_dimension(on_the_edge, POLICY).score == 1.0
    # 45 h old = 15 h late; zero at 2 x 30 h = 60 h late: 1 - 15/60 = 0.75
    late = replace(PERFECT, last_arrival=NOW - timedelta(hours=45))
    dim = freshness_dimension(late, POLICY)
    assert dim.score == 0.75
    assert dim.reason == "data last arrived 45 hours ago; promised daily, so 15 hours late"
    # stale: 10 days old, far past 30 h + 60 h
    stale = replace(PERFECT, last_arrival=NOW - timedelta(days=10))
    dim = freshness_dimension(stale, POLICY)
    assert dim.score == 0.0
    assert dim.reason == "data last arrived 10 days ago; promised daily, so 8 days late"


def test_freshness_of_a_dataset_without_a_schedule_does_not_count():
    as_needed = replace(PERFECT, frequency="as needed", grace=None)
    dim = freshness_dimension(as_needed, POLICY)
    assert dim.score is None
    assert "no schedule is promised" in dim.reason
    # the other four weigh in proportion: all perfect but accessibility at 0.4
    # (30 + 20 + 15 + 10 x 0.4) / 75 = 69 / 75 = 0.92 -> 92
    partial = replace(as_needed, formats_offered=("CSV", "Parquet"))
    assert score_dataset(partial, POLICY).total == 92


def test_freshness_without_any_source_data():
    dim = freshness_dimension(replace(PERFECT, last_arrival=None), POLICY)
    assert dim == Dimension(0.0, "no source data has arrived yet; promised daily")


def test_metadata_half_columns_half_optional_fields():
    facts = replace(
        PERFECT,
        undescribed_columns=("ward", "status"),
        optional_fields={"limitations": False, "keywords": True},
    )
    dim = metadata_dimension(facts)
    # columns 8/10 = 0.8, fields 1/2 = 0.5 -> 0.65
    assert dim.score == 0.65
    assert dim.reason == "8 of 10 columns described (not: ward, status); no limitations given"


def test_completeness_counts_empty_key_values():
    facts = replace(PERFECT, empty_key_cells={"ward": 50})
    dim = completeness_dimension(facts)
    # 2 key columns x 1000 rows = 2000 values, 50 empty -> 0.975
    assert dim.score == 0.975
    assert dim.reason == (
        "97.5% of key values (request_id, ward) filled; ward is empty in 50 of 1,000 rows"
    )
    empty = completeness_dimension(replace(PERFECT, rows=0))
    assert empty == Dimension(0.0, "the published table has no rows")


def test_accessibility_counts_each_format():
    facts = replace(PERFECT, formats_offered=("CSV", "Parquet", "DataStore API"))
    dim = accessibility_dimension(facts, POLICY)
    assert dim.score == 0.6
    assert dim.reason == (
        "offered as CSV, Parquet, DataStore API; not as data package, DCAT listing"
    )


def test_weighted_total_hand_worked():
    dims = {
        "gates": Dimension(1.0, ""),
        "freshness": Dimension(0.5, ""),
        "metadata": Dimension(0.75, ""),
        "completeness": Dimension(1.0, ""),
        "accessibility": Dimension(0.6, ""),
    }
    # 30 + 12.5 + 15 + 15 + 6 = 78.5 of 100 -> rounds half up to 79
    assert weighted_total(dims, POLICY) == 79


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        (100, "Gold"),
        (80, "Gold"),
        (79.99, "Silver"),
        (60, "Silver"),
        (59.9, "Bronze"),
        (0, "Bronze"),
    ],
)
def test_grade_thresholds(total, grade):
    assert POLICY.grade(total) == grade


def test_a_stale_dataset_loses_its_gold():
    # freshness 0: 75 of 100 -> Silver
    stale = replace(PERFECT, last_arrival=NOW - timedelta(days=10))
    score = score_dataset(stale, POLICY)
    assert (score.total, score.grade) == (75, "Silver")
    assert "**Freshness 0%:** data last arrived 10 days ago" in score.reasons_markdown()


def test_a_failed_gate_caps_the_grade_at_bronze():
    # gates 0.5 -> 85 would be Gold, but the latest rows failed a check
    failed = replace(PERFECT, gates={"quality_gate": False, "privacy_gate": True})
    score = score_dataset(failed, POLICY)
    assert (score.total, score.grade) == (85, "Bronze")
    assert score.reasons_markdown().startswith("- Graded Bronze at best: the latest rows failed")


def test_a_dataset_never_published_is_not_rated():
    score = score_dataset(replace(PERFECT, published_at=None), POLICY)
    assert (score.grade, score.total, score.dimensions) == ("Not rated", None, {})
    assert score.extras() == {
        "quality_score": "Not rated",
        "quality_score_value": "",
        "quality_reasons": "- Not rated yet: it had not been published when quality was "
        "last measured.",
        "quality_measured_at": "2026-12-03T12:00:00+00:00",
    }


def test_extras_carry_the_shared_contract_keys():
    extras = score_dataset(PERFECT, POLICY).extras()
    assert extras["quality_score"] == "Gold"
    assert extras["quality_score_value"] == "100"
    assert extras["quality_reasons"].splitlines()[0] == (
        "- **Checks passed 100%:** the quality and privacy checks passed on the latest rows"
    )
    assert len(extras["quality_reasons"].splitlines()) == 5
