"""The quality-score history's dbt models, built in a step of their own.

They read ``raw._dataset_quality_scores``, which the score asset appends to after every
dataset has published (``defs/quality/score.py``); every other model is upstream of those
publications. In the one dbt step of the warehouse they would make a cycle (dbt step ->
publish -> score -> dbt step), so the warehouse step leaves them out and this step builds
them (with their dbt tests) once the scores are measured.
"""

import json
import os

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from dagster_project.lib.warehouse import writer_turn
from dagster_project.settings import get_settings

from .dbt_assets import QUALITY_SCORE_MODELS, CityDbtTranslator
from .project import dbt_environment, dbt_project, link_city_folder


def _in_manifest() -> bool:
    """A city without the quality-score dataset's entry and models has nothing to build."""
    nodes = json.loads(dbt_project.manifest_path.read_text())["nodes"].values()
    names = {n["name"] for n in nodes if n["resource_type"] == "model"}
    return set(QUALITY_SCORE_MODELS.split()) <= names


def build_quality_score_models() -> dg.AssetsDefinition:
    @dbt_assets(
        manifest=dbt_project.manifest_path,
        project=dbt_project,
        select=QUALITY_SCORE_MODELS,
        dagster_dbt_translator=CityDbtTranslator(),
        name="quality_score_models",
    )
    def quality_score_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        os.environ.update(dbt_environment())
        link_city_folder()
        with writer_turn(get_settings().warehouse_path, context.log.warning):
            yield from dbt.cli(["build"], context=context).stream()

    return quality_score_models


@dg.definitions
def quality_score_models() -> dg.Definitions:
    return dg.Definitions(assets=[build_quality_score_models()] if _in_manifest() else [])
