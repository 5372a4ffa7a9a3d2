"""Resources: the DuckDB warehouse, dbt, and the CKAN portal.

No secrets live here: the portal's URL and token are read from the environment at run
time (CKAN_URL / CKAN_API_TOKEN) or, for the local portal, from its 0600 token file.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource

from dagster_project.lib.warehouse import connect
from dagster_project.settings import get_settings
from publish.ckan.publisher import CkanPublisher
from publish.portal.connection import portal_connection

from .transform.project import dbt_project


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file. One writer at a time: open, use, close in each step.

    Always read-write: DuckDB refuses a second instance of the same file with another
    configuration in one process, and all steps share the run's process.
    """

    @contextmanager
    def connection(self):
        conn: duckdb.DuckDBPyConnection = connect(get_settings().warehouse_path)
        try:
            yield conn
        finally:
            conn.close()


class PortalResource(dg.ConfigurableResource):
    """The CKAN portal the open datasets go to."""

    def publisher(self) -> CkanPublisher:
        return CkanPublisher(portal_connection().client())

    def url(self) -> str:
        return portal_connection().url


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "warehouse": WarehouseResource(),
            # the dbt installed beside this Python, even when the venv is not activated
            "dbt": DbtCliResource(
                project_dir=dbt_project, dbt_executable=str(Path(sys.executable).with_name("dbt"))
            ),
            "portal": PortalResource(),
        }
    )
