"""Bring a resource's DataStore table to the published rows at the speed of PostgreSQL.

The rows go to the portal as one gzip CSV and are loaded with COPY by the portal's
``city_datastore_load`` action (``ckanext-pgsearch/datastore_copy.py``), in one
transaction. When the portal already holds the previous version (same columns, same row
count as the last snapshot we sent), only the difference is sent: rows new or changed
(upserted by the dataset's key) and the keys of rows gone (deleted). DuckDB computes the
difference between the last snapshot sent and the new rows (``row_changes.key_difference``,
shared with the version's changelog).

A portal without that action (a city's own CKAN, without our plugin) gets the rows through
``datastore_upsert`` in batches, as CKAN's API allows: slower, same result.
"""

from __future__ import annotations

from concurrent import futures
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dagster_project.lib.files import file_sha256, keep_as
from dagster_project.lib.row_changes import KeyDifference, difference_files_held, key_difference
from dagster_project.lib.warehouse import connect, literal

from .publisher import CkanPublisher, NoCopyAction

# Above this share of the rows changed, loading everything is as cheap as a difference.
DELTA_MAX_SHARE = 0.5


@dataclass(frozen=True)
class PublishedRows:
    """The rows to publish (``parquet``) and where the last rows sent are kept."""

    parquet: Path
    rows: int
    key_columns: list[str]

    @property
    def sent(self) -> Path:
        """The snapshot of what the portal's DataStore holds (written after each load)."""
        return self.parquet.with_name(self.parquet.stem + ".sent.parquet")

    def sent_already(self) -> bool:
        """The DataStore was last loaded with these very rows (the exports are the same
        bytes for the same rows). False after a load that failed: the file may have gone
        up while the table kept the rows before, with the same count."""
        return (
            self.sent.exists()
            and self.sent.stat().st_size == self.parquet.stat().st_size  # (no hash to read)
            and file_sha256(self.sent) == file_sha256(self.parquet)
        )


def difference(rows: PublishedRows, work_dir: Path) -> KeyDifference:
    """Rows added, changed and removed since the last snapshot sent, by the key (the
    comparison the version's changelog made already, when it compared the same files)."""
    return key_difference(rows.sent, rows.parquet, rows.key_columns, work_dir)


def full_csv(rows: PublishedRows, work_dir: Path) -> Path:
    return gzip_csv(rows.parquet, work_dir / "datastore_rows.csv.gz")


def gzip_csv(parquet: Path, path: Path) -> Path:
    """The rows of ``parquet`` as the gzip CSV the portal's COPY loader reads."""
    conn = connect()
    try:
        conn.execute(
            f"COPY (SELECT * FROM read_parquet({literal(str(parquet))})) TO "
            f"{literal(str(path))} (FORMAT csv, HEADER true, COMPRESSION gzip, "
            f"DATEFORMAT '%Y-%m-%d', TIMESTAMPFORMAT '%Y-%m-%dT%H:%M:%S')"
        )
    finally:
        conn.close()
    return path


def load_rows(
    publisher: CkanPublisher,
    resource_id: str,
    fields: list[dict[str, Any]],
    rows: PublishedRows,
    batches,
) -> str:
    """Make the DataStore table hold ``rows``; return what was done, for the run summary."""
    work_dir = rows.parquet.parent
    current = publisher.datastore_state(resource_id)
    same_table = (
        current is not None
        and current["columns"] == [f["id"] for f in fields]
        and rows.key_columns
        and rows.sent.exists()
        and current["rows"] == _count(rows.sent)
    )
    try:
        if same_table:
            with difference_files_held():
                delta = difference(rows, work_dir)
                if delta.size == 0:
                    outcome = "unchanged"
                elif delta.size <= DELTA_MAX_SHARE * max(rows.rows, 1):
                    upserts = gzip_csv(delta.upserts, work_dir / "delta_upserts.csv.gz")
                    deletes = gzip_csv(delta.deletes, work_dir / "delta_deletes.csv.gz")
                    publisher.copy_datastore(
                        resource_id, fields, rows.key_columns, upserts, "upsert", rows.rows,
                        delete=deletes,
                    )  # fmt: skip
                    outcome = (
                        f"+{delta.added} added, ~{delta.changed} changed, -{delta.removed} removed"
                    )
                else:
                    same_table = False
        if not same_table:
            publisher.copy_datastore(
                resource_id, fields, rows.key_columns, full_csv(rows, work_dir), "replace",
                rows.rows,
            )  # fmt: skip
            outcome = "loaded"
    except NoCopyAction:
        publisher.load_datastore(resource_id, fields, batches())
        outcome = "loaded (row by row: the portal has no COPY loader)"
    keep_as(rows.parquet, rows.sent)
    return outcome


def upload_while_loading(
    publisher: CkanPublisher,
    package: dict[str, Any],
    resource: dict[str, Any],
    path: Path,
    fields: list[dict[str, Any]],
    rows: PublishedRows,
    batches,
) -> tuple[dict[str, Any], str, str | None]:
    """Upload the CSV resource's file and, at the same time, bring its DataStore table
    to ``rows``: the load runs on another thread, with an HTTP session of its own, so the
    portal's second worker and PostgreSQL load while the first worker takes the file
    (one after the other, the upload of a 1M-request CSV and its DataStore delta took
    0.6 s and 0.25 s; ten times that at 10M). Returns the resource, what happened to the
    file, and the load's outcome (None: not run, the caller decides).

    Only for a resource that holds a file and a DataStore table already, and a file that
    changed: a new resource gets its id from the upload, and for an unchanged file the
    caller may leave the table as it is. The two calls touch different things: the
    upload replaces the resource's file and metadata, the load writes the table and
    leaves the resource alone (CKAN's datastore_create marks a resource datastore_active
    only when it is not yet). Files of two resources are never sent at once: each
    upload rewrites the whole package in CKAN, and two at once could undo each other."""
    held = next((r for r in package.get("resources", []) if r["name"] == resource["name"]), None)
    beside = (
        publisher.beside()
        if held is not None
        and held.get("datastore_active")
        and held.get("content_sha256") != file_sha256(path)
        else None
    )
    if beside is None:
        return (*publisher.upsert_resource(package, resource, path), None)
    with futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="datastore-load") as pool:
        loading = pool.submit(load_rows, beside, held["id"], fields, rows, batches)
        try:
            published, action = publisher.upsert_resource(package, resource, path)
        except BaseException as failed:
            futures.wait([loading])  # a failed upload never leaves the load running
            if loading.exception() is not None:
                failed.add_note(f"The DataStore load beside it failed too: {loading.exception()}")
            raise
        outcome = loading.result()
    publisher.datastore_seconds += beside.datastore_seconds
    return published, action, outcome


def _count(parquet: Path) -> int:
    conn = connect()
    try:
        return conn.execute(
            f"SELECT count(*) FROM read_parquet({literal(str(parquet))})"
        ).fetchone()[0]
    finally:
        conn.close()
