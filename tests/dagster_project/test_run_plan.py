"""The run plan as a selection of city_pipeline's steps (defs/run_plan.py): what each kind
of plan runs, on the sample city's real definitions. The plan itself, made from a real
warehouse and portal, is tested end to end in tests/test_pipeline_e2e.py."""

from __future__ import annotations

import json

import dagster as dg
import pytest

from dagster_project.definitions import definitions
from dagster_project.defs.run_plan import planned_job, selection
from dagster_project.defs.transform.project import dbt_project
from dagster_project.lib.dictionary import load_dictionary
from dagster_project.lib.dictionary.vocabulary import SYSTEMS_WITHOUT_EXTRACTS
from dagster_project.lib.incremental import BuildPlan
from dagster_project.lib.run_plan import RunPlan, _built_nodes, everything, first_run

NOTHING = BuildPlan([], "nothing to build", False)


@pytest.fixture(scope="module")
def job():
    return definitions().resolve_job_def("city_pipeline")


@pytest.fixture(scope="module")
def dictionary():
    return load_dictionary(strict=False)


def warehouse_def(job) -> dg.AssetsDefinition:
    return next(
        d for d in job.asset_layer.asset_graph.assets_defs if d.op.name == "warehouse_models"
    )


def manifest() -> dict:
    return json.loads(dbt_project.manifest_path.read_text())


def paths(keys) -> set[str]:
    return {"/".join(k.path) for k in keys}


def check_names(checks) -> set[str]:
    return {f"{'/'.join(c.asset_key.path)}:{c.name}" for c in checks}


def test_a_run_with_nothing_new_checks_only_deliveries_scores_and_retirements(job, dictionary):
    assets, checks = selection(job, RunPlan("nothing new", build=NOTHING), dictionary)
    chosen = paths(assets)
    assert not {p for p in chosen if p.split("/")[0] in ("core", "kpi", "staging")} - {
        "staging/stg_open_data_platform__dataset_quality_scores"
    }  # no warehouse model but the quality score's own
    assert not any(p.startswith("raw/") and p != "raw/_dataset_quality_scores" for p in chosen)
    assert "portal/service_requests" not in chosen
    # what depends on the clock or the portal alone stays
    assert {"raw/_dataset_quality_scores", "portal/dataset_quality_scores"} <= chosen
    assert "portal/removed_datasets" in chosen
    assert {"portal/open_data_catalog", "portal/quality_reports"} <= chosen  # send changes only
    names = check_names(checks)
    assert f"raw/{dictionary.sources['crm311'].raw_table}:delivery_freshness" in names
    assert not any("pub_service_requests" in n for n in names)
    # a subset Dagster accepts
    assert planned_job(job, RunPlan("nothing new", build=NOTHING), dictionary).name == job.name


def test_a_dataset_to_refresh_runs_its_gates_and_publication_without_dbt(job, dictionary):
    plan = RunPlan("no new files", build=NOTHING, refresh={"service_requests": "rules changed"})
    assets, checks = selection(job, plan, dictionary)
    chosen = paths(assets)
    assert {"open_data/pub_service_requests", "portal/service_requests"} <= chosen
    assert "portal/building_permits" not in chosen
    assert {
        "portal/open_data_catalog",
        "portal/dictionary_site",
        "portal/quality_reports",
    } <= chosen
    names = check_names(checks)
    assert {
        "open_data/pub_service_requests:quality_gate",
        "open_data/pub_service_requests:privacy_gate",
    } <= names
    # the warehouse's dbt does not run: none of its tests are planned
    assert not set(warehouse_def(job).check_keys) & checks


def test_new_files_ingest_that_system_and_check_what_is_built_on_it(job, dictionary):
    crm = dictionary.sources["crm311"]
    plan = RunPlan(
        "new files from crm311",
        ingest=["crm311"],
        build=BuildPlan(["crm311"], "x"),
        built=frozenset(_built_nodes(manifest(), ["crm311"])),
        rebuilt=frozenset({"service_requests"}),
        current={"building_permits": "as published"},
        recheck_privacy=True,
    )
    assets, checks = selection(job, plan, dictionary)
    chosen = paths(assets)
    assert f"raw/{crm.raw_table}" in chosen
    assert f"raw/{dictionary.sources['payments'].raw_table}" not in chosen
    # the models and tests built on crm311's source, not those of other systems
    assert "staging/stg_crm311__service_requests" in chosen
    assert "staging/stg_payments__payments" not in chosen
    tests = {c.name for c in checks}
    assert "unique_in_build_window_stg_crm311__service_requests_request_id" in tests
    assert not [t for t in tests if "stg_payments" in t]
    # handed on unchanged by the dbt step, for its privacy gate; its publication step
    # (it says "unchanged") keeps the catalog after that gate, as in a full run
    assert {"open_data/pub_building_permits", "portal/building_permits"} <= chosen
    assert "portal/service_requests" in chosen
    names = check_names(checks)
    assert {
        "open_data/pub_service_requests:quality_gate",
        "open_data/pub_service_requests:privacy_gate",
        # the personal values changed: the privacy gate of a dataset not rebuilt too
        "open_data/pub_building_permits:privacy_gate",
    } <= names
    assert "open_data/pub_building_permits:quality_gate" not in names


