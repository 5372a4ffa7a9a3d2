"""A build finds the warehouse's schemas and creates only those missing
(dbt/macros/list_schemas.sql: dbt-duckdb compared the quoted database name with the
catalog's and created every schema again at every build).

A small dbt project of its own, with the platform's macro, on a DuckDB file."""

from __future__ import annotations

import shutil
from pathlib import Path

from dbt.cli.main import dbtRunner

from dagster_project.settings import DBT_PROJECT_DIR

PROJECT = """
name: schemas_check
version: "1.0.0"
profile: schemas_check
config-version: 2
"""
PROFILE = """
schemas_check:
  target: local
  outputs:
    local: {type: duckdb, path: "%s", threads: 1}
"""
MODELS = {
    "in_core.sql": "{{ config(materialized='table', schema='core') }} select 1 as n",
    "in_kpi.sql": "{{ config(materialized='table', schema='kpi') }} select 2 as n",
}


def _schemas_created(project: Path) -> list[str]:
    created: list[str] = []

    def listen(event) -> None:
        if event.info.name == "SchemaCreation":
            created.append(event.data.relation.schema)

    # (its own target and log folders: a run in this process may have set DBT_TARGET_PATH
    # to the city's project, whose manifest other tests read)
    result = dbtRunner(callbacks=[listen]).invoke(
        ["run", "--project-dir", str(project), "--profiles-dir", str(project), "--quiet",
         "--target-path", str(project / "target"), "--log-path", str(project / "logs")]
    )  # fmt: skip
    assert result.success, result.exception
    return sorted(created)


def test_a_build_creates_only_the_schemas_the_warehouse_lacks(tmp_path: Path):
    (tmp_path / "macros").mkdir()
    (tmp_path / "models").mkdir()
    shutil.copy(DBT_PROJECT_DIR / "macros" / "list_schemas.sql", tmp_path / "macros")
    (tmp_path / "dbt_project.yml").write_text(PROJECT)
    (tmp_path / "profiles.yml").write_text(PROFILE % (tmp_path / "warehouse.duckdb"))
    for name, sql in MODELS.items():
        (tmp_path / "models" / name).write_text(sql)

    assert _schemas_created(tmp_path) == ["main_core", "main_kpi"]  # a new warehouse
    assert _schemas_created(tmp_path) == []  # the next build: they are there
    (tmp_path / "models" / "in_open_data.sql").write_text(
        "{{ config(materialized='table', schema='open_data') }} select 3 as n"
    )
    assert _schemas_created(tmp_path) == ["main_open_data"]  # a new one, alone
