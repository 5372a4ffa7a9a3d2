"""dbt-duckdb plugin (``plugins:`` in ``dbt/profiles.yml``): registers the DuckDB function
``small_cell_suppress`` on every connection dbt opens, for the small-cell macro's complements
(``small_cell_protection.py`` says what it computes). A plugin is dbt-duckdb's way to add
Python functions to the warehouse's SQL; the module is imported by dbt's process."""

from __future__ import annotations

import duckdb
from dbt.adapters.duckdb.plugins import BasePlugin

from dagster_project.lib.small_cell_protection import register


class Plugin(BasePlugin):
    def configure_connection(self, conn) -> None:
        register(conn)


def prepare_first_call() -> None:
    """Make a process's first call of ``small_cell_suppress`` as quick as the next ones.

    DuckDB imports pandas and pyarrow at a process's first call of a Python function
    (0.18-0.35 s measured), and a build's first small-cell model comes last, on its
    critical path (the published KPI tables of a 1% delta). The dbt process started
    ahead of a build (cli/dbt_process.py) calls this on a thread while it waits: the
    call, on a connection of its own in memory, imports what the build's would have."""
    conn = duckdb.connect()
    try:
        register(conn)
        conn.execute(
            "SELECT small_cell_suppress([1], [false], [1.0], [['a']], [['a']], 1, 5)"
        ).fetchall()
    finally:
        conn.close()
