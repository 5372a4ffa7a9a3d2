"""The run plan (``lib/run_plan.py``) as the assets and checks a run of ``city_pipeline``
executes: used by the command line (``make pipeline``, ``make demo``, the benchmark) and
the daily schedule. The plan is made between runs, reading the warehouse read-only
under a shared turn (``reader_turn``), and the portal's list of our packages.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import dagster as dg
import duckdb

from dagster_project.lib.dictionary import Dictionary, load_dictionary
from dagster_project.lib.gates.results import GATES
from dagster_project.lib.incremental import current_state, load_state
from dagster_project.lib.run_plan import RunPlan, everything, first_run, plan_run
from dagster_project.lib.warehouse import connect, never_written, reader_turn
from dagster_project.settings import get_settings
from publish.ckan.publisher import PublishError
from publish.ckan.retirement import approved_packages

from .automation import raw_key
from .open_data.publish import portal_key
from .open_data.site import DICTIONARY_SITE, QUALITY_REPORTS
from .quality.gates import model_key
from .resources import PortalResource
from .transform.project import dbt_project

WAREHOUSE_OP = "warehouse_models"
CATALOG = dg.AssetKey(["portal", "open_data_catalog"])
FRESHNESS_CHECK = "delivery_freshness"


def make_plan(dictionary: Dictionary | None = None) -> RunPlan:
    """What the next run has to do; the whole job when that cannot be told. Never
    raises: the plan only saves time, and a run must not be lost to it."""
    try:
        return _make_plan(dictionary)
    except Exception as error:  # noqa: BLE001 (any fault: run everything, and say why)
        return everything(f"no plan could be made: {type(error).__name__}: {error}"[:300])


def _make_plan(dictionary: Dictionary | None) -> RunPlan:
    settings = get_settings()
    dictionary = dictionary or load_dictionary(strict=False)
    if not settings.warehouse_path.exists() or never_written(settings.warehouse_path):
        # (a file a killed run created but never wrote is set aside by the first step)
        return first_run(dictionary, settings.landing_dir, "a first run: no warehouse yet")
    try:  # before the warehouse's turn: never hold it over a network call
        packages = _portal_packages(dictionary)
    except (PublishError, OSError) as error:
        return everything(f"the portal did not answer ({type(error).__name__})")
    manifest = json.loads(dbt_project.manifest_path.read_text())
    with reader_turn(settings.warehouse_path) as free:
        if not free:
            return everything("another run is writing the warehouse")
        try:
            conn = connect(settings.warehouse_path, read_only=True)
        except duckdb.Error as error:
            return everything(f"the warehouse could not be read ({type(error).__name__})")
        try:
            current = current_state(conn, manifest, list(dictionary.sources))
            return plan_run(
                conn,
                dictionary,
                settings,
                load_state(settings.data_dir),
                current,
                manifest,
                packages,
                datetime.now(UTC),
            )
        except duckdb.CatalogException:
            return first_run(dictionary, settings.landing_dir, "a first run: no ingest ledger yet")
        finally:
            conn.close()


def _portal_packages(dictionary: Dictionary) -> dict[str, dict | None]:
    """Each approved dataset's package as the portal has it now (one search, not one
    call per dataset); None when it is not there."""
    return approved_packages(PortalResource().publisher(), dictionary)


def planned_job(
    job: dg.JobDefinition, plan: RunPlan, dictionary: Dictionary | None = None
) -> dg.JobDefinition:
    """``job`` (``city_pipeline``) cut to the plan: the steps left out would each have
    found nothing to do."""
    if plan.whole:
        return job
    dictionary = dictionary or load_dictionary(strict=False)
    assets, checks = selection(job, plan, dictionary)
    return job.get_subset(asset_selection=assets, asset_check_selection=checks)


def selection(
    job: dg.JobDefinition, plan: RunPlan, dictionary: Dictionary
) -> tuple[set[dg.AssetKey], set[dg.AssetCheckKey]]:
    graph = job.asset_layer.asset_graph
    keys = set(graph.materializable_asset_keys)
    warehouse_def = next(
        d for d in (graph.assets_def_for_key(k) for k in keys) if d.op.name == WAREHOUSE_OP
    )
    warehouse = set(warehouse_def.keys)
    # the datasets built by the warehouse step (the quality-score dataset has its own)
    datasets = [d.id for d in dictionary.approved_datasets if model_key(d.id) in warehouse]
    site = {CATALOG, DICTIONARY_SITE, QUALITY_REPORTS}
    ingest = {raw_key(s) for s in dictionary.sources.values()} & keys
    published = {portal_key(d) for d in datasets} & keys
    # Always: what depends on the clock or on the portal alone (scores, retirements...)
    chosen = keys - ingest - warehouse - published - site
    chosen |= {raw_key(dictionary.sources[s]) for s in plan.ingest} & keys
    # the datasets whose gates and publication run
    gated = set(datasets) if plan.rebuilt is None else {*plan.rebuilt, *plan.refresh}
    gated &= set(datasets)
    chosen |= {portal_key(d) for d in gated} & keys
    # the published models whose gates run (handed on by the dbt step when not rebuilt)
    chosen |= {model_key(d) for d in gated}
    if plan.recheck_privacy:
        # their publication steps too (they say "unchanged" at once): the catalog and the
        # site pages wait for them, so for these privacy gates, as in a full run, and
        # never list a dataset a gate is withdrawing
        chosen |= {k for d in plan.current for k in (model_key(d), portal_key(d))} & keys
    built = _to_build(plan)
    chosen |= {k for k in warehouse if built is None or k.path[-1] in built}
    # always: the quality-score dataset publishes most days (the day's first scores), and
    # the catalog, dictionary and report pages send only what changed
    chosen |= site
    checks = {
        c
        for c in graph.asset_check_keys
        if c.name == FRESHNESS_CHECK
        or (c.asset_key in chosen and c.asset_key not in warehouse)
        or (c.name in GATES and c.asset_key in {model_key(d) for d in gated})
    }
    if plan.recheck_privacy:
        again = {dg.AssetCheckKey(model_key(d), "privacy_gate") for d in plan.current}
        checks |= again & set(graph.asset_check_keys)
    # dbt's tests, as checks of the models it builds (sources too)
    checks |= {c for c in warehouse_def.check_keys if built is None or c.name in built}
    return chosen, checks


def _to_build(plan: RunPlan) -> frozenset[str] | None:
    """The names of the dbt nodes the warehouse step may build; None: all."""
    if not plan.warehouse:
        return frozenset()
    return None if plan.whole else plan.built
