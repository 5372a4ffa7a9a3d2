"""The ingest ledger in the warehouse: which file was read when, and what became of each row.

``raw._ingest_files``     one row per file seen: status, encoding, reconciliation, drift
``raw._quarantined_rows`` one row per (row, column) that broke the contract, with its raw
                          value and the whole record (JSON, as received)
``raw._dropped_rows``     rows removed by a named contract rule (e.g. report total rows)
``raw._flagged_values``   values loaded but outside their plausible window (contract: flag)
``raw._key_conflicts``    primary keys repeated in a file, or re-sent with other values
"""

from __future__ import annotations

import json

import duckdb

DDL = """
CREATE SCHEMA IF NOT EXISTS raw;
CREATE TABLE IF NOT EXISTS raw._ingest_files (
    system VARCHAR NOT NULL, file_name VARCHAR NOT NULL, sha256 VARCHAR NOT NULL,
    status VARCHAR NOT NULL,  -- loaded | superseded | duplicate | withdrawn | quarantined | failed
    encoding VARCHAR, rows_read BIGINT, rows_loaded BIGINT, rows_quarantined BIGINT,
    rows_dropped BIGINT, header VARCHAR[], drift VARCHAR, reason VARCHAR,
    ingested_at TIMESTAMPTZ NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS raw._quarantined_rows (
    system VARCHAR NOT NULL, file_name VARCHAR NOT NULL, sha256 VARCHAR NOT NULL,
    source_row BIGINT NOT NULL, column_name VARCHAR, rule VARCHAR NOT NULL,
    raw_value VARCHAR, quarantined_at TIMESTAMPTZ NOT NULL DEFAULT now(), record JSON);
-- warehouses from before the record was kept
ALTER TABLE raw._quarantined_rows ADD COLUMN IF NOT EXISTS record JSON;
CREATE TABLE IF NOT EXISTS raw._flagged_values (
    system VARCHAR NOT NULL, file_name VARCHAR NOT NULL, sha256 VARCHAR NOT NULL,
    source_row BIGINT NOT NULL, column_name VARCHAR, rule VARCHAR NOT NULL,
    raw_value VARCHAR, flagged_at TIMESTAMPTZ NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS raw._key_conflicts (
    system VARCHAR NOT NULL, file_name VARCHAR NOT NULL, sha256 VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,  -- in file | across files
    key JSON NOT NULL, source_rows BIGINT[], other_file VARCHAR, differences JSON,
    reported_at TIMESTAMPTZ NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS raw._dropped_rows (
    system VARCHAR NOT NULL, file_name VARCHAR NOT NULL, sha256 VARCHAR NOT NULL,
    source_row BIGINT NOT NULL, rule VARCHAR NOT NULL, reason VARCHAR, record JSON,
    dropped_at TIMESTAMPTZ NOT NULL DEFAULT now());
"""


def ensure(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(DDL)


def exists(conn: duckdb.DuckDBPyConnection) -> bool:
    """The ledger was made (a first ingest ran); read-only safe."""
    return bool(
        conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw' "
            "AND table_name = '_ingest_files'"
        ).fetchone()[0]
    )


def seen(conn, system: str, sha256: str) -> tuple[str, str] | None:
    """(file name, status) of the earlier file with this content, if any. A superseded
    (withdrawn) version is reported first: its content must never come back. A refused
    file is not seen: it left the landing folder for the quarantine, and a data engineer
    puts it back after fixing its contract (what its reason file says to do), to be read
    again; it was skipped as "already loaded", and its rows never came."""
    return conn.execute(
        "SELECT file_name, status FROM raw._ingest_files WHERE system = ? AND sha256 = ? "
        "AND status IN ('loaded', 'superseded', 'duplicate') "
        "ORDER BY status = 'superseded' DESC, ingested_at LIMIT 1",
        [system, sha256],
    ).fetchone()


def forget_failures(conn, system: str, file_name: str, sha256: str) -> None:
    """The reader's failures on this file (status 'failed'), once it has been read."""
    conn.execute(
        "DELETE FROM raw._ingest_files WHERE system = ? AND file_name = ? AND sha256 = ? "
        "AND status = 'failed'",
        [system, file_name, sha256],
    )


def recorded(conn, system: str, file_name: str, sha256: str, status: str) -> bool:
    return (
        conn.execute(
            "SELECT count(*) FROM raw._ingest_files WHERE system = ? AND file_name = ? "
            "AND sha256 = ? AND status = ?",
            [system, file_name, sha256, status],
        ).fetchone()[0]
        > 0
    )


def previous_version(conn, system: str, file_name: str) -> str | None:
    """sha256 of the loaded file this one (same name, new content) re-delivers."""
    row = conn.execute(
        "SELECT sha256 FROM raw._ingest_files WHERE system = ? AND file_name = ? "
        "AND status = 'loaded'",
        [system, file_name],
    ).fetchone()
    return row[0] if row else None


def last_header(conn, system: str) -> list[str] | None:
    row = conn.execute(
        "SELECT header FROM raw._ingest_files WHERE system = ? AND status = 'loaded' "
        "ORDER BY ingested_at DESC LIMIT 1",
        [system],
    ).fetchone()
    return list(row[0]) if row and row[0] is not None else None


def record(conn, system: str, file_name: str, sha256: str, status: str, **values) -> None:
    columns = ["system", "file_name", "sha256", "status", *values]
    params = [system, file_name, sha256, status, *values.values()]
    conn.execute(
        f"INSERT INTO raw._ingest_files ({', '.join(columns)}) "
        f"VALUES ({', '.join('?' for _ in params)})",
        params,
    )


def mark_superseded(conn, system: str, sha256: str) -> None:
    conn.execute(
        "UPDATE raw._ingest_files SET status = 'superseded' "
        "WHERE system = ? AND sha256 = ? AND status = 'loaded'",
        [system, sha256],
    )


def top_reasons(conn, system: str, sha256: str, limit: int = 5) -> list[dict]:
    rows = conn.execute(
        "SELECT column_name, rule, count(*) AS n, any_value(raw_value) AS example "
        "FROM raw._quarantined_rows WHERE system = ? AND sha256 = ? "
        "GROUP BY ALL ORDER BY n DESC LIMIT ?",
        [system, sha256, limit],
    ).fetchall()
    return [{"column": c, "rule": r, "rows": n, "example": e} for c, r, n, e in rows]


def as_json(value) -> str:
    return json.dumps(value, default=str)
