"""The run's summary lines (lib/run_report.py), from the events of a real Dagster run of
a few stand-in assets: each dataset's model, its privacy gate and its portal step, keyed
as the pipeline keys them, so ``outcomes`` reads what Dagster really emits."""

from __future__ import annotations

import dagster as dg

from dagster_project.lib.run_report import FILES_FAILED, outcomes, report_run


def _dataset(dataset: str, rows: int, gate_said: str) -> list:
    model_key = dg.AssetKey(["open_data", f"pub_{dataset}"])

    @dg.asset(key=model_key)
    def model() -> dg.MaterializeResult:
        return dg.MaterializeResult()

    @dg.asset_check(asset=model_key, name="privacy_gate")
    def privacy_gate() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=True, description=gate_said)

    @dg.asset(key=["portal", dataset], deps=[model_key])
    def portal() -> dg.MaterializeResult:
        return dg.MaterializeResult(metadata={"rows": rows, "datastore_action": "updated"})

    return [model, privacy_gate, portal]


def test_a_gate_that_passed_with_a_warning_says_so_on_the_datasets_line():
    said = (
        "no personal value found; WARNING: registrations: 2 suppressed cells the declared "
        "totals give back exactly, taken together; waitlisted: 2 suppressed cells the "
        "declared totals give back exactly, taken together"
    )
    result = dg.materialize(
        [
            *_dataset("recreation_registrations", 538, said),
            *_dataset("fire_inspections_by_month", 96, "no personal value found"),
        ]
    )
    assert result.success
    lines = {
        o.dataset: (o.state, o.detail)
        for o in outcomes(
            result.all_events, ["recreation_registrations", "fire_inspections_by_month"]
        )
    }
    assert lines["recreation_registrations"] == (
        "published",
        "datastore updated; 538 rows; privacy_gate WARNING: registrations: 2 suppressed "
        "cells the declared totals give back exactly, taken together; waitlisted: 2 "
        "suppressed cells the declared totals give back exactly, taken together",
    )
    assert lines["fire_inspections_by_month"] == ("published", "datastore updated; 96 rows")


def test_a_file_the_reader_failed_on_makes_the_run_no_success():
    """The ingest step does not fail for it (dbt is one step: every system's models would
    stop): its count of failed files makes the run's report not ok, naming the asset."""

    @dg.asset(key=["raw", "crm311_service_requests"])
    def ingest() -> dg.MaterializeResult:
        return dg.MaterializeResult(metadata={FILES_FAILED: 1, "files_loaded": 2})

    result = dg.materialize([ingest])
    assert result.success
    report = report_run(result.run_id, result.all_events)
    assert not report.ok
    assert report.other_failures == [
        "raw/crm311_service_requests (the reader failed on 1 file(s): see its log)"
    ]
