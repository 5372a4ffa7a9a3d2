"""A warehouse built from the whole sample city, once per test session, without the portal.

Each department's tests query it: the generators' mess went through the contracts, the
dbt models and the gates the way ``make demo`` sends it (ingest, dbt build, quality and
privacy checks), only the publication to CKAN is left out, so these tests need no portal.
"""

from __future__ import annotations

import shutil

import dagster as dg
import duckdb
import pytest

from dagster_project.defs.quality.score import SCORES_KEY
from dagster_project.defs.resources import build_folder
from dagster_project.lib.dbt_environment import target_dir
from dagster_project.settings import get_settings
from sample_data import generate

from .planted import COMPILED_MODELS

SCALE = 0.2  # every code path of every generator, in about a minute


@pytest.fixture(scope="session")
def department_warehouse(tmp_path_factory):
    """``query(sql) -> rows`` on the built warehouse (read-only, one connection per query,
    so nothing holds the file's lock)."""
    from dagster_project.definitions import definitions

    folder = tmp_path_factory.mktemp("departments")
    patcher = pytest.MonkeyPatch()
    patcher.setenv("PLATFORM_DATA_DIR", str(folder))
    get_settings.cache_clear()
    try:
        generate(folder / "landing", scale=SCALE, seed=7)
        job = definitions().resolve_job_def("city_pipeline")
        # the quality scores read the portal's packages (raw/_dataset_quality_scores):
        # they and their models are left out with the publication: no portal needed
        graph = job.asset_layer.asset_graph
        scores = dg.AssetSelection.assets(SCORES_KEY).downstream().resolve(graph)
        everything_but_the_portal = [
            key
            for key in graph.get_all_asset_keys()
            if key.path[0] != "portal" and key not in scores
        ]
        with dg.DagsterInstance.ephemeral() as instance:
            result = job.execute_in_process(
                instance=instance, raise_on_error=False, asset_selection=everything_but_the_portal
            )
        assert result.success, "the pipeline failed: see the captured log"
        # a dbt model that fails stops only what depends on it (the run goes on): here,
        # every published model must have been built
        not_built = {
            "/".join(e.asset_key.path): e.event_specific_data.asset_observation.metadata[
                "not_built"
            ].value
            for e in result.all_events
            if e.event_type_value == "ASSET_OBSERVATION"
            and "not_built" in e.event_specific_data.asset_observation.metadata
        }
        assert not not_built, f"published models dbt did not build: {not_built}"
        keep_compiled_models(result.run_id, folder / COMPILED_MODELS)
    finally:
        patcher.undo()
        get_settings.cache_clear()
    warehouse = folder / "warehouse.duckdb"

    def query(sql: str, parameters: list | None = None) -> list[tuple]:
        conn = duckdb.connect(str(warehouse), read_only=True)
        try:
            return conn.execute(sql, parameters or []).fetchall()
        finally:
            conn.close()

    query.data_dir = folder  # type: ignore[attr-defined]  (for tools that open it themselves)
    return query


def keep_compiled_models(run_id: str, destination) -> None:
    """Copy the SQL dbt compiled in this run's build beside the warehouse: the target
    folder is shared (the other test worker's builds land in it, so "the newest build" is
    not this one), so the planted-row tests read the models this warehouse was built
    with, from here."""
    build = build_folder(target_dir(), run_id)
    assert build is not None, "the run's dbt build left no folder"
    (models,) = (build / "compiled").glob("*/models")
    shutil.copytree(models, destination)