def test_a_whole_build_checks_and_publishes_every_dataset(job, dictionary):
    plan = RunPlan("the dbt project changed", build=BuildPlan(None, "x"), rebuilt=None)
    assets, checks = selection(job, plan, dictionary)
    assert {f"portal/{d.id}" for d in dictionary.approved_datasets} <= paths(assets)
    warehouse = warehouse_def(job)
    assert set(warehouse.keys) <= assets and set(warehouse.check_keys) <= checks


def test_a_first_run_leaves_out_the_datasets_of_systems_with_no_file(job, dictionary, tmp_path):
    """Before the first ingest: every system's ingest (the empty raw tables dbt's sources
    need) and the whole warehouse; the gates and publication of the datasets whose
    systems all have a file to load, not those that would only say "waiting"."""
    landing = tmp_path / "landing"
    (landing / "crm311").mkdir(parents=True)
    (landing / "crm311" / "SR_EXPORT_2026.csv").write_text("request_id\nSR-1\n")
    plan = first_run(dictionary, landing, "a first run: no warehouse yet")
    assert not plan.whole and plan.warehouse and plan.built is None
    assert plan.ingest == sorted(dictionary.sources)
    # (the platform's measurements and the dictionary deliver no file: never waited for)
    assert plan.rebuilt == {
        d.id
        for d in dictionary.approved_datasets
        if set(d.source_systems) - SYSTEMS_WITHOUT_EXTRACTS <= {"crm311"}
    }
    assert {"dataset_quality_scores", "service_inventory"} <= plan.rebuilt
    chosen, checks = selection(job, plan, dictionary)
    assets, names = paths(chosen), check_names(checks)
    assert {f"raw/{s.raw_table}" for s in dictionary.sources.values()} <= assets
    assert set(warehouse_def(job).keys) <= chosen
    assert "portal/service_requests" in assets and "portal/building_permits" not in assets
    assert "open_data/pub_service_requests:privacy_gate" in names
    assert "open_data/pub_building_permits:quality_gate" not in names


def test_without_a_plan_everything_runs(job, dictionary):
    assert planned_job(job, everything("no warehouse yet"), dictionary) is job


def test_the_summary_says_what_the_run_does():
    plan = RunPlan("no new files", build=NOTHING, current={"a": "as published"})
    assert "only deliveries' freshness" in plan.summary()
    assert "every step" in everything("a first run").summary()
    refresh = RunPlan("no new files", build=NOTHING, refresh={"b": "why"})
    assert refresh.summary().endswith("gates and portal of b")
    assert not refresh.warehouse and RunPlan("x", ingest=["crm311"]).warehouse


def test_dbt_is_told_only_the_exclusions_its_selection_would_build(job):
    """A planned build selects only what it builds: the ~370 names of nodes not built on
    the changed system (which dbt matched one by one, 2 s) are not passed; a selection
    of the whole project gets them all; a selected node among them stays excluded."""
    from types import SimpleNamespace

    from dagster_project.defs.transform.dbt_assets import _selectable

    warehouse = warehouse_def(job)
    excluded = BuildPlan(["crm311"], "x", False).excluded_nodes(manifest())
    built = _built_nodes(manifest(), ["crm311"])

    def context(names):  # as Dagster hands it to a step: the subset's definition
        keys = {k for k in warehouse.keys if k.path[-1] in names}
        subset = warehouse.subset_for(keys, selected_asset_check_keys=None)
        return SimpleNamespace(selected_asset_keys=keys, assets_def=subset)

    assert len(excluded) > 100
    assert _selectable(manifest(), excluded, context(built)) == []
    everything_selected = {k.path[-1] for k in warehouse.keys}
    assert _selectable(manifest(), excluded, context(everything_selected)) == excluded
    kept = _selectable(manifest(), excluded, context({*built, "fct_building_permits"}))
    assert "fct_building_permits" in kept
    assert "unique_fct_building_permits_permit_number" in kept  # its test too
