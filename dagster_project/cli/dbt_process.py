"""``python -m dagster_project.cli.dbt_process <dbt arguments>``: dbt, as the ``dbt``
command runs it, sooner done. The pipeline's builds start dbt through
``scripts/dbt-bound-to-parent``, which runs this.

- When the run started a dbt process ahead (lib/warm_dbt.py), the build runs there: its
  import (~1.7 s) and the project's parse (lib/dbt_parse_ahead.py) happened while the
  run ingested. This process only hands over its arguments and streams, forwards
  signals and exits with the build's status.
- Otherwise dbt runs here, without two of Python's costs that are no work of dbt's
  (lib/lean_process.py): the garbage collector walking dbt's modules while they import,
  and the teardown of every object at exit. dbt closes the warehouse (checkpointed) when
  its command ends; the exit handlers still run, and ours closes a warehouse that a
  stopped or failed build left open, which the teardown would otherwise have done.

``--serve-one-build <fd> <socket path>`` is the process started ahead. dbt is otherwise untouched:
the same click command, arguments, output and exit status.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import signal
import sys
import threading
from pathlib import Path

from dagster_project.lib.dbt_parse_ahead import ParseAhead, ParsedAhead
from dagster_project.lib.lean_process import (
    GC_FIRST_GENERATION_THRESHOLD,
    end_process,
    exit_status,
)
from dagster_project.lib.warm_dbt import hand_over, inherited_listener, serve_one_build


def import_dbt():
    """dbt's click command, imported with few collections (lib/lean_process.py)."""
    default_thresholds = gc.get_threshold()
    gc.set_threshold(GC_FIRST_GENERATION_THRESHOLD, 20, 100)
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.cli.main import cli

    # (exit handlers run last registered first: this one before dbt-duckdb's, which
    # forgets the database rather than closing it)
    atexit.register(_close_warehouse, DuckDBConnectionManager)
    gc.freeze()  # what dbt imported lives until the end
    gc.set_threshold(*default_thresholds)
    return cli


def _close_warehouse(connection_manager) -> None:
    """Close the DuckDB database dbt-duckdb still holds (a build stopped or failed with a
    connection open): a checkpoint now, not a log replay by the next reader."""
    environment = connection_manager._ENV  # dbt-duckdb 1.11's one database per process
    if environment is not None:
        with contextlib.suppress(Exception):  # exiting anyway: the WAL keeps the data
            environment.close()


def run_dbt(cli, args: list[str], manifest=None) -> int:
    """dbt's command on ``args``; with ``manifest`` (lib/dbt_parse_ahead.py), it skips
    the parse (dbt's setup_manifest keeps a manifest already in the click context)."""
    try:
        # click's standalone mode: always ends by raising SystemExit
        cli.main(args, prog_name="dbt", obj={"manifest": manifest} if manifest else None)
    except SystemExit as stop:
        return exit_status(stop.code)
    return 0


def serve(cli, listener, socket_path: Path) -> int:
    """The process started ahead: parse while the run ingests, then serve its build."""
    parsing = ParseAhead(socket_path.parent / "parse")
    preparing = PythonFunctionsAhead(parsing)
    parsed: list[ParsedAhead | None] = []

    def build(args: list[str]) -> int:  # (the request's environment is set by now)
        manifest = parsed[0].manifest_for(args, os.environ) if parsed[0] is not None else None
        return run_dbt(cli, args, manifest)

    def before_build() -> None:
        parsed.append(parsing.result())
        preparing.stop()  # before the build sets its folder and environment

    return serve_one_build(listener, socket_path, build, before_build=before_build)


class PythonFunctionsAhead:
    """The warehouse's Python functions' first call, made on a thread while the process
    waits (small_cell_protection_plugin.prepare_first_call): DuckDB's imports at that
    call (0.2-0.35 s) are then not the build's. After the parse, which the build waits
    for (on one core the two would delay it). Never during the build: it sets this
    process's folder and environment (setenv while another thread's C code reads them
    can crash a process), so ``stop`` keeps a warm-up from starting once the build
    comes and waits for one under way (its imports the build would wait for anyway).
    What the process holds then (the imports, the parse's manifest, both kept to the
    end) is frozen like dbt's modules, after a collection (gc.freeze: none walks it again).
    A failure is the build's to meet; a build that calls no Python function paid the
    warm-up on the waiting process's core, while the run ingested."""

    def __init__(self, parsing: ParseAhead):
        self._parsing = parsing
        self._lock = threading.Lock()
        self._stopped = False
        self.thread = threading.Thread(target=self._run, daemon=True, name="python-functions-ahead")
        self.thread.start()

    def _run(self) -> None:
        with contextlib.suppress(Exception):
            self._parsing.result()
            with self._lock:
                if self._stopped:
                    return
                from dagster_project.lib.small_cell_protection_plugin import (
                    prepare_first_call,
                )

                prepare_first_call()
                gc.collect()
                gc.freeze()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True


def stop_on_interrupt() -> None:
    """Ctrl-C and SIGTERM stop dbt whatever the starting process ignored: a process
    inherits an ignored signal (SIG_IGN), and a run worker or a test session that ignores
    SIGINT would leave a build that dagster-dbt's interrupt cannot stop."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def main(argv: list[str]) -> int:
    stop_on_interrupt()
    if argv[:1] == ["--serve-one-build"]:
        listener, socket_path = inherited_listener(int(argv[1])), Path(argv[2])
        return serve(import_dbt(), listener, socket_path)
    status = hand_over(argv)
    if status is not None:
        return status
    return run_dbt(import_dbt(), argv)


if __name__ == "__main__":
    end_process(main(sys.argv[1:]))
