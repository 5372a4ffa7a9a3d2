"""The warehouse's dbt models, seeds and tests as Dagster assets.

Asset keys follow the warehouse's schemas: ``raw/<table>`` for sources (produced by the
ingest assets), ``<schema>/<model>`` for models (staging, intermediate, core, kpi,
open_data, reference for seeds).
"""

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from dagster_project.settings import get_settings

from .project import dbt_project

DBT_STOP_SECONDS = 6


class CityDbtTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey(["raw", dbt_resource_props["name"]])
        schema = dbt_resource_props["config"].get("schema") or "main"
        return dg.AssetKey([schema, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props["config"].get("schema") or "warehouse"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=CityDbtTranslator(),
)
def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    # raise_on_error=False: a model or test that fails stops only what depends on it; the
    # other datasets still build, pass their gates and publish. Failures show on the
    # assets and checks they concern.
    # dbt runs in dbt/: hand it the data folder as an absolute path, so a relative
    # PLATFORM_DATA_DIR (say from .env) means the same folder to dbt as to us.
    os.environ["PLATFORM_DATA_DIR"] = str(get_settings().data_dir)
    os.environ["CITY_DBT_EXECUTABLE"] = str(Path(sys.executable).with_name("dbt"))
    invocation = dbt.cli(["build"], context=context, raise_on_error=False)
    # A stopped run (SIGTERM, SIGINT) forwards the interrupt to dbt and waits this long
    # for it to end before the run reports itself stopped: the whole stop stays < 10 s.
    invocation.termination_timeout_seconds = DBT_STOP_SECONDS
    yield from invocation.stream()
    if not invocation.is_successful():
        context.log.error("dbt build reported errors; see the failed models and checks")
