"""A dataset published to the real local CKAN shows its quality score and the reasons
(package_show and search), measured from real facts: a real DuckDB warehouse with the
published model and the ingest ledger, the gate results store, and the portal's own
resources (CSV, Parquet, DataStore, data package)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from dagster_project.lib.dictionary import load_dictionary
from dagster_project.lib.dictionary.vocabulary import FREQUENCIES, data_type
from dagster_project.lib.exports import export_model, record_batches
from dagster_project.lib.gates.results import GateResults
from dagster_project.lib.ingest import ledger
from dagster_project.lib.quality_score import append_scores, latest_extras
from dagster_project.lib.quality_score.measure import measure_scores
from publish.ckan.dataset import publish_dataset
from publish.ckan.mapping import package_facts, package_name
from publish.ckan.publisher import CkanPublisher

pytestmark = pytest.mark.portal

ROWS = [
    ("svc-1", "Pothole repair", "transportation", "web|phone", 3, 2),
    ("svc-2", "Dog licence", "clerk", "web", 3, 3),
    ("svc-3", "Burn permit", None, "counter", 2, 0),  # no division: an empty key value
]


def _warehouse(path, dataset, arrived_at):
    conn = duckdb.connect(str(path))
    conn.execute("CREATE SCHEMA open_data")
    columns = ", ".join(f'"{c.name}" {data_type(c.type).duckdb}' for c in dataset.columns)
    conn.execute(f"CREATE TABLE open_data.{dataset.model} ({columns})")
    conn.executemany(
        f"INSERT INTO open_data.{dataset.model} (service_id, service_name, division_id, "
        "channel_codes, stages_offered, stages_online) VALUES (?, ?, ?, ?, ?, ?)",
        ROWS,
    )
    ledger.ensure(conn)
    conn.execute(
        "INSERT INTO raw._ingest_files (system, file_name, sha256, status, ingested_at) "
        "VALUES ('crm311', 'services.csv', 'x', 'loaded', ?)",
        [arrived_at],
    )
    return conn


def test_a_published_dataset_shows_its_score_and_reasons(sysadmin, anonymous, run_id, tmp_path):
    dictionary = load_dictionary()
    dataset = dataclasses.replace(
        dictionary.datasets["service_inventory"],
        id=f"quality_test_{run_id}",
        update_frequency=FREQUENCIES["daily"],  # a promise to keep: freshness counts
        source_systems=("crm311",),  # a department's extract, its arrival recorded below
    )
    division = dictionary.divisions[dataset.owner_division]
    publisher = CkanPublisher(sysadmin)
    now = datetime.now(UTC)
    conn = _warehouse(tmp_path / "warehouse.duckdb", dataset, now - timedelta(days=2))
    files = export_model(conn, dataset.model, tmp_path / "export", dataset.key_columns)
    package, _ = publish_dataset(
        publisher, dataset, division, files, 3, lambda: record_batches(files["parquet"], 1000)
    )
    try:
        gates = GateResults(tmp_path / "gates")
        gates.record_gate(dataset.id, "quality_gate", True, "ok")
        gates.record_gate(dataset.id, "privacy_gate", True, "ok")
        gates.record_publication(dataset.id, "url")
        [score] = measure_scores(
            conn,
            [dataset],
            dictionary.quality_policy,
            gates,
            lambda d: publisher.show_package(package_name(d.id)),
            lambda d: True,  # listed in data.json
            now,
        )
        append_scores(conn, [score])
        assert publisher.update_extras(package["name"], score.extras())
        assert not publisher.update_extras(package["name"], score.extras())  # already shown

        shown = anonymous.action.package_show(id=package["name"])
        extras = package_facts(shown)  # schema fields (top level) and extras
        assert extras["quality_score"] == score.grade
        assert extras["quality_score_value"] == str(score.total)
        assert extras["quality_measured_at"] == now.isoformat(timespec="seconds")
        reasons = extras["quality_reasons"]
        # 48 h old against daily's 30 h: 18 h late, 1 - 18 / 60 = 70%
        assert (
            "- **Freshness 70%:** data last arrived 2 days ago; promised daily, so 18 hours late"
            in reasons
        )
        assert "- **Checks passed 100%:** the quality and privacy checks passed" in reasons
        assert "division_id is empty in 1 of 3 rows" in reasons
        assert "- **Accessibility 100%:** offered as CSV, Parquet, DataStore API, data " in reasons
        assert extras["update_frequency"] == "daily"  # the other extras are kept

        # search results carry it too (the theme renders it there)
        found = anonymous.action.package_search(q=f"name:{package['name']}")["results"]
        found_extras = package_facts(found[0])
        assert found_extras["quality_score"] == score.grade

        # a re-publication sends the latest score with the package: nothing to change
        _, actions = publish_dataset(
            publisher,
            dataset,
            division,
            files,
            3,
            lambda: record_batches(files["parquet"], 1000),
            quality=latest_extras(conn, dataset.id),
        )
        assert actions["package"] == "unchanged"
    finally:
        sysadmin.action.dataset_purge(id=package["id"])
        conn.close()
