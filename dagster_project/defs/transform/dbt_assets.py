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

from dagster_project.lib.warehouse import writer_turn
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

    def get_asset_check_spec(self, asset_spec, manifest, unique_id, project):
        """dbt tests are shown as checks on their models but do not block in Dagster: a
        blocking check failing inside the one dbt step would fail that step and so every
        dataset. dbt itself skips what is built on a model whose test fails, so a failed
        test stops only what depends on it (and the run's summary says which test)."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        return spec._replace(blocking=False) if spec is not None else None


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
    with writer_turn(get_settings().warehouse_path, context.log.warning):
        invocation = dbt.cli(["build"], context=context, raise_on_error=False)
        # A stopped run (SIGTERM, SIGINT) forwards the interrupt to dbt and waits this
        # long for it to end before the run reports itself stopped: the stop stays < 10 s.
        invocation.termination_timeout_seconds = DBT_STOP_SECONDS
        yield from invocation.stream()
    if not invocation.is_successful():
        yield from _unbuilt_published_models(context, invocation.get_artifact("run_results.json"))


def _unbuilt_published_models(context, run_results: dict):
    """An observation on each published model dbt did not build, saying why, so the run's
    summary names the cause for the dataset instead of "not reached"."""
    failed = {
        r["unique_id"].split(".")[-1]: (r.get("message") or r["status"]).splitlines()[0]
        for r in run_results.get("results", [])
        if r["status"] in ("error", "fail")
    }
    context.log.error(f"dbt: {len(failed)} model(s) or test(s) failed: {', '.join(failed)}")
    for result in run_results.get("results", []):
        name = result["unique_id"].split(".")[-1]
        if (
            result["unique_id"].startswith("model.")
            and name.startswith("pub_")
            and result["status"] in ("error", "skipped")
        ):
            cause = failed.get(name) or "; ".join(f"{k}: {v}" for k, v in failed.items())
            yield dg.AssetObservation(
                asset_key=dg.AssetKey(["open_data", name]), metadata={"not_built": cause[:500]}
            )
