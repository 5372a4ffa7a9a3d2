"""The quality scores kept over time, appended by the pipeline to
``raw._dataset_quality_scores``: a row per dataset when a measurement changes its score,
and at least one a day.

Why a table the pipeline appends to, in ``raw``: a measurement is a fact of its moment
(how fresh the data was that day) that cannot be computed again later, like a department's
extract. dbt never writes to ``raw``, so a full rebuild (``--full-refresh``) keeps the
history; the published model ``pub_dataset_quality_scores`` reads it through staging.
"""

from __future__ import annotations

from datetime import UTC

import duckdb

from dagster_project.lib.dictionary.quality_policy import DIMENSIONS
from dagster_project.lib.dictionary.vocabulary import PLATFORM_SYSTEM  # noqa: F401 (re-export)

from .scoring import QualityScore

HISTORY_TABLE = "raw._dataset_quality_scores"

# measured_at is UTC, stored without a zone (portable SQL; the published column says UTC)
DDL = f"""
CREATE SCHEMA IF NOT EXISTS raw;
CREATE TABLE IF NOT EXISTS {HISTORY_TABLE} (
    measured_at TIMESTAMP NOT NULL, dataset_id VARCHAR NOT NULL, grade VARCHAR NOT NULL,
    total_score INTEGER, {", ".join(f"{d}_score DOUBLE" for d in DIMENSIONS)},
    reasons VARCHAR NOT NULL, PRIMARY KEY (measured_at, dataset_id));
"""


def new_measurements(
    conn: duckdb.DuckDBPyConnection, scores: list[QualityScore]
) -> list[QualityScore]:
    """The scores worth a row: those that differ from the dataset's latest row (grade,
    total or a dimension), and the day's first. A run with nothing new adds nothing (the
    portal keeps showing the latest row, measured-at time and reasons together)."""
    conn.execute(DDL)
    dims = ", ".join(f"{d}_score" for d in DIMENSIONS)
    latest = {
        row[0]: row[1:]
        for row in conn.execute(
            f"SELECT dataset_id, CAST(measured_at AS DATE), grade, total_score, {dims} "
            f"FROM {HISTORY_TABLE} QUALIFY row_number() OVER "
            "(PARTITION BY dataset_id ORDER BY measured_at DESC) = 1"
        ).fetchall()
    }
    return [s for s in scores if latest.get(s.dataset_id) != _comparable(s)]


def _comparable(score: QualityScore) -> tuple:
    day = score.measured_at.astimezone(UTC).date()
    values = [score.dimensions[d].score if d in score.dimensions else None for d in DIMENSIONS]
    return (day, score.grade, score.total, *values)


def append_scores(conn: duckdb.DuckDBPyConnection, scores: list[QualityScore]) -> int:
    """Add this measurement's rows in one transaction; returns how many."""
    conn.execute(DDL)
    rows = [
        (
            s.measured_at.astimezone(UTC).replace(tzinfo=None),
            s.dataset_id,
            s.grade,
            s.total,
            *[s.dimensions[d].score if d in s.dimensions else None for d in DIMENSIONS],
            s.reasons_markdown(),
        )
        for s in scores
    ]
    if rows:
        marks = ", ".join("?" * len(rows[0]))
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO {HISTORY_TABLE} VALUES ({marks})", rows)
        conn.execute("COMMIT")
    return len(rows)


def latest_extras(conn: duckdb.DuckDBPyConnection, dataset_id: str) -> dict[str, str]:
    """The dataset's latest score as the portal's extras, or {} before the first one."""
    try:
        row = conn.execute(
            f"SELECT grade, total_score, reasons, measured_at FROM {HISTORY_TABLE} "
            "WHERE dataset_id = ? ORDER BY measured_at DESC LIMIT 1",
            [dataset_id],
        ).fetchone()
    except duckdb.CatalogException:  # no measurement yet
        return {}
    if row is None:
        return {}
    grade, total, reasons, measured_at = row
    return {
        "quality_score": grade,
        "quality_score_value": "" if total is None else str(total),
        "quality_reasons": reasons,
        "quality_measured_at": measured_at.replace(tzinfo=UTC).isoformat(timespec="seconds"),
    }
