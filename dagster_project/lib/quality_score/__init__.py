"""The per-dataset quality score (issue 14 item 5): policy, facts, scoring, history."""

from dagster_project.lib.dictionary.quality_policy import QualityPolicy, load_quality_policy

from .history import HISTORY_TABLE, PLATFORM_SYSTEM, append_scores, latest_extras
from .scoring import DatasetFacts, QualityScore, score_dataset

__all__ = [
    "HISTORY_TABLE",
    "PLATFORM_SYSTEM",
    "DatasetFacts",
    "QualityPolicy",
    "QualityScore",
    "append_scores",
    "latest_extras",
    "load_quality_policy",
    "score_dataset",
]
