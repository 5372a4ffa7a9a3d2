"""Files and row batches built from a published model for the portal.

DuckDB writes the CSV and the Parquet file itself (COPY), and hands rows to the DataStore
loader as Arrow record batches: no Python loop builds the files.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import duckdb

from .warehouse import connect, literal, quote


def export_model(
    conn: duckdb.DuckDBPyConnection, model: str, out_dir: Path, key_columns: list[str]
) -> dict[str, Path]:
    """Write ``open_data.<model>`` as CSV and Parquet, ordered by its key columns, or by
    every column when it has no key: the same rows always give the same bytes, so
    unchanged data is never uploaded again.

    Each file is written beside its place and renamed into it: a new export is a new
    file, never the old one rewritten, so the version history and the DataStore's
    snapshot can keep the last publication's files as hard links (``files.keep_as``),
    and a killed export leaves the last complete one."""
    out_dir.mkdir(parents=True, exist_ok=True)
    order = ", ".join(quote(c) for c in key_columns) if key_columns else "ALL"
    query = f"SELECT * FROM open_data.{quote(model)} ORDER BY {order}"
    paths = {"csv": out_dir / f"{model}.csv", "parquet": out_dir / f"{model}.parquet"}
    staged = {kind: path.with_name(f".{path.name}.tmp") for kind, path in paths.items()}
    parquet = literal(str(staged["parquet"]))
    try:
        conn.execute(f"COPY ({query}) TO {parquet} (FORMAT parquet, COMPRESSION zstd)")
        # sorted once: the CSV from the Parquet file, in its order (DuckDB keeps a
        # file's row order when reading it), not a second ORDER BY over the model (10M
        # rows: as long again). Parquet keeps every DuckDB type, so the text is the same.
        conn.execute(
            f"COPY (SELECT * FROM read_parquet({parquet})) TO {literal(str(staged['csv']))} "
            f"(FORMAT csv, HEADER true, DATEFORMAT '%Y-%m-%d', "
            f"TIMESTAMPFORMAT '%Y-%m-%dT%H:%M:%S')"
        )
        for kind, path in paths.items():
            os.replace(staged[kind], path)
    finally:
        for path in staged.values():
            path.unlink(missing_ok=True)
    return paths


def row_count(conn: duckdb.DuckDBPyConnection, model: str) -> int:
    return conn.execute(f"SELECT count(*) FROM open_data.{quote(model)}").fetchone()[0]


def record_batches(parquet_path: Path, rows_per_batch: int) -> Iterator[list[dict]]:
    """The exported rows, batch by batch, as the JSON-ready records the DataStore API takes."""
    conn = connect()
    try:
        reader = conn.execute(
            f"SELECT * FROM read_parquet({literal(str(parquet_path))})"
        ).fetch_record_batch(rows_per_batch)
        for batch in reader:
            yield batch.to_pylist()
    finally:
        conn.close()
