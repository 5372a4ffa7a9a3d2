"""``python -m dagster_project.cli.pipeline``: run the whole pipeline once and say where to look.

Used by ``make demo`` and ``make pipeline``. Runs are recorded in ``data/dagster`` so the
Dagster UI (``make dev``) shows them.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from dagster_project.settings import get_settings, secure_data_dir


def main() -> int:
    # SIGTERM (systemd, a person's kill) stops a run the way Ctrl-C does: Dagster turns it
    # into an interrupt, forwards it to dbt and marks the run stopped; nothing is half-done
    # that the next run cannot finish (each file loads in one transaction, each dbt model
    # is replaced atomically, the publisher converges).
    signal.signal(signal.SIGTERM, signal.getsignal(signal.SIGINT))
    settings = get_settings()
    secure_data_dir(settings)  # before Dagster writes its run database into the data folder
    os.environ.setdefault("DAGSTER_HOME", str(settings.data_dir / "dagster"))
    home = Path(os.environ["DAGSTER_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").touch()  # defaults: runs and events stored in this folder
    import dagster as dg

    from dagster_project.definitions import definitions
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

    published, blocked = [], []
    for event in result.all_events:
        if event.event_type_value == "ASSET_MATERIALIZATION":
            key = event.asset_key.path
            if key[0] == "portal":
                published.append(key[1])
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed and evaluation.asset_key.path[0] == "open_data":
                blocked.append(
                    f"{evaluation.asset_key.path[1]}: {evaluation.check_name} "
                    f"({evaluation.description})"
                )
    url = portal_connection().url
    print(
        f"\nPipeline {'succeeded' if result.success else 'FINISHED WITH FAILURES'} "
        f"in {elapsed:.0f} s (run {result.run_id})."
    )
    print(f"  Published to the portal: {', '.join(sorted(published)) or 'nothing'}")
    for line in blocked:
        print(f"  Blocked by a gate: {line}")
    print(f"  Portal:     {url}/dataset/")
    print(
        f'  Warehouse:  {settings.warehouse_path}  (e.g. .venv/bin/python -c "import duckdb; '
        f"print(duckdb.connect('{settings.warehouse_path}', read_only=True).sql("
        f"'from kpi.kpi_digital_adoption'))\")"
    )
    print("  Dagster UI: make dev, then http://127.0.0.1:3000")
    return 0 if result.success and not blocked else 1


if __name__ == "__main__":
    sys.exit(main())
