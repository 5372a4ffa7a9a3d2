"""Run a staging model, as dbt compiled it for the department warehouse, on a copy of
its raw table with a planted row: what staging makes of a value the sample city never
sends (used by the by-law enforcement and clerk tests)."""

from __future__ import annotations

from pathlib import Path

import duckdb

# beside the department warehouse: the models as dbt compiled them for its build
COMPILED_MODELS = "compiled_models"


def compiled_sql(data_dir: Path, model_path: str) -> str:
    """The model's SQL as the department warehouse's build ran it (``data_dir``: the
    warehouse's folder, ``department_warehouse.data_dir``)."""
    return (Path(data_dir) / COMPILED_MODELS / model_path).read_text()


def run_with_planted_row(
    warehouse: str, model_path: str, tables: list[str], plant: str
) -> list[dict]:
    """Copy ``tables`` ("schema.table") of the warehouse into an in-memory database of the
    same name, run ``plant`` (SQL changing the copies), then the compiled model."""
    conn = duckdb.connect()
    try:
        conn.execute(f"ATTACH '{warehouse}' AS built (READ_ONLY)")
        conn.execute(f"ATTACH ':memory:' AS {Path(warehouse).stem}")
        conn.execute(f"USE {Path(warehouse).stem}")
        for table in tables:
            schema = table.split(".")[0]
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            conn.execute(f"CREATE TABLE {table} AS SELECT * FROM built.{table}")
        conn.execute(plant)
        result = conn.execute(compiled_sql(Path(warehouse).parent, model_path))
        names = [column[0] for column in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]
    finally:
        conn.close()
