"""publish-plan against the real local CKAN: "no changes" on an unchanged model, the exact
rows after a change, and the portal exactly as it was before (read-only calls only)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from dagster_project.lib.dictionary import load_dictionary
from dagster_project.lib.exports import export_model
from dagster_project.lib.versions import VersionHistory
from publish.ckan.plan import plan_dataset, plan_retirements, render
from publish.ckan.publisher import CkanPublisher
from publish.ckan.versions import Versioning

from .test_versions import month_rows, publish

pytestmark = pytest.mark.portal


def portal_state(sysadmin, package_id):
    """Everything a publication could change: the package (with its modified time), each
    resource, and the DataStore rows."""
    package = sysadmin.action.package_show(id=package_id)
    csv = next(r for r in package["resources"] if r["name"].endswith("(CSV)"))
    rows = sysadmin.action.datastore_search(resource_id=csv["id"], limit=1000, sort="month")
    listed = sysadmin.action.package_search(q="*:*", rows=1000, include_private=True)
    return package, rows["records"], sorted(p["metadata_modified"] for p in listed["results"])


def test_the_plan_says_no_changes_then_lists_exactly_the_rows_that_will_change(
    sysadmin, run_id, tmp_path
):
    dictionary = load_dictionary()
    dataset = dataclasses.replace(dictionary.datasets["digital_adoption"], id=f"plan_{run_id}")
    division = dictionary.divisions[dataset.owner_division]
    # the test's dataset is in the dictionary (else the plan would retire it: not ours to keep)
    dictionary = dataclasses.replace(
        dictionary, datasets={**dictionary.datasets, dataset.id: dataset}
    )
    publisher = CkanPublisher(sysadmin)
    history = VersionHistory(tmp_path / "versions", dataset.id)
    retention = timedelta(days=365)
    conn = duckdb.connect()
    months = [(f"2025-{m:02d}-01", 100 + m) for m in range(1, 13)]
    month_rows(conn, dataset.model, months)
    published = datetime(2026, 1, 5, tzinfo=UTC)
    package, _ = publish(
        publisher, dataset, division, conn, tmp_path, Versioning(history, retention, published)
    )
    now = datetime(2026, 1, 20, tzinfo=UTC)

    def plan() -> str:
        files = export_model(conn, dataset.model, tmp_path / "plan", [])
        plans = [
            plan_dataset(
                publisher, dictionary, dataset, files["parquet"], history, None, retention, now
            ),
            *plan_retirements(publisher, dictionary, retention, now),
        ]
        return render(plans, [])

    try:
        before = portal_state(sysadmin, package["id"])
        assert plan() == "no changes"

        # a new extract, built into the warehouse: January withdrawn, March corrected, a
        # new month; not published yet
        changed = [m for m in months if m[0] != "2025-01-01"] + [("2026-01-01", 300)]
        changed[1] = ("2025-03-01", 999)
        month_rows(conn, dataset.model, changed)
        title = dataset.title
        assert plan().splitlines() == [
            f"{dataset.id}:",
            "  rows: +1 added, ~1 changed, -1 removed (12 rows after)",
            "  new version: Version 2 (2026-01-20): 1 row added, 1 changed, 1 removed (12 rows).",
            f"  resource: replace '{title} (CSV)'",
            f"  resource: replace '{title} (Parquet)'",
            f"  resource: keep the current CSV as '{title} (CSV, version 1, 2026-01-05)'",
            "    added month=2026-01-01",
            "    removed month=2025-01-01",
            "    changed month=2025-03-01 (service_requests: 103 -> 999; "
            "online_service_requests: 51 -> 499)",
            "1 dataset(s) would change",
        ]
        assert portal_state(sysadmin, package["id"]) == before  # nothing changed there
    finally:
        sysadmin.action.dataset_purge(id=package["id"])
