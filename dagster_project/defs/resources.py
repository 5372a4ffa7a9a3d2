"""Resources: the DuckDB warehouse, dbt, and the CKAN portal.

No secrets live here: the portal's URL and token are read from the environment at run
time (CKAN_URL / CKAN_API_TOKEN) or, for the local portal, from its 0600 token file.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from contextlib import ExitStack, contextmanager
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

import dagster as dg
import duckdb
from packaging import version
from pydantic import PrivateAttr

from dagster_project.defs.transform.dagster_dbt_lean import DbtCliResource
from dagster_project.lib.warehouse import (
    close_kept,
    connect,
    keep_open,
    release_cached_memory,
    writer_turn,
)
from dagster_project.lib.warm_dbt import SOCKET_ENV as WARM_SOCKET_ENV
from dagster_project.lib.warm_dbt import WarmDbt, start_warm_dbt
from dagster_project.settings import PROJECT_DIR, get_settings, secure_data_dir
from publish.ckan.connection import connection_from_environment
from publish.ckan.publisher import CkanPublisher
from publish.portal.connection import portal_connection
from publish.portal.errors import PortalError
from publish.portal.refresh import HELD_BACK, PortalDown, PublishingLock, apply_city_files
from publish.portal.settings import load_settings as load_portal_settings

from .transform.project import dbt_project

# dbt, bound to the pipeline's process: it dies with it (scripts/dbt-bound-to-parent)
DBT_BOUND_TO_PIPELINE = PROJECT_DIR / "scripts" / "dbt-bound-to-parent"


class CityDbtCliResource(DbtCliResource):
    """dagster-dbt's resource, told the dbt version instead of asking: it runs
    ``dbt --version`` (a second dbt start, 2-3 s) before every build to learn it. Our
    dbt is the dbt-core installed beside this Python (``scripts/dbt-bound-to-parent``
    runs it), so its package metadata says the same. (``_cli_version`` is the cached
    property dagster-dbt 0.29 reads; pinned in pyproject.toml.)"""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        """No dbt adapter in the pipeline's process: dagster-dbt builds one (dbt's project,
        profile and every macro loaded again, ~2 s and a few hundred MB, on each build)
        only to fetch row counts and column metadata after a build, which we do not ask
        for (``stream()`` alone). Without it, ``DbtCliInvocation.adapter`` is None, as it
        is when dagster-dbt cannot build one. (Private dagster-dbt API, 0.29; pinned.)"""
        return None

    _warm: WarmDbt | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """A run that builds the warehouse starts its dbt process now, so dbt's import
        overlaps the run's first steps (lib/warm_dbt.py); the build hands itself to it."""
        super().setup_for_execution(context)
        if os.environ.get(WARM_SOCKET_ENV) or not _runs_step(context, WAREHOUSE_STEP):
            return  # (the command line started one before it planned: cli/pipeline.py)
        try:
            self._warm = start_warm_dbt(sys.executable)
        except OSError as error:  # the build starts its own dbt, as it did before
            context.log.warning(f"dbt not started ahead ({error}): the build starts it")
            return
        os.environ[WARM_SOCKET_ENV] = str(self._warm.socket_path)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._warm is not None:
            os.environ.pop(WARM_SOCKET_ENV, None)
            self._warm.stop()  # unused (the build had nothing to do) or already done
            self._warm = None

    def cli(self, args, **kwargs):
        """dbt writes the warehouse from a process of its own: the file this process keeps
        open between a run's steps is closed first (WarehouseResource)."""
        close_kept(get_settings().warehouse_path)
        return super().cli(args, **kwargs)

    def _get_unique_target_path(self, *, context) -> Path:
        """dagster-dbt's folder of this build's artifacts (``<step>-<run>-<id>`` in the
        target folder: the compiled SQL, dbt.log with every node's result), after removing
        all but the latest builds' folders: each holds 5-10 MB and one was left per build,
        1.3 GB after a few weeks of runs. (Private dagster-dbt API, 0.29; pinned.)"""
        path = super()._get_unique_target_path(context=context)
        prune_build_folders(path.parent, keep=KEPT_BUILD_FOLDERS)
        return path


WAREHOUSE_STEP = "warehouse_models"  # the dbt build of defs/transform/dbt_assets.py


def _runs_step(context: dg.InitResourceContext, step_key: str) -> bool:
    """Whether the run being set up executes ``step_key`` (its execution plan has it and
    its step selection, if any, keeps it)."""
    run, instance = context.dagster_run, context.instance
    if run is None or instance is None or not run.execution_plan_snapshot_id:
        return False
    if run.step_keys_to_execute is not None and step_key not in run.step_keys_to_execute:
        return False
    plan = instance.get_execution_plan_snapshot(run.execution_plan_snapshot_id)
    return any(step.key == step_key for step in plan.steps)


KEPT_BUILD_FOLDERS = 20
BUILD_FOLDER_MIN_AGE_S = 6 * 3600
_BUILD_FOLDER = re.compile(r"[a-z_]+-[0-9a-f]{7}-[0-9a-f-]{7}")


