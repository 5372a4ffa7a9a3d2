"""The run's summary lines (lib/run_report.py), from events made here: only the fields
``outcomes`` reads, as Dagster's events carry them."""

from __future__ import annotations

from types import SimpleNamespace as Fake

from dagster_project.lib.run_report import outcomes


def _key(*path: str):
    return Fake(path=list(path))


def _published(dataset: str, rows: int):
    metadata = {"rows": Fake(value=rows), "datastore_action": Fake(value="updated")}
    return Fake(
        event_type_value="ASSET_MATERIALIZATION",
        asset_key=_key("portal", dataset),
        event_specific_data=Fake(materialization=Fake(metadata=metadata)),
    )


def _check(dataset: str, passed: bool, description: str):
    evaluation = Fake(
        asset_key=_key("open_data", f"pub_{dataset}"),
        passed=passed,
        check_name="privacy_gate",
        description=description,
    )
    return Fake(
        event_type_value="ASSET_CHECK_EVALUATION",
        asset_key=_key("open_data", f"pub_{dataset}"),
        event_specific_data=evaluation,
    )


def test_a_gate_that_passed_with_a_warning_says_so_on_the_datasets_line():
    events = [
        _check("recreation_registrations", True, "no personal value found; WARNING: "
               "registrations: 2 suppressed cells the declared totals give back exactly, "
               "taken together; waitlisted: 2 suppressed cells the declared totals give back "
               "exactly, taken together"),
        _published("recreation_registrations", 538),
        _check("fire_inspections_by_month", True, "no personal value found"),
        _published("fire_inspections_by_month", 96),
    ]  # fmt: skip
    lines = {
        o.dataset: (o.state, o.detail)
        for o in outcomes(events, ["recreation_registrations", "fire_inspections_by_month"])
    }
    assert lines["recreation_registrations"] == (
        "published",
        "datastore updated; 538 rows; privacy_gate WARNING: registrations: 2 suppressed "
        "cells the declared totals give back exactly, taken together; waitlisted: 2 "
        "suppressed cells the declared totals give back exactly, taken together",
    )
    assert lines["fire_inspections_by_month"] == ("published", "datastore updated; 96 rows")
