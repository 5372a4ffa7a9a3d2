"""What the governance group needs to see after editing the dictionary (make dictionary-check).

Errors (CI fails on them): a published column the dictionary does not describe or
classify, or a dictionary column the published model no longer has. Warnings (state of
the last runs): an approved dataset whose last gate failed, or whose update frequency
was not met. Each finding is one sentence saying what to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ..gates.results import GateResults
from .entries import Dictionary


@dataclass(frozen=True)
class Finding:
    severity: str  # error | warning
    dataset: str
    message: str


def published_columns(warehouse: Path, model: str) -> list[str] | None:
    """The published model's columns as built in the warehouse (None: not built yet)."""
    from ..warehouse import reader_turn

    if not warehouse.exists():
        return None
    with reader_turn(warehouse) as free:
        if not free:
            return None  # a running pipeline writes it: check next time
        try:
            conn = duckdb.connect(str(warehouse), read_only=True)
        except duckdb.Error:
            return None
        try:
            rows = conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE "
                "table_schema = 'open_data' AND table_name = ? "
                "ORDER BY ordinal_position",
                [model],
            ).fetchall()
        finally:
            conn.close()
    return [r[0] for r in rows] or None


def column_coverage(dictionary: Dictionary, warehouse: Path) -> list[Finding]:
    findings = []
    for dataset in dictionary.approved_datasets:
        built = published_columns(warehouse, dataset.model)
        if built is None:
            continue
        documented = {c.name for c in dataset.columns}
        for name in built:
            if name not in documented:
                findings.append(
                    Finding(
                        "error",
                        dataset.id,
                        f"published column {name!r} of "
                        f"{dataset.model} has no description or "
                        f"classification: add it to {dataset.path.name}",
                    )
                )
        for name in sorted(documented - set(built)):
            findings.append(
                Finding(
                    "error",
                    dataset.id,
                    f"{dataset.path.name} describes "
                    f"column {name!r}, which {dataset.model} no longer has: "
                    "remove it, or restore the column",
                )
            )
    return findings


def gate_and_freshness(
    dictionary: Dictionary, results: GateResults, now: datetime | None = None
) -> list[Finding]:
    """From the gate results and publications the pipeline recorded."""
    now = now or datetime.now(UTC)
    findings = []
    for dataset in dictionary.approved_datasets:
        record = results.get(dataset.id)
        if record is None:
            findings.append(
                Finding(
                    "warning",
                    dataset.id,
                    "approved but never run through its gates yet: run the pipeline",
                )
            )
            continue
        for outcome in record.failed_gates:
            findings.append(
                Finding(
                    "warning",
                    dataset.id,
                    f"approved but its {outcome.gate} "
                    f"failed on {outcome.checked_at.isoformat()}: "
                    f"{outcome.summary}",
                )
            )
        frequency = dataset.update_frequency
        published = record.published_at
        if frequency.grace and (published is None or now - published > frequency.grace):
            when = f"last published {published.isoformat()}" if published else "never published"
            findings.append(
                Finding(
                    "warning",
                    dataset.id,
                    f"declared {frequency.name} but {when}: check its source deliveries and gates",
                )
            )
    return findings
