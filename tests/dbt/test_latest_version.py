"""The staging dedupe macro (dbt/macros/latest_version.sql), rendered with Jinja as dbt
would and run on DuckDB: which version of a repeated key staging keeps."""

from __future__ import annotations

import duckdb
import jinja2
import yaml

from dagster_project.lib.dictionary import source_from_spec
from dagster_project.lib.dictionary.render.dbt import sources_yaml
from dagster_project.settings import DBT_PROJECT_DIR

ROWS = """
CREATE TABLE renamed AS SELECT * FROM (VALUES
    -- key  updated_at            loaded (a later load)      file      row
    ('L-1', TIMESTAMP '2025-03-01', TIMESTAMP '2025-04-01', 'q1.csv', 1),
    ('L-1', TIMESTAMP '2025-01-15', TIMESTAMP '2025-07-01', 'q2.csv', 1),  -- older, sent later
    ('L-2', TIMESTAMP '2025-02-01', TIMESTAMP '2025-04-01', 'q1.csv', 2),
    ('L-3', NULL,                   TIMESTAMP '2025-04-01', 'q1.csv', 3),
    ('L-3', TIMESTAMP '2025-01-01', TIMESTAMP '2025-07-01', 'q2.csv', 3))
AS t(licence_number, updated_at, _loaded_at, _source_file, _source_row)
"""


def _render(call: str) -> str:
    macros = (DBT_PROJECT_DIR / "macros" / "latest_version.sql").read_text()
    environment = jinja2.Environment(autoescape=False)  # noqa: S701 (SQL, not HTML)
    # outside a dbt run, `execute` is false: the contract's latest_by is not looked up
    return environment.from_string(macros + "{{ " + call + " }}").render(execute=False)


def _kept(call: str) -> list[tuple]:
    conn = duckdb.connect()
    conn.execute(ROWS)
    rows = conn.execute(
        f"SELECT licence_number, updated_at IS NULL, _source_file FROM ({_render(call)}) ORDER BY 1"
    ).fetchall()
    conn.close()
    return rows


def test_without_latest_by_the_latest_load_wins():
    assert _kept("latest_version('renamed', 'licence_number')") == [
        ("L-1", False, "q2.csv"),
        ("L-2", False, "q1.csv"),
        ("L-3", False, "q2.csv"),
    ]


def test_latest_by_a_named_column_wins_over_the_load_order_and_empty_values_lose():
    assert _kept("latest_version('renamed', 'licence_number', latest_by='updated_at')") == [
        ("L-1", False, "q1.csv"),  # updated 2025-03-01, though loaded before 2025-01-15's
        ("L-2", False, "q1.csv"),
        ("L-3", False, "q2.csv"),  # a version with no date is never the latest
    ]


def test_a_composite_key_is_one_key():
    assert len(_kept("latest_version('renamed', ['licence_number', '_source_row'])")) == 3


def test_the_contracts_latest_by_reaches_dbt_through_the_source_meta():
    spec = {
        "system": "licences", "title": "t", "owner_division": "licensing",
        "description": "d", "raw_table": "licences_licences",
        "primary_key": ["licence_number"], "latest_by": "updated_at",
        "files": {"folder": "l", "pattern": "*.csv", "format": "csv"},
        "columns": [
            {"name": "licence_number", "type": "varchar", "classification": "public",
             "description": "n"},
            {"name": "updated_at", "type": "timestamp", "classification": "public",
             "description": "u"},
        ],
    }  # fmt: skip
    rendered = yaml.safe_load(sources_yaml(source_from_spec(spec, DBT_PROJECT_DIR / "l.yml")))
    assert rendered["sources"][0]["tables"][0]["meta"]["latest_by"] == "updated_at"
