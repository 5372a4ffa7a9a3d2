"""What a run must redo: versions of raw tables, the dbt project and published rows."""

from __future__ import annotations

import json

import duckdb

from dagster_project.lib.incremental import (
    BuildState,
    data_version,
    load_state,
    plan_build,
    project_version,
    raw_versions,
    save_state,
)
from dagster_project.settings import DBT_PROJECT_DIR


def test_nothing_changed_builds_nothing_and_a_new_file_builds_its_descendants():
    before = BuildState("p1", {"crm311": "a", "permits": "b"})
    assert plan_build(before, before).nothing
    plan = plan_build(before, BuildState("p1", {"crm311": "a2", "permits": "b"}))
    assert plan.changed == ["crm311"]
    assert "crm311" in plan.reason


def test_no_earlier_build_or_a_changed_project_builds_everything():
    now = BuildState("p2", {"crm311": "a"})
    assert plan_build(None, now).changed is None
    assert plan_build(BuildState("p1", {"crm311": "a"}), now).changed is None


def test_the_state_is_kept_and_an_unreadable_one_means_build_everything(tmp_path):
    assert load_state(tmp_path) is None
    save_state(tmp_path, BuildState("p", {"crm311": "v"}))
    assert load_state(tmp_path) == BuildState("p", {"crm311": "v"})
    (tmp_path / "build_state.json").write_text("{half a fi")
    assert load_state(tmp_path) is None  # unreadable: build everything


def test_raw_versions_follow_the_files_loaded_not_the_clock():
    conn = duckdb.connect()
    conn.execute("CREATE SCHEMA raw")
    conn.execute(
        "CREATE TABLE raw._ingest_files (system VARCHAR, file_name VARCHAR, sha256 VARCHAR, "
        "status VARCHAR, ingested_at TIMESTAMPTZ DEFAULT now())"
    )
    conn.execute("INSERT INTO raw._ingest_files VALUES ('crm311', 'a.csv', 'h1', 'loaded', now())")
    first = raw_versions(conn, ["crm311", "permits"])
    assert first["permits"] == "none"
    conn.execute(
        "INSERT INTO raw._ingest_files VALUES ('crm311', 'x.csv', 'h9', 'quarantined', now())"
    )
    assert raw_versions(conn, ["crm311", "permits"]) == first  # a refused file changes nothing
    conn.execute("INSERT INTO raw._ingest_files VALUES ('crm311', 'b.csv', 'h2', 'loaded', now())")
    assert raw_versions(conn, ["crm311", "permits"])["crm311"] != first["crm311"]


def test_a_data_version_is_the_rows_in_any_order():
    conn = duckdb.connect()
    conn.execute("CREATE SCHEMA open_data")
    conn.execute("CREATE TABLE open_data.a AS SELECT * FROM (VALUES (1, 'x'), (2, 'y')) t(k, v)")
    conn.execute("CREATE TABLE open_data.b AS SELECT * FROM (VALUES (2, 'y'), (1, 'x')) t(k, v)")
    conn.execute("CREATE TABLE open_data.c AS SELECT * FROM (VALUES (1, 'x'), (2, 'z')) t(k, v)")
    assert data_version(conn, "open_data", "a") == data_version(conn, "open_data", "b")
    assert data_version(conn, "open_data", "a") != data_version(conn, "open_data", "c")
    assert data_version(conn, "open_data", "missing") is None


def test_the_project_version_ignores_parse_time_and_sees_a_changed_model():
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    version = project_version(manifest)
    node = next(n for k, n in manifest["nodes"].items() if k.startswith("model."))
    node["created_at"] = 0
    node["config"]["created_at"] = 0
    assert project_version(manifest) == version
    node["checksum"]["checksum"] = "edited"
    assert project_version(manifest) != version


def test_a_new_311_file_leaves_out_only_what_does_not_depend_on_311():
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    plan = plan_build(BuildState("p", {"crm311": "a", "payments": "b"}),
                      BuildState("p", {"crm311": "a2", "payments": "b"}))  # fmt: skip
    excluded = set(plan.excluded_nodes(manifest))
    # not built: other systems' models, the calendar, the lookups
    assert {"stg_payments__payments", "fct_payments", "dim_dates", "wards"} <= excluded
    # built: 311's models down to what is published, and KPIs mixing 311 with payments
    built = {"stg_crm311__service_requests", "pub_service_requests", "kpi_digital_adoption"}
    assert not built & excluded
    assert "not_null_stg_crm311__service_requests_request_id" not in excluded  # its tests too


def test_incremental_models_add_rows_only_while_the_raw_tables_grow():
    """New files alone: the incremental models add the new rows. A file the last build
    used is no longer loaded (a corrected re-delivery superseded it): full refresh."""
    before = BuildState("p1", {"crm311": "a", "permits": "b"}, {"crm311": ["h1"], "permits": []})
    grown = BuildState("p1", {"crm311": "a2", "permits": "b"}, {"crm311": ["h1", "h2"]})
    plan = plan_build(before, grown)
    assert (plan.changed, plan.full_refresh) == (["crm311"], False)
    replaced = BuildState("p1", {"crm311": "a3", "permits": "b"}, {"crm311": ["h2", "h3"]})
    plan = plan_build(before, replaced)
    assert (plan.changed, plan.full_refresh) == (["crm311"], True)
    assert "corrected re-delivery" in plan.reason
    unrecorded = BuildState("p1", {"crm311": "a", "permits": "b"})  # a state from before
    assert plan_build(unrecorded, grown).full_refresh
    assert plan_build(None, grown).full_refresh
    assert plan_build(before, BuildState("p2", grown.raw, grown.loaded)).full_refresh


def test_the_loaded_files_are_kept_in_the_state(tmp_path):
    state = BuildState("p", {"crm311": "v"}, {"crm311": ["h1", "h2"]})
    save_state(tmp_path, state)
    assert load_state(tmp_path) == state
