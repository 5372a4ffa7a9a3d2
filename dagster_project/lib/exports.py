"""Files and row batches built from a published model for the portal.

DuckDB writes the CSV and the Parquet file itself (COPY), and hands rows to the DataStore
loader as Arrow record batches: no Python loop builds the files.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from concurrent.futures import Future, wait
from pathlib import Path

import duckdb

from .warehouse import beside, connect, literal, quote, stop_and_wait, stop_beside


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


# -- exported while the gates check ------------------------------------------------------
# A big dataset's export (the 1M requests of the scale-20 city: ~2 s, a fifth of its
# publication step) is made on the thread beside the steps (warehouse.beside) once its
# gates have passed rows the portal does not have yet, while the next steps (the other
# datasets' publications) run; its publication step takes it if the rows are still
# those. Same function, same bytes (the files are ordered by the key): only when
# they are made changes. Into a folder of its own (``AHEAD_FOLDER``) until taken: the
# dataset's folder keeps the last publication's files until its publication step
# replaces them, as before. An export no step took is stopped and deleted at the run's
# end; a killed run's is deleted when the next run takes the warehouse.
AHEAD_FOLDER = ".ahead"
# Below that many rows the export takes milliseconds: made by the publication step.
# Above the other bound it is made there too: the export's sort would hold the database's
# memory while the gates hold theirs (the 10M-row city's peak was measured without it).
EXPORT_AHEAD_MIN_ROWS = 20_000
EXPORT_AHEAD_MAX_ROWS = 5_000_000
_ahead: dict[str, tuple[str, Future]] = {}  # export folder -> (version, its export)
_ahead_guard = threading.Lock()


def export_ahead(
    warehouse: Path, model: str, out_dir: Path, key_columns: list[str], version: str
) -> bool:
    """Start exporting ``model`` as ``version`` of it beside the steps, if it is not being
    exported so already and the run keeps the warehouse open (``beside``); whether it is
    being exported ahead now."""
    key = str(out_dir)
    with _ahead_guard:
        if key in _ahead and _ahead[key][0] == version:
            return True
        if key in _ahead:  # made for other rows: no step will take it
            stop_beside(_ahead.pop(key)[1])
        ahead_dir = out_dir / AHEAD_FOLDER

        def work(conn: duckdb.DuckDBPyConnection) -> dict[str, Path]:
            shutil.rmtree(ahead_dir, ignore_errors=True)  # another version's
            return export_model(conn, model, ahead_dir, key_columns)

        future = beside(warehouse, work)
        if future is None:
            return False
        _ahead[key] = (version, future)
    return True


def take_export_ahead(out_dir: Path, version: str) -> tuple[dict[str, Path] | None, str]:
    """The files exported ahead for ``version``, moved into ``out_dir`` (waiting for the
    export if it is still running), and why there are none (for the step's log): no
    export ahead, one of other rows, one that failed. Without them the caller exports."""
    with _ahead_guard:
        started = _ahead.pop(str(out_dir), None)
    if started is None:
        return None, "not exported ahead"
    made_for, future = started
    ahead_dir = out_dir / AHEAD_FOLDER
    try:
        if made_for != version:  # (rows changed since: not these)
            stop_and_wait([future])
            return None, "exported ahead for other rows"
        try:
            wait([future])
        except BaseException:  # a stop while it waits: the export is stopped, then the stop
            stop_and_wait([future])
            raise
        try:
            files = future.result()
            paths = {kind: out_dir / path.name for kind, path in files.items()}
            for kind, path in files.items():
                os.replace(path, paths[kind])
        except Exception as error:  # noqa: BLE001 (the caller exports, in its step)
            return None, f"the export made ahead failed ({type(error).__name__}: {error})"
        return paths, "exported ahead, after its gates"
    finally:
        shutil.rmtree(ahead_dir, ignore_errors=True)


def discard_exports_ahead() -> None:
    """Stop and forget the exports made ahead that no publication took (a gate failed,
    the run was stopped), and delete their files; the run's end calls it."""
    with _ahead_guard:
        left = list(_ahead.items())
        _ahead.clear()
    stop_and_wait([future for _out_dir, (_version, future) in left])
    for out_dir, _started in left:
        shutil.rmtree(Path(out_dir) / AHEAD_FOLDER, ignore_errors=True)


def sweep_exports_ahead(export_dir: Path) -> None:
    """Delete what a killed run's exports ahead left (its turn was ended with it)."""
    for ahead_dir in export_dir.glob(f"*/{AHEAD_FOLDER}"):
        shutil.rmtree(ahead_dir, ignore_errors=True)


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
