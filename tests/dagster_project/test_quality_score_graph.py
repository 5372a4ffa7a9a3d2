"""The quality score's place in the asset graph: measured after every other dataset
published, its history modelled by a dbt step of its own (no cycle through the one
warehouse step), then gated and published like every dataset."""

from __future__ import annotations

import dagster as dg
import pytest

from dagster_project.definitions import definitions
from dagster_project.lib.dictionary import load_dictionary

SCORES = dg.AssetKey(["raw", "_dataset_quality_scores"])
STAGING = dg.AssetKey(["staging", "stg_open_data_platform__dataset_quality_scores"])
MODEL = dg.AssetKey(["open_data", "pub_dataset_quality_scores"])


@pytest.fixture(scope="module")
def graph():
    return definitions().get_repository_def().asset_graph


def test_scores_are_measured_after_every_other_dataset_published(graph):
    others = {
        dg.AssetKey(["portal", d.id])
        for d in load_dictionary().approved_datasets
        if d.id != "dataset_quality_scores"
    }
    assert graph.get(SCORES).parent_keys == others


def test_the_history_is_modelled_in_its_own_dbt_step_then_gated_and_published(graph):
    assert graph.get(STAGING).parent_keys == {SCORES}
    assert graph.get(MODEL).parent_keys == {STAGING}
    assert graph.get(dg.AssetKey(["portal", "dataset_quality_scores"])).parent_keys == {MODEL}
    step = graph.get(MODEL).assets_def.node_def.name
    warehouse = graph.get(dg.AssetKey(["open_data", "pub_service_requests"])).assets_def
    assert step == "quality_score_models" != warehouse.node_def.name
    assert MODEL not in warehouse.keys and STAGING not in warehouse.keys
    checks = {c.name for c in graph.asset_check_keys if c.asset_key == MODEL}
    assert {"quality_gate", "privacy_gate"} <= checks


def test_the_whole_pipeline_is_one_job_without_a_cycle():
    job = definitions().resolve_job_def("city_pipeline")
    assert job.asset_layer.asset_graph.get(SCORES).parent_keys


def test_a_failed_run_is_scored_after_it_by_its_own_job():
    """A blocked dataset skips everything downstream, the score too: the quality_score
    job measures after a failed daemon run (the command line runs it itself)."""
    from dagster_project.defs.quality.score import SCORE_JOB, quality_score_after_a_failed_run
    from dagster_project.lib.run_report import ALERTED_BY_TAG

    job = definitions().resolve_job_def(SCORE_JOB)
    assert {SCORES, MODEL, dg.AssetKey(["portal", "dataset_quality_scores"])} <= set(
        job.asset_layer.executable_asset_keys
    )

    @dg.asset(key=dg.AssetKey(["portal", "building_permits"]))
    def blocked():
        raise RuntimeError("the privacy gate failed")

    instance = dg.DagsterInstance.ephemeral()
    failing = dg.Definitions(assets=[blocked], jobs=[dg.define_asset_job("city_pipeline")])
    for tags, expected in (({}, dg.RunRequest), ({ALERTED_BY_TAG: "command line"}, dg.SkipReason)):
        result = failing.resolve_job_def("city_pipeline").execute_in_process(
            instance=instance, raise_on_error=False, tags=tags
        )
        context = dg.build_run_status_sensor_context(
            sensor_name=quality_score_after_a_failed_run.name,
            dagster_event=result.get_run_failure_event(),
            dagster_instance=instance,
            dagster_run=result.dagster_run,
        )
        assert isinstance(quality_score_after_a_failed_run(context), expected)
