"""The dbt process started ahead parses the project while it waits
(lib/dbt_parse_ahead.py): its manifest is used only by a build that would have parsed the
same, and the parse leaves the warehouse free for the run's ingest."""

from __future__ import annotations

import contextlib
import dataclasses
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dagster_project.lib.dbt_parse_ahead import READ_PREFIXES, ParsedAhead, parse_ahead
from dagster_project.settings import DBT_PROJECT_DIR, get_settings

PLAIN_BUILD = ["build", "--no-write-json", "--select", "stg_crm311__service_requests"]


@pytest.fixture(scope="module")
def parsed(tmp_path_factory) -> ParsedAhead:
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    database_before = DuckDBConnectionManager._ENV
    ahead = parse_ahead(tmp_path_factory.mktemp("parse"))
    assert ahead is not None, "the parse ahead failed"
    assert DuckDBConnectionManager._ENV is database_before  # it opened no database
    return ahead


@contextlib.contextmanager
def a_draft_model() -> Iterator[Path]:
    """A model file written now in a hidden folder of a model path (dbt parses it), gone
    after: the project's own files keep their stamps for the other tests."""
    hidden = DBT_PROJECT_DIR / "platform" / ".work_in_progress"
    hidden.mkdir()
    try:
        (hidden / "draft.sql").write_text("select 1 as a\n")
        yield hidden / "draft.sql"
    finally:
        shutil.rmtree(hidden)


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
    """(The fixture checks that dbt-duckdb opened no database.) Another process can open
    the warehouse, read-only so as not to make one where there is none: DuckDB makes the
    file it opens, and an empty warehouse would tell later tests that no system ever
    delivered."""
    warehouse = get_settings().warehouse_path
    if not warehouse.exists():
        return  # the parse did not open it: DuckDB would have made it
    opened = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import duckdb; duckdb.connect({str(warehouse)!r}, read_only=True).close()",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert opened.returncode == 0, opened.stderr


def test_a_plain_build_in_the_same_project_and_environment_gets_the_manifest(
    parsed, monkeypatch, tmp_path
):
    """As dagster-dbt starts the build: its own target and log folders, JSON logs, the
    run's socket variable. The cache the parse updated goes to the build's folder."""
    monkeypatch.chdir(DBT_PROJECT_DIR)
    ahead = _fresh(parsed)
    as_dagster_dbt_builds = {
        "DBT_TARGET_PATH": str(tmp_path),
        "DBT_LOG_PATH": str(tmp_path),
        "DBT_LOG_FORMAT": "json",
        "CITY_DBT_WARM_SOCKET": "/tmp/city-dbt-x/dbt.sock",
        "DAGSTER_HOME": "/elsewhere",
    }
    environment = {**parsed.environment, **as_dagster_dbt_builds}
    assert ahead.manifest_for(PLAIN_BUILD, environment) is not None
    assert (tmp_path / "partial_parse.msgpack").exists()
    assert ahead.manifest_for(PLAIN_BUILD, environment) is None  # once only


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


@pytest.mark.serial  # a_draft_model: another worker's parse would take the draft in
def test_a_build_elsewhere_or_after_a_model_was_added_parses_itself(parsed, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # another project's folder
    assert _fresh(parsed).manifest_for(PLAIN_BUILD, parsed.environment) is None
    monkeypatch.chdir(DBT_PROJECT_DIR)
    with a_draft_model():  # (dbt parses hidden subfolders of a model path too)
        assert _fresh(parsed).manifest_for(PLAIN_BUILD, parsed.environment) is None
    assert _fresh(parsed).manifest_for(PLAIN_BUILD, parsed.environment) is not None


@pytest.mark.serial  # (a_draft_model)
def test_no_parse_ahead_just_after_a_project_file_was_written(tmp_path):
    """A file written this shortly before may be written again within the same tick of a
    coarse clock, unseen by its stamp."""
    with a_draft_model():
        assert parse_ahead(tmp_path / "parse") is None
