"""The quality-score history's dbt models, built in a step of their own.

They read ``raw._dataset_quality_scores``, which the score asset appends to after every
dataset has published (``defs/quality/score.py``); every other model is upstream of those
publications. In the one dbt step of the warehouse they would make a cycle (dbt step ->
publish -> score -> dbt step), so the warehouse step leaves them out and this step builds
them (with their dbt tests) once the scores are measured.

Both models are views over the history (a few rows per dataset per day): the rows the
score step appends show in them at once, so dbt (about 5 s to start) runs only when the
project changed since its last build that succeeded (``<data>/quality_score_build.json``)
or a model is missing; otherwise the step says so and hands them on. Its dbt tests run
with a build only; the new rows are checked each time they change by the published
model's quality gate (Great Expectations, from the dictionary: ``measurement_id``
required and unique, grades from their list), which blocks their publication.
"""

import json
import os
from graphlib import TopologicalSorter

import dagster as dg

from dagster_project.defs.transform.dagster_dbt_lean import (
    DbtCliResource,
    dagster_dbt_selects,
    dbt_assets,
)
from dagster_project.lib.incremental import project_version
from dagster_project.lib.warehouse import connect, writer_turn
from dagster_project.settings import get_settings

from .dbt_assets import NO_ARTIFACTS, QUALITY_SCORE_MODELS, CityDbtTranslator, step_manifest
from .project import dbt_environment, dbt_project, link_city_folder


def _in_manifest() -> bool:
    """A city without the quality-score dataset's entry and models has nothing to build."""
    nodes = json.loads(dbt_project.manifest_path.read_text())["nodes"].values()
    names = {n["name"] for n in nodes if n["resource_type"] == "model"}
    return set(QUALITY_SCORE_MODELS.split()) <= names


def build_quality_score_models() -> dg.AssetsDefinition:
    @dbt_assets(
        manifest=step_manifest(inside_quality_scores=True),
        project=dbt_project,
        select="",  # the command selects (dagster_dbt_lean.py)
        dagster_dbt_translator=CityDbtTranslator(),
        name="quality_score_models",
    )
    def quality_score_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        os.environ.update(dbt_environment())
        link_city_folder()
        settings = get_settings()
        state = settings.data_dir / BUILD_STATE
        with writer_turn(settings.warehouse_path, context.log.warning):
            project = project_version(json.loads(dbt_project.manifest_path.read_text()))
            if _last_build(state) == project and _models_exist(settings.warehouse_path):
                for key in _upstream_first(context.assets_def, context.selected_asset_keys):
                    yield dg.Output(
                        None,
                        output_name=context.assets_def.get_output_name_for_asset_key(key),
                        metadata={"rebuilt": False, "why": "views: the new scores show as is"},
                    )
                return
            # both models, or those of a subset (then dagster-dbt adds their --select)
            selection = [] if dagster_dbt_selects(context) else ["--select", QUALITY_SCORE_MODELS]
            invocation = dbt.cli(["build", *selection, NO_ARTIFACTS], context=context)
            yield from invocation.stream()
            if invocation.is_successful():
                state.write_text(json.dumps({"project": project}) + "\n")

    return quality_score_models


BUILD_STATE = "quality_score_build.json"


def _upstream_first(assets_def: dg.AssetsDefinition, keys) -> list[dg.AssetKey]:
    """Dagster wants a multi-asset's outputs after those they depend on."""
    graph = {key: assets_def.asset_deps.get(key, set()) & set(keys) for key in keys}
    return list(TopologicalSorter(graph).static_order())


def _models_exist(warehouse) -> bool:
    conn = connect(warehouse)
    try:
        found = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE (table_schema, table_name) "
            "IN (('open_data', 'pub_dataset_quality_scores'), "
            "('staging', 'stg_open_data_platform__dataset_quality_scores'))"
        ).fetchone()[0]
    finally:
        conn.close()
    return found == 2


def _last_build(state) -> str | None:
    try:
        return json.loads(state.read_text())["project"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


@dg.definitions
def quality_score_models() -> dg.Definitions:
    return dg.Definitions(assets=[build_quality_score_models()] if _in_manifest() else [])
