"""Dagster's SQLite storage, with the event log's database connections kept open.

Dagster's SQLite event log opens a new SQLAlchemy engine and connection for every event
it stores (a run's log and the asset index are two SQLite files), and disposes of both
after it: 5.6 ms an asset event on this machine, of which 4 ms is that set-up. A daily
run stores some 400 events (a dbt build alone: a materialization and a check result per
node), so the 1% delta of the scale-20 city spent ~2 s of its 21 s writing its log.
Keeping one engine per file, with its one connection, brings an event to 1.6 ms.

Everything else is Dagster's own ``DagsterSqliteStorage``: the same files in the same
folders (``history/runs.db``, ``history/runs/<run>.db`` and ``index.db``,
``schedules/``), so the runs recorded before stay in the UI, and the files stay
readable by the plain storage. ``dagster_project/dagster.yaml`` names this class.

Why this is safe:
- Dagster's storage already serialises its connections within a process (its
  ``_db_lock``, held while a connection is in use), so one connection per file is never
  used by two threads at once; SQLite's own locking orders the processes (the daemon,
  the webserver, a run) as before, and an idle connection holds no lock.
- A process forked from one holding connections (a SQLite connection must not cross a
  fork) opens its own: the cache belongs to the process that filled it (the parent's
  are left as they are, not closed from the child).
- A query result read only in part would keep its connection's snapshot open (stale
  reads, WAL checkpoints held back); Dagster reads its results whole (``fetchall``,
  ``fetchone``, ``db_result``) before a connection goes back.
- Few files stay open: the index and the last few runs' logs (a long-lived webserver
  reads many runs' logs over a day).
"""

from __future__ import annotations

import contextlib
import os
from collections import OrderedDict
from collections.abc import Iterator

from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SqliteEventLogStorage,
)
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage, _event_logs_directory
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import QueuePool

# Open engines kept per process: the index, and the logs of the runs read or written last
KEPT_ENGINES = 8


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """``SqliteEventLogStorage`` whose engine (one connection) per file stays open."""

    def __init__(self, base_dir: str, inst_data=None):
        # (first: Dagster's constructor may already connect, to index a new database)
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._engines_pid = os.getpid()
        self._parents_engines: list = []
        super().__init__(base_dir, inst_data)

    def _engine(self, shard: str) -> Engine:
        if self._engines_pid != os.getpid():  # forked: the parent's connections are not ours
            self._parents_engines.append(self._engines)  # kept: never closed from here
            self._engines, self._engines_pid = OrderedDict(), os.getpid()
        engine = self._engines.get(shard)
        if engine is None:
            engine = create_engine(
                self.conn_string_for_shard(shard),
                poolclass=QueuePool,
                # one connection kept; Dagster's set-up of a new file opens a few at once
                # (those are closed after use)
                pool_size=1,
                max_overflow=4,
                # (used by one thread at a time: Dagster's lock, see the module's docs)
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            )
            self._engines[shard] = engine
            while len(self._engines) > KEPT_ENGINES:
                _, oldest = self._engines.popitem(last=False)
                oldest.dispose()
        self._engines.move_to_end(shard)
        return engine

    @contextlib.contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def _dispose_engines(self) -> None:
        with self._db_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()

    def wipe(self) -> None:
        self._dispose_engines()  # before its files are deleted
        super().wipe()
        self._dispose_engines()  # and any that another thread opened meanwhile

    def dispose(self) -> None:
        super().dispose()  # its file watcher first: a late callback would open an engine
        self._dispose_engines()


class CitySqliteStorage(DagsterSqliteStorage):
    """Dagster's SQLite storage (runs, event logs, schedules) with the event log above."""

    def __init__(self, base_dir: str, inst_data=None):
        _refuse_another_home(base_dir)
        super().__init__(base_dir, inst_data)
        self._event_log_storage = PooledSqliteEventLogStorage(_event_logs_directory(base_dir))

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls.from_local(inst_data=inst_data, **config_value)


def _refuse_another_home(base_dir: str) -> None:
    """The instance file names its folder (written in when it is copied there:
    cli/serve.py): a Dagster started on a home whose file names another (a data folder
    moved, and Dagster started without the project's commands) would quietly begin an
    empty history there. It stops instead, saying what to run."""
    home = os.environ.get("DAGSTER_HOME")
    if home and os.path.realpath(home) != os.path.realpath(base_dir):
        raise RuntimeError(
            f"{home}/dagster.yaml keeps its runs in {base_dir}, not in {home}: it was "
            "written for another folder. Start Dagster with `make dev` or `make serve` "
            "(they write it for this one), or run `python -m dagster_project.cli.serve "
            "dev`."
        )
