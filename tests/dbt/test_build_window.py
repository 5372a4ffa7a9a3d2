"""The uniqueness test of delete+insert models reads the rows of the latest build
(dbt/macros/build_window.sql), and still fails until a repeated key is fixed.

A small dbt project of its own, with the platform's macro and test, on a DuckDB file:
an incremental model that, unlike the city's staging models, lets a batch repeat a key.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from dbt.cli.main import dbtRunner

from dagster_project.settings import DBT_PROJECT_DIR

PROJECT = """
name: window_check
version: "1.0.0"
profile: window_check
config-version: 2
on-run-start: ["{{ create_build_windows_relation() }}"]
on-run-end: ["{{ mark_build_windows_checked(results) }}"]
"""
PROFILE = """
window_check:
  target: local
  outputs:
    local: {type: duckdb, path: "%s", threads: 1}
"""
MODEL = """
{{ config(materialized='incremental', unique_key='item_id',
          incremental_strategy='delete+insert',
          pre_hook="{{ record_build_window('item_id') }}") }}
select item_id, _loaded_at from raw.items
{% if is_incremental() %}
where _loaded_at > (select max(_loaded_at) from {{ this }})
{% endif %}
"""
SCHEMA = """
version: 2
models:
  - name: items
    columns:
      - name: item_id
        data_tests: [unique_in_build_window]
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for folder in ("macros", "tests/generic", "models"):
        (tmp_path / folder).mkdir(parents=True)
    shutil.copy(DBT_PROJECT_DIR / "macros" / "build_window.sql", tmp_path / "macros")
    shutil.copy(
        DBT_PROJECT_DIR / "tests" / "generic" / "unique_in_build_window.sql",
        tmp_path / "tests" / "generic",
    )
    (tmp_path / "dbt_project.yml").write_text(PROJECT)
    (tmp_path / "profiles.yml").write_text(PROFILE % (tmp_path / "w.duckdb"))
    (tmp_path / "models" / "items.sql").write_text(MODEL)
    (tmp_path / "models" / "items.yml").write_text(SCHEMA)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        conn.execute(
            "CREATE SCHEMA raw; CREATE TABLE raw.items (item_id INT, _loaded_at TIMESTAMPTZ)"
        )
    return tmp_path


def _deliver(project: Path, day: int, *item_ids: int) -> None:
    with duckdb.connect(str(project / "w.duckdb")) as conn:
        for item_id in item_ids:
            conn.execute(
                "INSERT INTO raw.items "
                "VALUES (?, TIMESTAMPTZ '2026-01-01 00:00:00+00' + ?::INT * INTERVAL 1 DAY)",
                [item_id, day],
            )


def _build(project: Path, *extra: str) -> dict[str, str]:
    """dbt build; the status of each node (model, test)."""
    result = dbtRunner().invoke(
        ["build", "--project-dir", str(project), "--profiles-dir", str(project),
         "--target-path", str(project / "target"), "--log-path", str(project / "logs"), *extra]
    )  # fmt: skip
    return {
        str(r.node.resource_type): str(r.status)
        for r in result.result.results
        if str(r.node.resource_type) in ("model", "test")
    }


def _window(project: Path) -> list[tuple]:
    with duckdb.connect(str(project / "w.duckdb")) as conn:  # (dbt's is open: same mode)
        return conn.execute(
            "SELECT checked_after::DATE::VARCHAR FROM main._dbt_build_windows ORDER BY build_number"
        ).fetchall()


def test_a_repeated_key_fails_the_test_until_a_delivery_fixes_it(project):
    _deliver(project, 1, 1, 2)
    assert _build(project) == {"model": "success", "test": "pass"}
    _deliver(project, 2, 3, 3)  # a batch that holds a key twice
    assert _build(project) == {"model": "success", "test": "fail"}
    _deliver(project, 3, 4)  # the next delivery leaves key 3 as it is: still failing
    assert _build(project) == {"model": "success", "test": "fail"}
    _deliver(project, 4, 3)  # key 3 once more: delete+insert leaves one row
    assert _build(project) == {"model": "success", "test": "pass"}
    _deliver(project, 5, 5)
    assert _build(project) == {"model": "success", "test": "pass"}
    # full build: no window; then each build's window starts at the newest row it held,
    # and stays open (day 1) while the window held a repeated key
    assert _window(project) == [(None,), ("2026-01-02",), ("2026-01-02",), ("2026-01-02",),
                                ("2026-01-05",)]  # fmt: skip


def test_the_test_reads_what_the_build_wrote_and_the_whole_table_without_a_window(project):
    _deliver(project, 1, 1, 2)
    _build(project)
    with duckdb.connect(str(project / "w.duckdb")) as conn:  # a key repeated by hand, long ago
        conn.execute("INSERT INTO items VALUES (1, TIMESTAMPTZ '2026-01-02 00:00:00+00')")
    _deliver(project, 2, 3)
    assert _build(project) == {"model": "success", "test": "pass"}  # before the window
    with duckdb.connect(str(project / "w.duckdb")) as conn:  # no window recorded: all rows
        conn.execute("DELETE FROM main._dbt_build_windows")
    assert _build(project, "--select", "resource_type:test") == {"test": "fail"}


def test_a_command_without_hooks_compiles_the_test_on_a_new_warehouse(project):
    """dbt compile runs no on-run-start: the windows' table is not there yet."""
    result = dbtRunner().invoke(
        ["compile", "--project-dir", str(project), "--profiles-dir", str(project),
         "--target-path", str(project / "target"), "--log-path", str(project / "logs")]
    )  # fmt: skip
    assert result.success, result.exception
