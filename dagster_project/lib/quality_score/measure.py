"""Measure every approved dataset's quality and show each score on its portal page.

Called by the Dagster asset ``raw/_dataset_quality_scores`` once the datasets have
published; kept here so a test (or a one-off re-scoring) runs the same steps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import duckdb

from dagster_project.lib.dictionary import Dataset
from dagster_project.lib.dictionary.quality_policy import QualityPolicy
from dagster_project.lib.gates.results import GateResults

from .facts import dataset_facts
from .scoring import QualityScore, score_dataset


def measure_scores(
    conn: duckdb.DuckDBPyConnection,
    datasets: Iterable[Dataset],
    policy: QualityPolicy,
    gate_results: GateResults,
    package_of: Callable[[Dataset], dict[str, Any] | None],
    listed_in_catalog: Callable[[Dataset], bool],
    now: datetime,
) -> list[QualityScore]:
    """One score per dataset, from its facts as measured now."""
    return [
        score_dataset(
            dataset_facts(
                conn,
                dataset,
                gate_results.get(dataset.id),
                package_of(dataset),
                listed_in_catalog(dataset),
                policy,
                now,
            ),
            policy,
        )
        for dataset in datasets
    ]
