"""The warehouse's dbt models, seeds and tests as Dagster assets.

Asset keys follow the warehouse's schemas: ``raw/<table>`` for sources (produced by the
ingest assets), ``<schema>/<model>`` for models (staging, intermediate, core, kpi,
open_data, reference for seeds).
"""

import os
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from dagster_project.lib.dictionary import load_dictionary
from dagster_project.lib.warehouse import writer_turn
from dagster_project.settings import get_settings

from .project import dbt_environment, dbt_project, link_city_folder

DBT_STOP_SECONDS = 6
GATE_NAMES = ("quality_gate", "privacy_gate")  # defs/quality/gates.py


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
    # dbt runs in dbt/: hand it the data folder and the city's folder as absolute paths,
    # so a relative PLATFORM_DATA_DIR (say from .env) means the same folder to dbt as to us.
    os.environ.update(dbt_environment())
    link_city_folder()
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
    summary names the cause for the dataset instead of "not reached"; and a failed result
    for each of its blocking gates ("not evaluated"), which Dagster skips with the model:
    every gate of the run says something, and the dataset is held back either way."""
    failed = {
        r["unique_id"].split(".")[-1]: (r.get("message") or r["status"]).splitlines()[0]
        for r in run_results.get("results", [])
        if r["status"] in ("error", "fail")
    }
    context.log.error(f"dbt: {len(failed)} model(s) or test(s) failed: {', '.join(failed)}")
    checks_in_run = context.run.asset_check_selection  # None: every check of the job
    gated = {f"pub_{d.id}" for d in load_dictionary(strict=False).approved_datasets}
    for result in run_results.get("results", []):
        name = result["unique_id"].split(".")[-1]
        if (
            result["unique_id"].startswith("model.")
            and name.startswith("pub_")
            and result["status"] in ("error", "skipped")
        ):
            gate_names = GATE_NAMES if name in gated else ()
            cause = failed.get(name) or "; ".join(f"{k}: {v}" for k, v in failed.items())
            key = dg.AssetKey(["open_data", name])
            yield dg.AssetObservation(asset_key=key, metadata={"not_built": cause[:500]})
            for check_name in gate_names:
                check_key = dg.AssetCheckKey(key, check_name)
                if checks_in_run is None or check_key in checks_in_run:
                    context.log_event(_not_evaluated(check_key, cause))


def _not_evaluated(check_key: dg.AssetCheckKey, cause: str) -> dg.AssetCheckEvaluation:
    return dg.AssetCheckEvaluation(
        asset_key=check_key.asset_key,
        check_name=check_key.name,
        passed=False,
        severity=dg.AssetCheckSeverity.ERROR,
        description=f"not evaluated: the model was not built ({cause[:300]})",
        metadata={"not_built": cause[:500]},
    )
