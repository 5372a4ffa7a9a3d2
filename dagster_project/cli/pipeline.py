"""``python -m dagster_project.cli.pipeline``: run the whole pipeline once and say where to look.

Used by ``make demo`` and ``make pipeline``. Runs are recorded in ``data/dagster`` so the
Dagster UI (``make dev``) shows them.
"""

from __future__ import annotations

import contextlib
import faulthandler
import gc
import os
import signal
import sys
import time

from dagster_project.cli.serve import dagster_home
from dagster_project.lib.lean_process import GC_FIRST_GENERATION_THRESHOLD, end_process
from dagster_project.lib.warm_dbt import SOCKET_ENV as WARM_DBT_SOCKET
from dagster_project.lib.warm_dbt import start_warm_dbt
from dagster_project.settings import get_settings, private_umask, secure_data_dir

# A stop that has not ended the run by then ends the process: an interrupt that lands
# inside a DuckDB query can leave the next step waiting on the database for good (seen in
# tests/hardening/test_kill_and_resume.py). What a hard stop cuts short is what SIGKILL
# would: the next run finishes it (the same guarantees as above).
HARD_STOP_AFTER_S = 8

# (GC_FIRST_GENERATION_THRESHOLD: see lib/lean_process.py)


def _stop(signum: int, frame) -> None:
    """Interrupt the run as Ctrl-C does, and end the process if it is still there later.

    The deadline is faulthandler's: its watchdog is a C thread that needs no interpreter
    lock, so it ends the process even when the main thread is stuck inside DuckDB (a
    Python thread could not). It prints where each thread was, for the record."""
    if not getattr(_stop, "armed", False):
        _stop.armed = True  # type: ignore[attr-defined]
        print(
            f"Stopping; a run that has not stopped within {HARD_STOP_AFTER_S} s is ended "
            "(the next run completes what was cut short).",
            file=sys.stderr,
            flush=True,
        )
        faulthandler.dump_traceback_later(HARD_STOP_AFTER_S, exit=True)
    handler = signal.getsignal(signal.SIGINT)  # Dagster's while a run executes
    if callable(handler):
        handler(signum, frame)
    else:
        raise KeyboardInterrupt


def main() -> int:
    private_umask()  # first: what this run and its dbt process write is the user's only
    with dbt_started_ahead() as end_dbt_ahead:
        return _run(end_dbt_ahead)


@contextlib.contextmanager
def dbt_started_ahead():
    """A dbt process that imports dbt while this one imports Dagster and plans
    (lib/warm_dbt.py): the warehouse step hands its build to it. Started before the plan
    says whether the run builds the warehouse, because the run's own start takes as long
    as dbt's import (~3 s, on the other core); started once the plan is known (the
    warehouse resource's way, for runs the daemon launches), the build waited ~0.7 s for
    it. Yields what ends it (and lets a later build start its own), for a run that
    builds nothing to call after the plan; it is ended on the way out in any case."""
    try:
        ahead = start_warm_dbt(sys.executable)
    except OSError:  # the build starts its own dbt (the resource tries again)
        yield lambda: None
        return
    os.environ[WARM_DBT_SOCKET] = str(ahead.socket_path)  # the build's process looks here

    def end() -> None:
        os.environ.pop(WARM_DBT_SOCKET, None)
        ahead.stop()

    try:
        yield end
    finally:
        end()


