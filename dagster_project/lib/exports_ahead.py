"""The portal's files of a rebuilt dataset, written while the gates check.

After dbt's build a run checks every dataset (the gates: Great Expectations and Presidio,
Python on one core), then publishes each, and a publication starts by writing its files:
DuckDB writes the CSV and the Parquet file (1.4 s for 1M requests) and compares them with
the last publication (0.4 s). The files depend on the built rows only, not on the gates'
verdict, so the warehouse step starts writing them on a thread as soon as dbt is done
(``warehouse.read_beside``: a connection of its own, within the run's writer turn), and
each publication takes its dataset's files when they hold the rows it publishes (the same
published version), waiting for them if they are still being written. Otherwise (the rows
changed since, the thread failed, nothing was written ahead) the publication writes them
itself, as before. Nothing leaves the machine earlier: the upload is the publication's,
after the gates passed.

What the thread does for a dataset is what the publication would do first: the same
files in the same place (``exports.export_model``), the row comparison with the last
publication (``row_changes``' memo and its files, which the version's changelog and the
DataStore's delta read) and the files' SHA-256 (``files``' memo). A dataset whose rows
are the ones the portal has already is skipped (its publication says "unchanged" without
files). What no publication took (a gate failed, the run was stopped) is removed when the
run ends (``discard_untaken``: the files and the comparison's), so the export folder does
not keep rows a gate held back; a run killed outright (SIGKILL, the hard stop) leaves
them in the data folder (private, as the warehouse), and the next run's files replace them.

Only when the run holds the warehouse's writer turn around the warehouse step (its
earlier steps opened the warehouse: ``warehouse.read_beside``); otherwise each
publication writes its files itself, as before.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from .dictionary import Dataset
from .exports import export_model
from .files import file_sha256
from .gates.results import GateResults
from .incremental import published_version
from .row_changes import DIFFERENCE_FILES, compare_exports
from .versions import VersionHistory
from .warehouse import read_beside, stop_reads_beside

# how often a publication waiting for its files looks whether the thread is still alive
_POLL_S = 0.2


@dataclass
class _Export:
    dataset: Dataset
    out_dir: Path
    done: threading.Event = field(default_factory=threading.Event)
    version: str | None = None  # the published version of the rows the files hold
    files: dict[str, Path] | None = None
    outcome: str = "not written ahead: the thread ended before it"
    ready: bool = False  # the files, their comparison and their hashes are all done
    thread: threading.Thread | None = None


_exports: dict[str, _Export] = {}  # by dataset id
_guard = threading.Lock()
_stopping = threading.Event()  # the run is ending: start no other export


def export_ahead(
    warehouse: Path, datasets: list[Dataset], export_dir: Path, versions_dir: Path,
    gate_reports_dir: Path,
) -> list[str]:  # fmt: skip
    """Start writing ``datasets``' files on one thread, in the order given (the order
    their publications run, so the first to publish waits least); the ids started, none
    when this process does not hold the warehouse's writer turn."""
    entries = [_Export(d, export_dir / d.id) for d in datasets]
    if not entries:
        return []

    def work(conn: duckdb.DuckDBPyConnection) -> None:
        published = GateResults(gate_reports_dir)
        for entry in entries:
            try:
                _write(conn, entry, versions_dir, published)
            except _Stopped as stopped:
                entry.outcome = str(stopped)
            except Exception as error:  # noqa: BLE001 (the publication writes them itself)
                entry.outcome = f"not written ahead: that failed ({error!r})"
            finally:
                entry.done.set()

    _stopping.clear()
    with _guard:
        for entry in entries:
            _exports[entry.dataset.id] = entry
    thread = read_beside(warehouse, work, "export-ahead")
    with _guard:
        for entry in entries:
            if thread is None:
                _exports.pop(entry.dataset.id, None)
            entry.thread = thread
    return [] if thread is None else [e.dataset.id for e in entries]


class _Stopped(Exception):
    pass


def _write(
    conn: duckdb.DuckDBPyConnection, entry: _Export, versions_dir: Path, published: GateResults
) -> None:
    """Each part only while the run goes on (a stopped run waits for the part under way,
    which stop_reads_beside interrupts when it is DuckDB's)."""

    def go_on() -> None:
        if _stopping.is_set():
            raise _Stopped("not written ahead: the run was ending")

    dataset = entry.dataset
    go_on()
    # the version and the files from one snapshot of the rows (a read-only transaction)
    conn.execute("BEGIN TRANSACTION")
    try:
        entry.version = published_version(conn, dataset.model)
        record = published.get(dataset.id)
        if record is not None and record.published_version == entry.version:
            entry.outcome = "not written ahead: the portal had these rows already"
            return
        entry.files = export_model(conn, dataset.model, entry.out_dir, dataset.key_columns)
    finally:
        conn.execute("ROLLBACK")
    history = VersionHistory(versions_dir, dataset.id)
    if history.versions():  # as publish.ckan.versions.pending_version compares
        go_on()
        compare_exports(history.published_parquet, entry.files["parquet"], dataset.key_columns)
    for path in entry.files.values():
        go_on()
        file_sha256(path)
    entry.outcome, entry.ready = "written while the gates checked", True


def take_export(dataset: Dataset, version: str) -> tuple[dict[str, Path] | None, str]:
    """The files written ahead for ``dataset`` (its entry as the publication reads it)
    if they hold the rows of ``version``, sorted by its key (waiting while they are
    being written), and what happened, for the step's log."""
    with _guard:
        entry = _exports.pop(dataset.id, None)
    if entry is None:
        return None, "not written ahead"
    while not entry.done.wait(_POLL_S):
        if entry.thread is None or not entry.thread.is_alive():
            break  # the thread ended without reaching it (its connection failed)
    if not entry.ready:  # (the files written before a failure or a stop go)
        _remove(entry)
        return None, entry.outcome
    if entry.version != version:
        _remove(entry)  # (the publication writes its own in their place)
        return None, "not written ahead: the rows changed after they were written"
    if (entry.dataset.model, entry.dataset.key_columns) != (dataset.model, dataset.key_columns):
        _remove(entry)
        return None, "not written ahead: the dictionary entry changed after they were written"
    return entry.files, entry.outcome


def discard_untaken() -> None:
    """At the end of the run: stop writing ahead (nothing would take it; a stopped run
    stops at once) and remove the files written ahead that no publication took."""
    _stopping.set()
    stop_reads_beside()
    with _guard:
        left = list(_exports.values())
        _exports.clear()
    for entry in left:
        _remove(entry)


def _remove(entry: _Export) -> None:
    """The files written ahead and the comparison's (they hold the same rows)."""
    for path in (entry.files or {}).values():
        path.unlink(missing_ok=True)
    for name in DIFFERENCE_FILES:
        (entry.out_dir / name).unlink(missing_ok=True)
