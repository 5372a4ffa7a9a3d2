"""``python -m dagster_project.cli.pipeline``: run the whole pipeline once and say where to look.

Used by ``make demo`` and ``make pipeline``. Runs are recorded in ``data/dagster`` so the
Dagster UI (``make dev``) shows them.
"""

from __future__ import annotations

import os
import signal
import sys
import time

from dagster_project.cli.serve import dagster_home
from dagster_project.settings import get_settings, secure_data_dir


def main() -> int:
    # SIGTERM (systemd, a person's kill) stops a run the way Ctrl-C does: Dagster turns it
    # into an interrupt, forwards it to dbt and marks the run stopped; nothing is half-done
    # that the next run cannot finish (each file loads in one transaction, each dbt model
    # is replaced atomically, the publisher converges).
    signal.signal(signal.SIGTERM, signal.getsignal(signal.SIGINT))
    settings = get_settings()
    secure_data_dir(settings)  # before Dagster writes its run database into the data folder
    # The project's Dagster home, so the Dagster UI (make dev / make serve) shows this run
    os.environ.setdefault("DAGSTER_HOME", str(dagster_home(settings)))
    import dagster as dg

    from dagster_project.cli.run_summary import all_current, outcomes
    from dagster_project.definitions import definitions
    from dagster_project.lib.dictionary import load_dictionary
    from publish.portal.connection import portal_connection

    started = time.monotonic()
    job = definitions().resolve_job_def("city_pipeline")
    with dg.DagsterInstance.get() as instance:
        # Warnings and errors on the console; the full event log is in the Dagster UI.
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        )
    elapsed = time.monotonic() - started

    approved = [d.id for d in load_dictionary(strict=False).approved_datasets]
    summary = outcomes(result.all_events, approved)
    url = portal_connection().url
    ok = result.success and all_current(summary)
    print(
        f"\nPipeline {'succeeded' if ok else 'FINISHED WITH PROBLEMS'} in {elapsed:.0f} s "
        f"(run {result.run_id}). Every approved dataset:"
    )
    for outcome in summary:
        print(f"  {outcome.line()}")
    print(f"  Portal:     {url}/dataset/")
    print(
        f'  Warehouse:  {settings.warehouse_path}  (e.g. .venv/bin/python -c "import duckdb; '
        f"print(duckdb.connect('{settings.warehouse_path}', read_only=True).sql("
        f"'from kpi.kpi_digital_adoption'))\")"
    )
    print("  Dagster UI: make dev, then http://127.0.0.1:3000")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
