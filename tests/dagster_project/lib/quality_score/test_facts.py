"""The measured facts, on a real DuckDB warehouse: key columns and their empty values,
when the source data last arrived (the platform's own measurements included), which
formats a package really offers, which packages data.json lists; and the history kept."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import duckdb

from dagster_project.lib.dictionary import load_dictionary
from dagster_project.lib.ingest import ledger
from dagster_project.lib.ingest.loader import systems_waiting
from dagster_project.lib.quality_score import append_scores, latest_extras, score_dataset
from dagster_project.lib.quality_score.facts import (
    empty_key_cells,
    formats_offered,
    is_described,
    key_columns,
    last_arrival,
)
from dagster_project.lib.quality_score.history import new_measurements
from publish.ckan.dataset import listed_in_catalog

from .test_scoring import PERFECT, POLICY

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def test_a_description_must_say_more_than_the_name():
    column = load_dictionary().datasets["service_requests"].columns[0]
    assert is_described(column, 15)
    assert not is_described(dataclasses.replace(column, description="Request id."), 15)
    bare = dataclasses.replace(column, name="request_status", description="Request status")
    assert not is_described(bare, 5)


def test_key_columns_are_the_unique_and_required_ones():
    inventory = load_dictionary().datasets["service_inventory"]
    assert key_columns(inventory)[:3] == ("service_id", "service_name", "division_id")
    assert "legislated_statute" not in key_columns(inventory)


def test_empty_key_values_are_counted_on_the_published_model():
    conn = duckdb.connect()
    conn.execute("CREATE SCHEMA open_data")
    conn.execute(
        "CREATE TABLE open_data.pub_x AS SELECT * FROM (VALUES (1, 'a'), (2, NULL), "
        "(NULL, NULL)) t(id, name)"
    )
    assert empty_key_cells(conn, "pub_x", ("id", "name")) == (3, {"id": 1, "name": 2})
    assert empty_key_cells(conn, "pub_never_built", ("id",)) == (0, {})


def test_last_arrival_is_the_newest_loaded_file_of_its_systems():
    conn = duckdb.connect()
    assert last_arrival(conn, ["crm311"]) is None  # no ledger yet
    ledger.ensure(conn)
    rows = [
        ("crm311", "a.csv", "loaded", NOW - timedelta(days=3)),
        ("crm311", "b.csv", "quarantined", NOW - timedelta(days=1)),  # did not load
        ("permits", "c.csv", "loaded", NOW - timedelta(days=2)),
        ("payments", "d.csv", "loaded", NOW - timedelta(hours=1)),  # another dataset's
    ]
    conn.executemany(
        "INSERT INTO raw._ingest_files (system, file_name, sha256, status, ingested_at) "
        "VALUES (?, ?, 'x', ?, ?)",
        rows,
    )
    assert last_arrival(conn, ["crm311"]) == NOW - timedelta(days=3)
    assert last_arrival(conn, ["crm311", "permits"]) == NOW - timedelta(days=2)
    # the quality-score dataset's source is the platform's own measurements
    assert last_arrival(conn, ["open_data_platform"]) is None
    append_scores(conn, [score_dataset(PERFECT, POLICY)])
    assert last_arrival(conn, ["open_data_platform"]) == PERFECT.measured_at
    # the service inventory's source is the dictionary: as current as its last publication
    published = NOW - timedelta(days=20)
    assert last_arrival(conn, ["data_dictionary"], published) == published
    assert last_arrival(conn, ["data_dictionary"]) is None  # never published yet
    # and neither is an extract anyone waits for
    assert systems_waiting(conn, ["data_dictionary", "open_data_platform", "crm311"]) == []
    assert systems_waiting(conn, ["data_dictionary", "tax_roll"]) == ["tax_roll"]


def test_formats_offered_are_what_the_portal_shows():
    package = {
        "state": "active",
        "private": False,
        "resources": [
            {"format": "CSV", "datastore_active": True, "url": "http://p/x.csv"},
            {"format": "Parquet", "url": "http://p/x.parquet"},
            {"format": "JSON", "url": "http://p/download/datapackage.json"},
        ],
    }
    assert formats_offered(package, listed_in_catalog=True) == (
        "CSV",
        "Parquet",
        "DataStore API",
        "data package",
        "DCAT listing",
    )
    no_datastore = {**package, "resources": [{"format": "CSV", "url": "http://p/x.csv"}]}
    assert formats_offered(no_datastore, listed_in_catalog=False) == ("CSV",)
    assert formats_offered({**package, "private": True}, True) == ()  # withdrawn
    assert formats_offered(None, True) == ()


def test_the_catalog_lists_every_public_package_the_portal_holds():
    """The score counts the listing data.json gets from the same packages (written after
    the scores), so a first run does not score every dataset "not listed"; a package
    withdrawn (private) or deleted is in neither."""
    public = {"name": "a", "state": "active", "private": False, "resources": []}
    assert listed_in_catalog(public)
    assert not listed_in_catalog(None)
    assert not listed_in_catalog({**public, "private": True})
    assert not listed_in_catalog({**public, "state": "deleted"})


def test_the_history_keeps_every_measurement_and_gives_the_latest():
    conn = duckdb.connect()
    assert latest_extras(conn, PERFECT.dataset_id) == {}
    first = score_dataset(PERFECT, POLICY)
    later = score_dataset(
        dataclasses.replace(PERFECT, measured_at=NOW + timedelta(days=1), gates={}), POLICY
    )
    assert append_scores(conn, [first]) == 1
    assert append_scores(conn, [later]) == 1
    assert conn.execute("SELECT count(*) FROM raw._dataset_quality_scores").fetchone()[0] == 2
    latest = latest_extras(conn, PERFECT.dataset_id)
    assert latest == later.extras()
    assert latest["quality_measured_at"] == "2026-12-04T12:00:00+00:00"


def test_a_row_is_recorded_when_a_score_changes_and_once_a_day():
    conn = duckdb.connect()
    first = score_dataset(PERFECT, POLICY)
    assert new_measurements(conn, [first]) == [first]  # never measured
    append_scores(conn, [first])
    same = score_dataset(dataclasses.replace(PERFECT, measured_at=NOW + timedelta(hours=2)), POLICY)
    assert new_measurements(conn, [same]) == []  # nothing changed: the run adds nothing
    stale = dataclasses.replace(
        PERFECT, measured_at=NOW + timedelta(hours=2), last_arrival=NOW - timedelta(days=3)
    )
    changed = score_dataset(stale, POLICY)
    assert new_measurements(conn, [changed]) == [changed]  # freshness fell
    next_day = score_dataset(
        dataclasses.replace(PERFECT, measured_at=NOW + timedelta(days=1)), POLICY
    )
    assert new_measurements(conn, [next_day]) == [next_day]  # the day's first
