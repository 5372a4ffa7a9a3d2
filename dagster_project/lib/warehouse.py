"""Open the DuckDB warehouse with the extensions our readers need, offline.

``INSTALL excel`` downloads from the internet, which a city's servers often cannot reach;
the pinned PyPI wheels ``duckdb-ext-excel`` and ``duckdb-ext-encodings`` ship the same
extensions, so we point DuckDB's extension directory at them.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from stat import S_ISREG

import duckdb
import duckdb_ext  # namespace package holding the extension binaries

log = logging.getLogger(__name__)

EXTENSION_DIR = Path(next(iter(duckdb_ext.__path__))) / "extensions"
# DuckDB takes 80% of the machine's memory for its buffers by default, and keeps what it
# read: a run over a big warehouse then holds gigabytes it does not need. Bounded, DuckDB
# spills to disk instead. The pipeline's process also holds Dagster, Great Expectations,
# Presidio and pandas batches (0.8-1 GB), and DuckDB goes up to a third above its limit:
# 1.5 GB keeps the process under 3 GB at 10M requests, where 2 GB reached 3 GB. dbt runs
# in a process of its own with 2 GB (dbt/profiles.yml); the variable sets both.
MEMORY_LIMIT = os.environ.get("PLATFORM_DUCKDB_MEMORY_LIMIT") or "1536MB"


def connect(path: Path | str = ":memory:", read_only: bool = False) -> duckdb.DuckDBPyConnection:
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        if not read_only:
            set_aside_if_never_written(Path(path))
    return duckdb.connect(
        str(path),
        read_only=read_only,
        config={
            "extension_directory": str(EXTENSION_DIR),
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": True,
            "memory_limit": MEMORY_LIMIT,
        },
    )


# DuckDB writes a new database's three header blocks before anything else: a file shorter
# than them is one whose creation was cut off (the run killed between creating the file
# and writing its header), and holds nothing.
DUCKDB_HEADER_BYTES = 3 * 4096


def never_written(path: Path) -> bool:
    """The warehouse file exists but DuckDB never wrote its header (nor a log). Only a
    regular file (a directory or a link there is for whoever put it there)."""
    try:
        stat = path.lstat()
    except FileNotFoundError:
        return False
    if not S_ISREG(stat.st_mode):
        return False
    size = stat.st_size
    wal = path.with_name(path.name + ".wal")
    return size < DUCKDB_HEADER_BYTES and not (wal.exists() and wal.stat().st_size > 0)


def set_aside_if_never_written(path: Path) -> Path | None:
    """A warehouse file that a killed run created but never wrote (shorter than DuckDB's
    header) is moved aside (``<name>.never-written-<time>``, kept for whoever looks), so
    that the next run makes the database anew: DuckDB refuses such a file ("not a valid
    DuckDB database file") and every later run failed the same way. Returns where it went."""
    if not never_written(path):
        return None
    size, wal = path.stat().st_size, path.with_name(path.name + ".wal")
    aside = path.with_name(f"{path.name}.never-written-{time.strftime('%Y%m%dT%H%M%S')}")
    path.rename(aside)
    wal.unlink(missing_ok=True)  # (empty)
    log.warning(
        f"{path}: {size} bytes, never written by DuckDB (a run killed while it created "
        f"it); moved to {aside.name}, the warehouse is made anew"
    )
    return aside


def quote(identifier: str) -> str:
    """A DuckDB identifier, quoted."""
    return '"' + identifier.replace('"', '""') + '"'


def literal(value: str) -> str:
    """A DuckDB string literal (for paths and names in reader calls that take no parameters)."""
    return "'" + value.replace("'", "''") + "'"


# -- a run's steps share one open warehouse -----------------------------------------------
# Each open of the warehouse file reads its catalog (~30 ms with ~150 tables) and the last
# close of it checkpoints: a run's steps opened it ~40 times, 1.5 s of a 1% delta run.
# DuckDB shares an open database among the connections of one process, so while one
# connection stays open every other open costs under a millisecond. Kept only by a holder
# of the writer turn for as long as it holds it (WarehouseResource: the whole run), since
# another process would find DuckDB's own lock; closed before dbt, a process of its own,
# writes the file (CityDbtCliResource.cli).
_kept_open: dict[str, duckdb.DuckDBPyConnection] = {}


def _key(warehouse: Path | str) -> str:
    """The warehouse as this process's registries (kept connection, writer turn) know it."""
    return str(Path(warehouse).resolve())


def keep_open(warehouse: Path) -> None:
    """Open the warehouse once more and keep it open until ``close_kept``."""
    key = _key(warehouse)
    with _held_guard:
        if key not in _kept_open:
            _kept_open[key] = connect(warehouse)


def release_cached_memory(warehouse: Path) -> None:
    """Give back the memory of the pages the kept database cached (they are on disk):
    between steps the kept database would otherwise hold up to ``MEMORY_LIMIT`` of them
    beside the next step's own memory (pandas batches, Presidio), where a step that
    closed the file gave it all back. DuckDB evicts down to a lowered limit at once; the
    limit is then set back. Measured: 467 MB -> 90 MB of RSS after a 1M-row scan."""
    with _held_guard:
        kept = _kept_open.get(_key(warehouse))
    if kept is None:
        return
    try:
        kept.execute("SET memory_limit = '32MB'")
    except duckdb.Error:
        pass  # more is pinned than that (an open result): freed as far as it goes
    try:
        kept.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    except duckdb.Error:  # the database failed (a full disk): the step's own error says why
        close_kept(warehouse)


def close_kept(warehouse: Path) -> None:
    """Close what ``keep_open`` kept (the database closes with its last connection)."""
    with _held_guard:
        kept = _kept_open.pop(_key(warehouse), None)
    if kept is not None:
        kept.close()


# -- one writer at a time, across processes ------------------------------------------------
_held: dict[str, int] = {}
_held_guard = threading.Lock()


@contextmanager
def writer_turn(warehouse: Path, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Wait for, then hold, the warehouse's write turn (an OS file lock beside it).

    DuckDB lets one process write a file and refuses any other ("Could not set lock").
    Every writer (a run's steps, the CLI, a second run started by hand) takes its turn
    here instead, so concurrent runs queue rather than fail. Re-entrant in one process.
    """
    key = _key(warehouse)
    with _held_guard:
        if _held.get(key):
            _held[key] += 1
            nested = True
        else:
            nested = False
    if nested:
        try:
            yield
        finally:
            with _held_guard:
                _held[key] -= 1
        return
    lock_path = Path(key).with_name(Path(key).name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait:
                on_wait(_who_holds_the_turn(handle))
            fcntl.flock(handle, fcntl.LOCK_EX)
        with _held_guard:
            _held[key] = 1
        try:
            yield
        finally:
            try:
                close_kept(Path(key))  # never open past the turn: another process may write
            finally:  # even when that close fails (its checkpoint on a full disk)
                with _held_guard:
                    _held.pop(key, None)
                fcntl.flock(handle, fcntl.LOCK_UN)


def _who_holds_the_turn(handle) -> str:
    """What a writer that has to wait is waiting for: another writer (an overlapping run,
    which the run queue should have prevented) or only readers between runs (the daemon's
    run report, a few seconds). A shared lock is granted only while no writer holds it."""
    try:
        fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return "the warehouse is in use by another run; waiting for its turn"
    fcntl.flock(handle, fcntl.LOCK_UN)
    return "the warehouse is being read between runs (run report, dictionary check); waiting"


@contextmanager
def reader_turn(warehouse: Path) -> Iterator[bool]:
    """For a process that only reads the warehouse between runs (the daemon's run report,
    the dictionary check): True when no writer holds the turn, and then the turn is held
    shared for the read, so a run that starts meanwhile waits the moment it takes instead
    of failing on DuckDB's lock; False (read nothing) while a writer has it. Within a
    process that holds the write turn already, True."""
    key = _key(warehouse)
    with _held_guard:
        if _held.get(key):
            yield True
            return
    lock_path = Path(key).with_name(Path(key).name + ".lock")
    if not lock_path.parent.exists():
        yield False
        return
    with lock_path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
