"""``python -m dagster_project.cli.publish_plan`` (``make publish-plan``): what the next
publication would change on the portal, changing nothing.

Compares the warehouse's published models as they are now with the portal (see
``publish/ckan/plan.py`` for what is compared). When extracts landed or were ingested
after the warehouse's last build, the models are older than the data: the plan says so
first (the next pipeline run rebuilds them, and its publication would then differ from
this plan). A dataset whose sources never delivered is left out, as the run leaves it
(one warning names them). Exit status 2 when the plan could not be made.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import ckanapi
import duckdb

from dagster_project.defs.open_data.site import dictionary_page_url, quality_report_url
from dagster_project.lib.dictionary import load_dictionary
from dagster_project.lib.exports import export_model
from dagster_project.lib.files import FileHashes
from dagster_project.lib.gates.results import GATES, GateResults
from dagster_project.lib.incremental import gate_version
from dagster_project.lib.ingest.loader import datasets_waiting, landing_files
from dagster_project.lib.versions import VersionHistory
from dagster_project.lib.warehouse import connect, reader_turn
from dagster_project.settings import get_settings
from publish.ckan.plan import DatasetPlan, plan_dataset, plan_retirements, render
from publish.ckan.publisher import CkanPublisher
from publish.ckan.withdrawal import plan_withdrawals


def warehouse_warnings(
    conn: duckdb.DuckDBPyConnection, dictionary, settings
) -> tuple[list[str], set[str]]:
    """Extracts not yet ingested, or ingested since their datasets' models were built;
    and the systems with extracts not ingested yet."""
    warnings, not_ingested = [], set()
    try:
        seen = {  # (a file the reader failed on is read again: not seen)
            row[0]
            for row in conn.execute(
                "SELECT sha256 FROM raw._ingest_files WHERE status <> 'failed'"
            ).fetchall()
        }
    except duckdb.CatalogException:
        seen = set()
    sha256 = FileHashes(settings.landing_hashes_file).sha256  # (the runs' memo, read only)
    for source in dictionary.sources.values():
        files = landing_files(source, settings.landing_dir)
        waiting = [p.name for p in files if p.is_file() and sha256(p) not in seen]
        if waiting:
            not_ingested.add(source.system)
            warnings.append(
                f"{source.system}: {len(waiting)} extract(s) in the landing folder not ingested "
                f"yet ({', '.join(waiting[:3])}): this plan does not include their rows"
            )
    warnings += _ingested_after_build(conn, dictionary, settings)
    return warnings, not_ingested


def _last_builds(settings, datasets) -> dict[str, float]:
    """When each published model was last built (Dagster's event log), by dataset id."""
    import dagster as dg

    from dagster_project.cli.serve import dagster_home
    from dagster_project.defs.quality.gates import model_key

    home = settings.data_dir / "dagster"
    if not (home / "dagster.yaml").exists():
        return {}
    with dg.DagsterInstance.from_config(str(dagster_home(settings))) as instance:
        built = {}
        for dataset in datasets:
            event = instance.get_latest_materialization_event(model_key(dataset.id))
            if event is not None:
                built[dataset.id] = event.timestamp
        return built


def _ingested_after_build(conn, dictionary, settings) -> list[str]:
    """Datasets whose source systems loaded an extract after the model was last built:
    the warehouse was not rebuilt since (the gates and this plan see the older rows)."""
    try:
        ingested = dict(
            conn.execute(
                "SELECT system, max(epoch(ingested_at)) FROM raw._ingest_files "
                "WHERE status = 'loaded' GROUP BY system"
            ).fetchall()
        )
    except duckdb.CatalogException:
        return []
    datasets = dictionary.approved_datasets
    built = _last_builds(settings, datasets)
    warnings = []
    for dataset in datasets:
        when = built.get(dataset.id)
        newer = [s for s in dataset.source_systems if when and ingested.get(s, 0) > when]
        if newer:
            warnings.append(
                f"{dataset.id}: the warehouse was not rebuilt since new extracts of "
                f"{', '.join(newer)} were ingested; this plan compares its model as last "
                "built (the next pipeline run rebuilds it, then publishes)"
            )
    return warnings


def waiting_lines(waiting: dict[str, list[str]], not_ingested: set[str]) -> list[str]:
    """The datasets the run leaves alone until their sources deliver, in one line; and,
    in another, those whose sources' first extracts landed but are not ingested yet (the
    next run loads them first, then publishes: rows this plan cannot show)."""
    arriving = {d: s for d, s in waiting.items() if set(s) <= not_ingested}
    silent = {d: s for d, s in waiting.items() if d not in arriving}

    def listed(datasets: dict[str, list[str]]) -> str:
        return "; ".join(f"{d} (from {', '.join(s)})" for d, s in sorted(datasets.items()))

    lines = []
    if silent:
        lines.append(
            f"{len(silent)} dataset(s) wait for the first delivery of their sources: the "
            f"run leaves them as they are (not published, or as the portal has them): "
            f"{listed(silent)}"
        )
    if arriving:
        lines.append(
            f"{len(arriving)} dataset(s) get their sources' first extracts in the next run "
            f"(landed, not ingested yet): it publishes them if those load; their rows are "
            f"not in this plan: {listed(arriving)}"
        )
    return lines


def gate_line(results: GateResults, dataset_id: str, conn, dataset) -> str | None:
    """The publication waits for gates that did not pass these very rows."""
    waiting = [
        g
        for g in GATES
        if results.passed_at(dataset_id, g, gate_version(conn, dataset.model, g)) is None
    ]
    if not waiting:
        return None
    return (
        f"gates not passed on these rows and rules yet: {', '.join(waiting)} (the next run "
        "checks them first; a failure stops this dataset's publication)"
    )


def make_plan(publisher: CkanPublisher, now: datetime | None = None) -> tuple[str, bool]:
    """The plan's text and whether anything would change."""
    settings, dictionary = get_settings(), load_dictionary(strict=False)
    now = now or datetime.now(UTC)
    city = dictionary.city
    portal_url = publisher.client.address.rstrip("/")
    plans: list[DatasetPlan] = []
    results = GateResults(settings.gate_reports_dir)
    if not settings.warehouse_path.exists():
        raise RuntimeError("no warehouse yet: run the pipeline first (make pipeline)")
    with reader_turn(settings.warehouse_path) as free:
        if not free:
            raise RuntimeError("a pipeline run is writing the warehouse: try again after it")
        conn = connect(settings.warehouse_path, read_only=True)
        try:
            warnings, not_ingested = warehouse_warnings(conn, dictionary, settings)
            # the run publishes nothing of a dataset whose source never delivered
            # (defs/open_data/publish.py): neither does the plan
            waiting = datasets_waiting(conn, dictionary.approved_datasets)
            warnings += waiting_lines(waiting, not_ingested)
            with tempfile.TemporaryDirectory(prefix="publish-plan-") as work:
                for dataset in dictionary.approved_datasets:
                    if dataset.id in waiting:
                        continue
                    try:
                        files = export_model(conn, dataset.model, Path(work) / dataset.id, [])
                    except duckdb.CatalogException:
                        warnings.append(f"{dataset.id}: {dataset.model} is not built yet")
                        continue
                    plan = plan_dataset(
                        publisher, dictionary, dataset, files["parquet"],
                        VersionHistory(settings.versions_dir, dataset.id),
                        dictionary_page_url(portal_url, dataset.id),
                        timedelta(days=city.previous_versions_retention_days), now,
                        quality_report_url(portal_url, dataset.id),
                    )  # fmt: skip
                    if plan.changes and (line := gate_line(results, dataset.id, conn, dataset)):
                        plan.lines.append(line)
                    plans.append(plan)
        finally:
            conn.close()
    plans += plan_retirements(
        publisher, dictionary, timedelta(days=city.retired_dataset_retention_days), now
    )
    plans += plan_withdrawals(publisher, dictionary)  # approval withdrawn: made private
    return render(plans, warnings), any(p.changes for p in plans)


def main() -> int:
    from publish.portal.connection import portal_connection

    try:
        text, _ = make_plan(CkanPublisher(portal_connection().client()))
    except (RuntimeError, OSError, duckdb.Error, ckanapi.CKANAPIError) as error:
        print(f"publish-plan: {error}", file=sys.stderr)
        return 2
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
