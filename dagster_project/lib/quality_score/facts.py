"""Measure the facts a dataset's quality score is computed from: its gate results (the
governance store, ``lib/gates/results.py``), when its source data last arrived (the
ingest ledger), its column descriptions (the dictionary), the empty values of its key
columns (counted on the published model in the warehouse) and the formats the portal
really offers (package_show) and the catalog lists (data.json, built from the same
packages: ``publish.ckan.dataset.listed_in_catalog``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import duckdb

from dagster_project.lib.dictionary import Column, Dataset
from dagster_project.lib.dictionary.quality_policy import QualityPolicy
from dagster_project.lib.dictionary.vocabulary import (
    DICTIONARY_SYSTEM,
    FREQUENCIES,
    SYSTEMS_WITHOUT_EXTRACTS,
)
from dagster_project.lib.gates.results import DatasetRecord

from .history import HISTORY_TABLE, PLATFORM_SYSTEM
from .scoring import DatasetFacts


def is_described(column: Column, min_chars: int) -> bool:
    """A real description: long enough and more than the column's name reworded."""
    text = (column.description or "").strip().rstrip(".")
    bare = text.lower().replace(" ", "_")
    return len(text) >= min_chars and bare != column.name.lower()


def key_columns(dataset: Dataset) -> tuple[str, ...]:
    """The columns that identify or must fill a row (unique or required); all columns
    when the dictionary marks none."""
    keys = tuple(c.name for c in dataset.columns if c.is_unique or c.is_required)
    return keys or tuple(c.name for c in dataset.columns)


def last_arrival(
    conn: duckdb.DuckDBPyConnection, systems: list[str], published_at: datetime | None = None
) -> datetime | None:
    """The newest source file of these systems that loaded (the platform's own
    measurements count as its source for the quality-score dataset; for what the
    dictionary itself holds, the service inventory, the dataset's last publication of it)."""
    newest = []
    if DICTIONARY_SYSTEM in systems:
        newest.append(published_at)
    departments = [s for s in systems if s not in SYSTEMS_WITHOUT_EXTRACTS]
    if departments and _has_table(conn, "raw", "_ingest_files"):
        newest.append(
            conn.execute(
                "SELECT max(ingested_at) FROM raw._ingest_files "
                "WHERE status = 'loaded' AND list_contains(?, system)",
                [departments],
            ).fetchone()[0]
        )
    if PLATFORM_SYSTEM in systems and _has_table(conn, *HISTORY_TABLE.split(".")):
        measured = conn.execute(f"SELECT max(measured_at) FROM {HISTORY_TABLE}").fetchone()[0]
        newest.append(measured.replace(tzinfo=UTC) if measured else None)
    found = [n for n in newest if n is not None]
    return max(found) if found else None


def empty_key_cells(
    conn: duckdb.DuckDBPyConnection, model: str, columns: tuple[str, ...]
) -> tuple[int, dict[str, int]]:
    """Rows of the published model, and per key column how many are empty."""
    if not _has_table(conn, "open_data", model):
        return 0, {}
    counts = ", ".join(f'count(*) - count("{c}")' for c in columns)
    row = conn.execute(f'SELECT count(*), {counts} FROM open_data."{model}"').fetchone()
    return row[0], {c: n for c, n in zip(columns, row[1:], strict=True) if n}


def formats_offered(package: dict[str, Any] | None, listed_in_catalog: bool) -> tuple[str, ...]:
    """What a harvester or an analyst really finds on the portal for this dataset."""
    if package is None or package.get("private") or package.get("state") != "active":
        return ()
    offered = []
    resources = package.get("resources", [])
    formats = {(r.get("format") or "").lower() for r in resources}
    if "csv" in formats:
        offered.append("CSV")
    if "parquet" in formats:
        offered.append("Parquet")
    if any(r.get("datastore_active") for r in resources):
        offered.append("DataStore API")
    if any((r.get("url") or "").endswith("datapackage.json") for r in resources):
        offered.append("data package")
    if listed_in_catalog:
        offered.append("DCAT listing")
    return tuple(offered)


def dataset_facts(
    conn: duckdb.DuckDBPyConnection,
    dataset: Dataset,
    record: DatasetRecord | None,
    package: dict[str, Any] | None,
    listed_in_catalog: bool,
    policy: QualityPolicy,
    now: datetime,
) -> DatasetFacts:
    keys = key_columns(dataset)
    rows, empty = empty_key_cells(conn, dataset.model, keys)
    optional = {
        "limitations": bool(dataset.limitations),
        "keywords": bool(dataset.keywords),
        "temporal_coverage": bool(dataset.temporal_start),
    }
    return DatasetFacts(
        dataset_id=dataset.id,
        measured_at=now,
        published_at=record.published_at if record else None,
        gates={g: o.passed for g, o in record.gates.items()} if record else {},
        frequency=dataset.update_frequency.name,
        grace=FREQUENCIES[dataset.update_frequency.name].grace,
        last_arrival=last_arrival(
            conn, list(dataset.source_systems), record.published_at if record else None
        ),
        columns_total=len(dataset.columns),
        undescribed_columns=tuple(
            c.name for c in dataset.columns if not is_described(c, policy.min_description_chars)
        ),
        optional_fields={f: optional[f] for f in policy.optional_fields},
        rows=rows,
        key_columns=keys,
        empty_key_cells=empty,
        formats_offered=formats_offered(package, listed_in_catalog),
    )


def _has_table(conn: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        conn.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = ? AND table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )
