"""The warehouse's dbt models, seeds and tests as Dagster assets.

Asset keys follow the warehouse's schemas: ``raw/<table>`` for sources (produced by the
ingest assets), ``<schema>/<model>`` for models (staging, intermediate, core, kpi,
open_data, reference for seeds).
"""

import json
import os
import shutil
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from dagster_project.defs.transform.dagster_dbt_lean import (
    DagsterDbtTranslator,
    DbtCliResource,
    dbt_assets,
    manifest_part,
)
from dagster_project.lib.dictionary import load_dictionary
from dagster_project.lib.gates.results import GATES
from dagster_project.lib.gates.warm_up import warm_up_gate_libraries
from dagster_project.lib.incremental import (
    BuildState,
    current_state,
    data_version,
    load_state,
    plan_build,
    project_version,
    save_state,
)
from dagster_project.lib.warehouse import connect, writer_turn
from dagster_project.settings import get_settings

from .project import dbt_environment, dbt_project, link_city_folder, target_dir

# An unchanged published model is handed on with its data version (Output's data_version
# is marked beta in Dagster 1.13; the behaviour we use, a version on the event, is stable).
warnings.filterwarnings("ignore", message=".*data_version.*", category=dg.BetaWarning)

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


# Built after the datasets publish, in their own step (quality_score_models.py)
QUALITY_SCORE_MODELS = "stg_open_data_platform__dataset_quality_scores pub_dataset_quality_scores"


def step_manifest(inside_quality_scores: bool) -> dict:
    """The manifest of one dbt step: the quality-score models, or all the others. Each
    ``@dbt_assets`` makes assets of every node of its part and selects nothing itself
    (``select=""``): this process evaluates no dbt selection (dagster_dbt_lean.py),
    and each step's command says what it builds (``--exclude`` / ``--select``)."""
    manifest = json.loads(dbt_project.manifest_path.read_text())
    return manifest_part(manifest, QUALITY_SCORE_MODELS.split(), inside=inside_quality_scores)


