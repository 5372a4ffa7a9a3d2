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

from dagster_project.cli.serve import dagster_home
from dagster_project.settings import get_settings, private_umask, secure_data_dir


def main() -> int:
    # SIGTERM (systemd, a person's kill) stops a run the way Ctrl-C does: Dagster turns it
    # into an interrupt, forwards it to dbt and marks the run stopped; nothing is half-done
    # that the next run cannot finish (each file loads in one transaction, each dbt model
    # is replaced atomically, the publisher converges).
    signal.signal(signal.SIGTERM, signal.getsignal(signal.SIGINT))
    private_umask()
    settings = get_settings()
    secure_data_dir(settings)  # before Dagster writes its run database into the data folder
    # The project's Dagster home, so the Dagster UI (make dev / make serve) shows this run
    os.environ.setdefault("DAGSTER_HOME", str(dagster_home(settings)))
    import dagster as dg

    from dagster_project.cli.run_summary import all_current, outcomes
    from dagster_project.definitions import definitions
    from dagster_project.lib.dictionary import load_dictionary
    from publish.portal.connection import portal_connection

    started, started_wall = time.monotonic(), time.time()
    job = definitions().resolve_job_def("city_pipeline")
    with dg.DagsterInstance.get() as instance:
        # Warnings and errors on the console; the full event log is in the Dagster UI.
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        )
    elapsed = time.monotonic() - started

    dictionary = load_dictionary(strict=False)
    approved = [d.id for d in dictionary.approved_datasets]
    summary = outcomes(result.all_events, approved, _waiting(settings, dictionary))
    url = portal_connection().url
    # A failed gate fails its check's step on purpose; any other failed step is a problem
    # (the catalog not rebuilt, a resource down) even when every dataset is current.
    other_failures = [
        e.step_key
        for e in result.all_events
        if e.event_type_value == "STEP_FAILURE"
        and not e.step_key.endswith(("_quality_gate", "_privacy_gate"))
    ]
    ok = all_current(summary) and not other_failures
    print(
        f"\nPipeline {'succeeded' if ok else 'FINISHED WITH PROBLEMS'} in {elapsed:.0f} s "
        f"(run {result.run_id}). Every approved dataset:"
    )
    for outcome in summary:
        print(f"  {outcome.line()}")
    if other_failures:
        print(f"  Other steps failed: {', '.join(other_failures)} (see the Dagster UI)")
    if not ok:
        _alert(result.run_id, summary, settings.department_reports_dir, started_at=started_wall)
    print(f"  Portal:     {url}/dataset/")
    print(
        f'  Warehouse:  {settings.warehouse_path}  (e.g. .venv/bin/python -c "import duckdb; '
        f"print(duckdb.connect('{settings.warehouse_path}', read_only=True).sql("
        f"'from kpi.kpi_digital_adoption'))\")"
    )
    print("  Dagster UI: make dev, then http://127.0.0.1:3000")
    return 0 if ok else 1


def _waiting(settings, dictionary) -> dict[str, list[str]]:
    """Approved datasets whose source systems have not delivered a first file yet."""
    import duckdb

    from dagster_project.lib.ingest.loader import systems_waiting

    try:
        conn = duckdb.connect(str(settings.warehouse_path), read_only=True)
    except duckdb.Error:  # no warehouse yet, or another run writes it now
        return {}
    try:
        silent = set(systems_waiting(conn, list(dictionary.sources)))
    except duckdb.Error:
        return {}
    finally:
        conn.close()
    return {
        d.id: [s for s in d.source_systems if s in silent]
        for d in dictionary.approved_datasets
        if silent & set(d.source_systems)
    }


def _alert(run_id: str, summary, reports_dir: Path, started_at: float) -> None:
    """Tell the owners of the datasets that did not publish, and the platform team."""
    from dagster_project.lib.alerts import AlertSettings, run_alert, send
    from dagster_project.lib.dictionary import load_dictionary

    dictionary = load_dictionary(strict=False)
    problems = {o.dataset: o.state for o in summary if o.state in ("blocked", "not run")}
    stewards = [
        dictionary.divisions[dictionary.datasets[d].owner_division].steward.email
        for d in problems
        if d in dictionary.datasets
    ]
    reports = [p for p in reports_dir.glob("*/*.xlsx") if p.stat().st_mtime >= started_at]
    settings = AlertSettings.from_environment()
    alert = run_alert(run_id, problems, [o.line() for o in summary], stewards, settings, reports)
    try:
        sent = send(alert, settings)
    except OSError as error:  # the mail server is down: the summary above still stands
        print(f"  Alert NOT sent: {error}", file=sys.stderr)
        return
    print(
        f"  Alert sent: {'; '.join(sent)}"
        if sent
        else "  No alert configured (ALERT_SMTP_HOST / ALERT_WEBHOOK_URL): see .env.example"
    )


if __name__ == "__main__":
    sys.exit(main())
