"""The small-cell suppression macro rendered with Jinja as dbt renders it for DuckDB, for
tests that run it on tables made by hand (no dbt project build needed)."""

from __future__ import annotations

import jinja2

from dagster_project.lib.dictionary.small_cells import SmallCells
from dagster_project.settings import DBT_PROJECT_DIR

MACROS = ("small_cell_suppression.sql", "star_replacing.sql", "materialized_cte.sql")


def suppression_sql(relation: str, rules: SmallCells) -> str:
    """The SELECT the macro gives for ``relation`` under the declaration ``rules``."""
    source = "".join((DBT_PROJECT_DIR / "macros" / name).read_text() for name in MACROS)
    environment = jinja2.Environment(autoescape=False, extensions=["jinja2.ext.do"])  # noqa: S701 (SQL)
    module = {}

    class Adapter:  # dbt's adapter.dispatch, for the DuckDB target
        @staticmethod
        def dispatch(name):
            return lambda *args: getattr(module["macros"], f"duckdb__{name}")(*args)

    module["macros"] = environment.from_string(source).make_module(
        {"adapter": Adapter(), "return": lambda value: value}
    )
    meta = rules.meta()
    return str(
        module["macros"].suppress_small_cells(
            relation,
            meta["counts"],
            meta["dimensions"],
            meta["totals_along"],
            meta["threshold"],
            meta["flag"],
            meta["max_rounds"],
        )
    )