def _run(end_dbt_ahead) -> int:
    default_gc_thresholds = gc.get_threshold()
    gc.set_threshold(GC_FIRST_GENERATION_THRESHOLD, 20, 100)
    # SIGTERM (systemd, a person's kill) stops a run the way Ctrl-C does: Dagster turns it
    # into an interrupt, forwards it to dbt and marks the run stopped; nothing is half-done
    # that the next run cannot finish (each file loads in one transaction, each dbt model
    # is replaced atomically, the publisher converges).
    signal.signal(signal.SIGTERM, _stop)
    settings = get_settings()
    secure_data_dir(settings)  # before Dagster writes its run database into the data folder
    # The project's Dagster home, so the Dagster UI (make dev / make serve) shows this run
    os.environ.setdefault("DAGSTER_HOME", str(dagster_home(settings)))
    import dagster as dg
    import dagster._utils.interrupts as dagster_interrupts

    # Dagster points SIGTERM at its own SIGINT handler each time it swaps that handler;
    # ours already hands SIGTERM to whatever SIGINT handler is current, and adds the
    # deadline. (Private Dagster API, 1.13: re-check on upgrade; the kill tests cover it.)
    dagster_interrupts.setup_interrupt_handlers = lambda: None

    from dagster_project.definitions import definitions
    from dagster_project.defs.automation import PLAN_TAG
    from dagster_project.defs.run_plan import make_plan, planned_job
    from dagster_project.lib.run_report import ALERTED_BY_TAG, alert_run, report_run
    from publish.portal.connection import portal_connection

    started, started_wall = time.monotonic(), time.time()
    # Only the steps that have something to do (defs/run_plan.py): a run with nothing
    # new checks deliveries and scores and leaves the rest as it is.
    plan = make_plan()
    print(f"This run: {plan.summary()}.", flush=True)
    if not plan.warehouse:
        end_dbt_ahead()
    job = planned_job(definitions().resolve_job_def("city_pipeline"), plan)
    gc.freeze()  # what is loaded by now lives until the end: no collection walks it again
    gc.set_threshold(*default_gc_thresholds)
    # dbt's own log lines (which the Dagster integration echoes to stdout) go to a file:
    # the console keeps warnings, errors and the summary; the full event log is in the UI.
    run_log = dagster_home(settings) / "last_pipeline_run.log"
    with (
        dg.DagsterInstance.get() as instance,
        run_log.open("w") as log,
        contextlib.redirect_stdout(log),
    ):
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
            # this command alerts itself; the daemon's alert sensor leaves the run alone
            tags={ALERTED_BY_TAG: "command line", PLAN_TAG: plan.summary()[:1000]},
        )
        scored = None if result.success else _score_anyway(definitions(), instance)
    elapsed = time.monotonic() - started

    report = report_run(result.run_id, result.all_events, current=plan.current)
    print(
        f"\nPipeline {'succeeded' if report.ok else 'FINISHED WITH PROBLEMS'} in {elapsed:.0f} s "
        f"(run {result.run_id}). Every approved dataset:"
    )
    for line in report.lines():
        print(f"  {line}")
    if not report.ok:
        message = alert_run(report, started_at=started_wall)
        print(f"  {message}", file=sys.stderr if "NOT sent" in message else sys.stdout)
    portal_url = portal_connection().url
    print(f"  Portal:     {portal_url}/dataset/")
    print(f"  Catalog:    {portal_url}/data.json (DCAT-US), {portal_url}/catalog.ttl (DCAT RDF)")
    print(f"  Dictionary: {portal_url}/dictionary/  Quality: {portal_url}/quality-reports/")
    if scored is not None:  # after the dataset lines, which tools read up to "Portal:"
        print(f"  Quality:    scores measured after the run: {scored}")
    example = "from kpi.kpi_digital_adoption" if settings.is_sample_city else "show all tables"
    print(
        f'  Warehouse:  {settings.warehouse_path}  (e.g. .venv/bin/python -c "import duckdb; '
        f"print(duckdb.connect('{settings.warehouse_path}', read_only=True).sql("
        f"'{example}'))\")"
    )
    print("  Dagster UI: make dev, then http://127.0.0.1:3000")
    print(f"  dbt's log:  {run_log}")
    return 0 if report.ok else 1


def _score_anyway(definitions, instance) -> str | None:
    """A run that did not publish every dataset skipped the quality score (it depends on
    every publication): measure it now, so a blocked dataset's page says so."""
    from dagster_project.defs.quality.score import SCORE_JOB
    from dagster_project.lib.run_report import ALERTED_BY_TAG

    if SCORE_JOB not in {job.name for job in definitions.resolve_all_job_defs()}:
        return None
    result = definitions.resolve_job_def(SCORE_JOB).execute_in_process(
        instance=instance,
        raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        tags={ALERTED_BY_TAG: "command line"},
    )
    return f"{'done' if result.success else 'FAILED'} (run {result.run_id})"


if __name__ == "__main__":
    end_process(main())
