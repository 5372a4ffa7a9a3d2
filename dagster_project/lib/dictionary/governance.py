"""What the governance group needs to see after editing the dictionary (make dictionary-check).

Errors (CI fails on them): a published column the dictionary does not describe or
classify, or a dictionary column the published model no longer has. Warnings (state of
the last runs): an approved dataset whose last gate failed, or whose update frequency
was not met. Each finding is one sentence saying what to do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from .dictionary import Dictionary

FREQUENCY = {
    "daily": timedelta(hours=30),
    "weekly": timedelta(days=8),
    "monthly": timedelta(days=33),
    "quarterly": timedelta(days=95),
    "yearly": timedelta(days=370),
}


@dataclass(frozen=True)
class Finding:
    severity: str  # error | warning
    dataset: str
    message: str


def published_columns(warehouse: Path, model: str) -> list[str] | None:
    """The published model's columns as built in the warehouse (None: not built yet)."""
    if not warehouse.exists():
        return None
    try:
        conn = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error:
        return None  # locked by a running pipeline: check next time
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
    dictionary: Dictionary, reports: Path, now: datetime | None = None
) -> list[Finding]:
    """From the reports the pipeline writes (data/gate_reports/<dataset>.json)."""
    now = now or datetime.now(UTC)
    findings = []
    for dataset in dictionary.approved_datasets:
        path = reports / f"{dataset.id}.json"
        if not path.exists():
            findings.append(
                Finding(
                    "warning",
                    dataset.id,
                    "approved but never run through its gates yet: run the pipeline",
                )
            )
            continue
        report = json.loads(path.read_text())
        for gate in ("quality_gate", "privacy_gate"):
            if report.get(gate, {}).get("passed") is False:
                findings.append(
                    Finding(
                        "warning",
                        dataset.id,
                        f"approved but its {gate} "
                        f"failed on {report[gate]['checked_at']}: "
                        f"{report[gate]['summary']}",
                    )
                )
        published = report.get("published_at")
        grace = FREQUENCY.get(dataset["update_frequency"])
        if grace and (published is None or now - datetime.fromisoformat(published) > grace):
            when = f"last published {published}" if published else "never published"
            findings.append(
                Finding(
                    "warning",
                    dataset.id,
                    f"declared {dataset['update_frequency']}"
                    f" but {when}: check its source deliveries and gates",
                )
            )
    return findings


def record(reports: Path, dataset_id: str, **entries) -> None:
    """Merge ``entries`` into the dataset's report (called by the gates and the publisher)."""
    reports.mkdir(parents=True, exist_ok=True)
    path = reports / f"{dataset_id}.json"
    report = json.loads(path.read_text()) if path.exists() else {}
    report.update(entries)
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")
