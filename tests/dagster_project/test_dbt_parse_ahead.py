"""The dbt process started ahead parses the project while it waits
(lib/dbt_parse_ahead.py): its manifest is used only by a build that would have parsed the
same, and the parse leaves the warehouse free for the run's ingest."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys

import pytest

from dagster_project.lib.dbt_parse_ahead import READ_PREFIXES, ParsedAhead, parse_ahead
from dagster_project.settings import DBT_PROJECT_DIR, get_settings

PLAIN_BUILD = ["build", "--no-write-json", "--select", "stg_crm311__service_requests"]


@pytest.fixture(scope="module")
def parsed(tmp_path_factory) -> ParsedAhead:
    ahead = parse_ahead(tmp_path_factory.mktemp("parse"))
    assert ahead is not None, "the parse ahead failed"
    return ahead


def _fresh(ahead: ParsedAhead) -> ParsedAhead:
    return dataclasses.replace(ahead)  # manifest_for hands the manifest out once


def test_the_platforms_dbt_project_reads_only_variables_the_check_compares():
    """The check compares the DBT_, PLATFORM_ and CITY_ variables and those a city's
    models read (the manifest records them); the project and profile must read no other."""
    read = set()
    for path in DBT_PROJECT_DIR.rglob("*"):
        if {"target", "logs"} & set(path.parts) or path.suffix not in (".yml", ".sql"):
            continue
        read |= set(re.findall(r"env_var\(\s*['\"]([^'\"]+)['\"]", path.read_text()))
    assert read and all(name.startswith(READ_PREFIXES) for name in read), read


def test_the_parse_opens_no_connection_so_the_warehouse_stays_free(parsed):
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    assert DuckDBConnectionManager._ENV is None
    warehouse = get_settings().warehouse_path
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    opened = subprocess.run(
        [sys.executable, "-c", f"import duckdb; duckdb.connect({str(warehouse)!r}).close()"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert opened.returncode == 0, opened.stderr


def test_a_plain_build_in_the_same_project_and_environment_gets_the_manifest(parsed, monkeypatch):
    monkeypatch.chdir(DBT_PROJECT_DIR)
    ahead = _fresh(parsed)
    output_only = {"DBT_TARGET_PATH": "/elsewhere", "DBT_LOG_FORMAT": "json"}
    assert ahead.manifest_for(PLAIN_BUILD, {**parsed.environment, **output_only}) is not None
    assert ahead.manifest_for(PLAIN_BUILD, parsed.environment) is None  # once only


@pytest.mark.parametrize(
    "args, changes",
    [
        (["build", "--full-refresh"], {}),
        (["build", "--vars", "{a: 1}"], {}),
        (["run"], {}),
        (PLAIN_BUILD, {"PLATFORM_DATA_DIR": "/another/data"}),
        (PLAIN_BUILD, {"DBT_ENV_CUSTOM_ENV_PLATFORM_CITY": "/another/city"}),
        (PLAIN_BUILD, {"DBT_PROFILES_DIR": "/another/profiles"}),
        (PLAIN_BUILD, {"DBT_PROJECT_DIR": None}),  # told by the folder it runs in
    ],
    ids=[
        "full refresh",
        "vars",
        "not a build",
        "another data folder",
        "another city",
        "another profile",
        "no project folder",
    ],
)
def test_a_build_that_would_parse_otherwise_parses_itself(parsed, monkeypatch, args, changes):
    monkeypatch.chdir(DBT_PROJECT_DIR)
    environment = {**parsed.environment, **changes}
    environment = {k: v for k, v in environment.items() if v is not None}
    assert _fresh(parsed).manifest_for(args, environment) is None


def test_a_build_elsewhere_or_after_a_project_file_changed_parses_itself(
    parsed, monkeypatch, tmp_path
):
    monkeypatch.chdir(tmp_path)  # another project's folder
    assert _fresh(parsed).manifest_for(PLAIN_BUILD, parsed.environment) is None
    monkeypatch.chdir(DBT_PROJECT_DIR)
    model = next((DBT_PROJECT_DIR / "platform").rglob("*.sql"))
    before = model.stat()
    try:
        os.utime(model, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
        assert _fresh(parsed).manifest_for(PLAIN_BUILD, parsed.environment) is None
    finally:
        os.utime(model, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert _fresh(parsed).manifest_for(PLAIN_BUILD, parsed.environment) is not None


def test_the_run_s_own_variables_do_not_count(parsed, monkeypatch):
    monkeypatch.chdir(DBT_PROJECT_DIR)
    environment = {**parsed.environment, "CITY_DBT_WARM_SOCKET": "/tmp/x", "DAGSTER_HOME": "/d"}
    assert _fresh(parsed).manifest_for(PLAIN_BUILD, environment) is not None
