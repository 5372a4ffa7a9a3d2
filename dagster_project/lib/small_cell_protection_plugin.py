"""dbt-duckdb plugin (``plugins:`` in ``dbt/profiles.yml``): registers the DuckDB function
``small_cell_suppress`` on every connection dbt opens, for the small-cell macro's complements
(``small_cell_protection.py`` says what it computes). A plugin is dbt-duckdb's way to add
Python functions to the warehouse's SQL; the module is imported by dbt's process."""

from __future__ import annotations

from dbt.adapters.duckdb.plugins import BasePlugin

from dagster_project.lib.small_cell_protection import register


class Plugin(BasePlugin):
    def configure_connection(self, conn) -> None:
        register(conn)