def prune_build_folders(target: Path, keep: int, now: float | None = None) -> list[Path]:
    """Remove the build folders dagster-dbt made in ``target`` but the newest ``keep``
    (the manifest and parse cache beside them stay) and any touched in the last
    ``BUILD_FOLDER_MIN_AGE_S``: the sample city's target folder is shared by every data
    folder (the demo, a benchmark), whose builds may run at once, and a long build's
    folder keeps its start time until it ends. Returns what was removed."""
    now = time.time() if now is None else now
    folders = []
    for path in target.glob("*-*-*"):
        try:
            if path.is_dir() and _BUILD_FOLDER.fullmatch(path.name):
                folders.append((path.stat().st_mtime, path))
        except FileNotFoundError:  # removed by another run's pruning meanwhile
            continue
    folders.sort(reverse=True)
    old = [p for mtime, p in folders[keep:] if now - mtime > BUILD_FOLDER_MIN_AGE_S]
    for path in old:
        shutil.rmtree(path, ignore_errors=True)
    return old


def build_folder(target: Path, run_id: str, step: str = WAREHOUSE_STEP) -> Path | None:
    """The folder of a run's dbt build in ``target`` (dagster-dbt names it
    ``<step>-<the run id's first 7>-<random>``), None when the step made none."""
    found = [p for p in target.glob(f"{step}-{run_id[:7]}-*") if _BUILD_FOLDER.fullmatch(p.name)]
    if len(found) > 1:
        raise RuntimeError(f"two build folders for run {run_id}: {found}")
    return found[0] if found else None


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file. One writer at a time: each step opens, uses and closes.

    A run takes the warehouse's writer turn at its first step that opens it and holds it
    to its end, keeping the file open between steps (lib/warehouse.py: each open costs
    ~30 ms, ~40 per run); dbt's build closes it for its own process (CityDbtCliResource).
    Runs are queued one at a time anyway; a second run started by hand waits for the
    turn as before, now until the first run ends rather than between two of its steps.

    Always read-write: DuckDB refuses a second instance of the same file with another
    configuration in one process, and all steps share the run's process.
    """

    _run_turn: ExitStack | None = PrivateAttr(default=None)
    _holding_run_turn: bool = PrivateAttr(default=False)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._run_turn, self._holding_run_turn = ExitStack(), False

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._run_turn is not None:
            self._run_turn.close()  # the kept connection closes, then the turn is given back
            self._run_turn, self._holding_run_turn = None, False

    @contextmanager
    def connection(self):
        settings = get_settings()
        secure_data_dir(settings)  # the warehouse holds personal data: 0600, folders 0700
        wait_message = dg.get_dagster_logger().warning
        if self._run_turn is not None and not self._holding_run_turn:
            self._run_turn.enter_context(writer_turn(settings.warehouse_path, wait_message))
            self._holding_run_turn = True
        with writer_turn(settings.warehouse_path, wait_message):
            if self._holding_run_turn:
                keep_open(settings.warehouse_path)
            conn: duckdb.DuckDBPyConnection = connect(settings.warehouse_path)
            try:
                yield conn
            finally:
                conn.close()
                release_cached_memory(settings.warehouse_path)


class PortalResource(dg.ConfigurableResource):
    """The CKAN portal the open datasets go to.

    Set up for a run, it first brings the local portal (``make portal-up``'s, not a
    ``CKAN_URL``) up to date with the city's files generated from the dictionary and
    with this release's plugin, restarting CKAN when either changed and no other run is
    publishing; then it holds the portal's publishing lock, shared with other runs, until
    the run ends, so no restart cuts its uploads short (``publish/portal/refresh.py``)."""

    _publishing: PublishingLock | None = PrivateAttr(default=None)
    # what the portal said this run that no step changes: its dataset schema's fields,
    # the organizations already as the dictionary has them (CkanPublisher.known)
    _known: dict = PrivateAttr(default_factory=dict)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        if connection_from_environment() is not None:
            return  # a city's own CKAN: its theme is its administrators'
        log = context.log or dg.get_dagster_logger()
        try:
            settings = load_portal_settings()
            if not settings.run_dir.is_dir():
                return  # no local portal set up here (make portal-up makes that folder)
            self._publishing = PublishingLock(settings)
            done = apply_city_files(settings, self._publishing)
            if done is not None:
                (log.warning if done == HELD_BACK else log.info)(f"portal: {done}")
        except PortalDown as error:
            log.error(f"portal: {error}")
        except PortalError as error:
            log.warning(
                f"portal: its dataset fields, pages or plugin may be out of date with the "
                f"dictionary or this release ({error}): run `make portal-up` to apply them"
            )
        except Exception as error:  # noqa: BLE001 (the theme never stops a publication)
            log.warning(f"portal: the city's files were not checked ({error!r})")
        if self._publishing is not None:
            self._publishing.shared()

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._publishing is not None:
            self._publishing.release()
            self._publishing = None

    def publisher(self) -> CkanPublisher:
        return CkanPublisher(portal_connection().client(), known=self._known)

    def url(self) -> str:
        return portal_connection().url


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "warehouse": WarehouseResource(),
            # the dbt beside this Python (venv not activated), bound to the run process
            "dbt": CityDbtCliResource(
                project_dir=dbt_project, dbt_executable=str(DBT_BOUND_TO_PIPELINE)
            ),
            "portal": PortalResource(),
        }
    )