@dbt_assets(
    manifest=step_manifest(inside_quality_scores=False),
    project=dbt_project,
    select="",
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
    settings = get_settings()
    with writer_turn(settings.warehouse_path, context.log.warning):
        manifest = json.loads(dbt_project.manifest_path.read_text())
        current = _current_state(settings, manifest)
        # The descendants of what changed since the last build that succeeded, or
        # nothing; within a system's job or a planned run, within its part. Only a build
        # whose selection covers all of that records its versions as the new reference.
        plan = plan_build(load_state(settings.data_dir), current)
        context.log.info(f"warehouse build: {plan.reason}")
        if plan.nothing:
            yield from _unchanged_published_models(context, settings, built=set())
            return
        # (The reference stays the last successful whole build until this one succeeds:
        # a failed or killed build is redone from the same changed systems next time.)
        excluded = plan.excluded_nodes(manifest)
        # the quality-score models are the next step's; what did not change, this one's
        left_out = dict.fromkeys(
            QUALITY_SCORE_MODELS.split() + _selectable(manifest, excluded, context)
        )
        args = ["build", "--exclude", " ".join(left_out), NO_ARTIFACTS]
        if plan.full_refresh:  # the incremental models from all raw rows (see lib/incremental)
            args.append("--full-refresh")
        invocation = dbt.cli(args, context=context, raise_on_error=False)
        warm_up_gate_libraries()  # new rows: their gates will run (dbt has started)
        # A stopped run (SIGTERM, SIGINT) forwards the interrupt to dbt and waits this
        # long for it to end before the run reports itself stopped: the stop stays < 10 s.
        invocation.termination_timeout_seconds = DBT_STOP_SECONDS
        results = yield from stream_with_results(invocation)
        _keep_partial_parse(invocation.target_path)
        if invocation.is_successful() and _covers(context, manifest, excluded):
            save_state(settings.data_dir, current)
        if excluded:  # what it left out had not changed
            built = {r["unique_id"].split(".")[-1] for r in results}
            yield from _unchanged_published_models(context, settings, built)
    if not invocation.is_successful():
        # dbt exits 1 when nodes failed, each with its result above. Any other end (2: an
        # error dbt did not handle, a compilation error; negative: killed, out of memory)
        # left the nodes it never reached without a word: the step fails, saying why.
        if invocation.process.returncode not in (0, 1) or not results:
            raise invocation.get_error() or dg.Failure("dbt build failed")
        yield from _unbuilt_published_models(context, results)


# dbt writes manifest.json twice and run_results.json once per build when asked (0.6-0.9 s
# of each build, however small): the Dagster definitions read the project's manifest,
# and the results come from dbt's own events (stream_with_results). Each build folder
# keeps dbt.log, which holds every result.
NO_ARTIFACTS = "--no-write-json"


# dbt's events on stdout (info level) that carry a node's outcome: one per node run,
# failed or skipped; then, at the end of the build, the message of each that failed.
NODE_SKIPPED = "SkippingDetails"
NODE_OUTCOME = frozenset(
    {"LogModelResult", "LogSnapshotResult", "LogSeedResult", "LogTestResult", NODE_SKIPPED}
)
FAILURE_MESSAGE = "RunResultError"


def stream_with_results(invocation):
    """dagster-dbt's events for a build (what ``invocation.stream()`` yields), and, as the
    generator's return value, each node's result as run_results.json would list it
    (unique_id, status as in run_results: success, error, pass, fail, warn, skipped;
    the message of a failure), read from the same events."""
    results: dict[str, dict] = {}
    for event in invocation.stream_raw_events():
        name, data = event.raw_event["info"]["name"], event.raw_event["data"]
        unique_id = data.get("node_info", {}).get("unique_id")
        if unique_id and name in NODE_OUTCOME:
            status = "skipped" if name == NODE_SKIPPED else data["node_info"].get("node_status")
            results[unique_id] = {"unique_id": unique_id, "status": status, "message": None}
        elif unique_id and name == FAILURE_MESSAGE:
            entry = results.setdefault(unique_id, {"unique_id": unique_id, "status": "error"})
            entry["message"] = data.get("msg")
        yield from event.to_default_asset_events(
            manifest=invocation.manifest,
            dagster_dbt_translator=invocation.dagster_dbt_translator,
            context=invocation.context,
            target_path=invocation.target_path,
            project=invocation.project,
        )
    return list(results.values())


def _selectable(manifest: dict, excluded: list[str], context) -> list[str]:
    """The excluded nodes this step's selection would otherwise build. dbt matches each
    ``--exclude`` name against every node: the ~500 names of a one-system build took 2 s,
    while a planned run selects only what it builds and so none of them. Kept: a selected
    model, seed or snapshot, and a test on one of them or on a source (which Dagster
    does not select by name). (In a subset, ``assets_def.keys`` are the selected keys;
    the node's keys are all of this step's part of the project.)"""
    every_key = set(context.assets_def.node_keys_by_output_name.values())
    if context.selected_asset_keys == every_key:
        return excluded  # the whole project is selected
    selected = {key.path[-1] for key in context.selected_asset_keys}
    by_name = {node["name"]: node for node in manifest["nodes"].values()}
    kept = []
    for name in excluded:
        node = by_name.get(name)
        if node is None or name in selected:
            kept.append(name)
        elif node["resource_type"] == "test":
            parents = node["depends_on"]["nodes"]
            if any(p.startswith("source.") or p.split(".")[-1] in selected for p in parents):
                kept.append(name)
    return kept


def _keep_partial_parse(invocation_target: Path) -> None:
    """dbt's parse cache of this build becomes the one the next build starts from. Each
    build writes its artifacts to a folder of its own and starts from the project's
    target folder: when that cache was written under another profile (another data
    folder than the one `make install` parsed with), every build re-parsed all (~2 s)."""
    cache = invocation_target / "partial_parse.msgpack"
    if cache.exists():
        staged = target_dir() / f".partial_parse.{os.getpid()}.tmp"
        shutil.copyfile(cache, staged)
        os.replace(staged, target_dir() / "partial_parse.msgpack")


def _covers(context, manifest: dict, excluded: list[str]) -> bool:
    """Every model, seed and snapshot this build had to build, and every test of them, is
    selected in this run: then the build is as good as one of the whole project. (A
    system's job or a planned run selects a part: ``assets_def`` is then the subset, the
    node the whole; what it leaves out must be what the build excluded anyway.)"""
    assets_def = context.assets_def
    left_out = set(excluded)
    to_build, to_test = set(), set()
    for node in manifest["nodes"].values():
        if node["name"] not in left_out:
            (to_test if node["resource_type"] == "test" else to_build).add(node["name"])
    selected = {key.path[-1] for key in assets_def.keys_by_output_name.values()}
    checks = {spec.name for spec in assets_def.check_specs_by_output_name.values()}
    all_keys = {key.path[-1] for key in assets_def.node_keys_by_output_name.values()}
    all_checks = {spec.name for spec in assets_def.node_check_specs_by_output_name.values()}
    return (to_build & all_keys) <= selected and (to_test & all_checks) <= checks


def _current_state(settings, manifest: dict) -> BuildState:
    systems = list(load_dictionary(strict=False).sources)
    try:
        conn = connect(settings.warehouse_path)
    except duckdb.Error:
        return BuildState(project_version(manifest), {})
    try:
        return current_state(conn, manifest, systems)
    except duckdb.CatalogException:  # no ledger yet: a first run
        return BuildState(project_version(manifest), {}, None)
    finally:
        conn.close()


def _unchanged_published_models(context, settings, built: set[str]):
    """The published models this build left alone because nothing they depend on changed:
    their rows are the current ones, so their gates and publishers run on them (and say
    "unchanged" at once when they already passed and published these very rows)."""
    conn = connect(settings.warehouse_path)
    try:
        for key in sorted(context.selected_asset_keys, key=lambda k: k.path):
            name = key.path[-1]
            if key.path[0] != "open_data" or name in built:
                continue
            version = data_version(conn, "open_data", name)
            if version is None:  # never built: nothing to hand on
                continue
            yield dg.Output(
                None,
                output_name=context.assets_def.get_output_name_for_asset_key(key),
                data_version=dg.DataVersion(version),
                metadata={"rebuilt": False, "why": "nothing it depends on changed"},
            )
    finally:
        conn.close()


def _unbuilt_published_models(context, results: list[dict]):
    """An observation on each published model dbt did not build, saying why, so the run's
    summary names the cause for the dataset instead of "not reached"; and a failed result
    for each of its blocking gates ("not evaluated"), which Dagster skips with the model:
    every gate of the run says something, and the dataset is held back either way."""
    failed = {
        r["unique_id"].split(".")[-1]: (r.get("message") or r["status"]).splitlines()[0]
        for r in results
        if r["status"] in ("error", "fail")
    }
    context.log.error(f"dbt: {len(failed)} model(s) or test(s) failed: {', '.join(failed)}")
    checks_in_run = context.run.asset_check_selection  # None: every check of the job
    gated = {f"pub_{d.id}" for d in load_dictionary(strict=False).approved_datasets}
    for result in results:
        name = result["unique_id"].split(".")[-1]
        if (
            result["unique_id"].startswith("model.")
            and name.startswith("pub_")
            and result["status"] in ("error", "skipped")
        ):
            gate_names = GATES if name in gated else ()
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
