"""The quality score of every published dataset, measured after they published.

Order in the graph (the score reads the other datasets' publication facts, and is itself
published as a dataset): every ``portal/<dataset>`` -> ``raw/_dataset_quality_scores``
(this asset: measure, append to the history, patch each package's quality extras) ->
``staging`` and ``open_data/pub_dataset_quality_scores`` (their own dbt step,
``defs/transform/quality_score_models.py``) -> its gates -> ``portal/dataset_quality_scores``.
The quality dataset's own score is therefore measured before its publication in the same
run: it says how it stood after the previous run. For that reason its own rows stay out of
what it publishes (``pub_dataset_quality_scores``): they would change with every
publication of it, and each change would call for another publication.

A dataset counts as listed in the catalog when the data.json this run writes after the
scores lists it (``listed_in_catalog``, from the same packages), not when the file the
previous run wrote did: otherwise a city's first run scores every dataset "not listed"
and its second run, with nothing new, records and publishes different scores.
"""

from collections import Counter
from datetime import UTC, datetime

import dagster as dg

from dagster_project.lib.dictionary import load_dictionary
from dagster_project.lib.gates.results import GateResults
from dagster_project.lib.quality_score import HISTORY_TABLE, append_scores
from dagster_project.lib.quality_score.history import new_measurements
from dagster_project.lib.quality_score.measure import measure_scores
from dagster_project.lib.run_report import ALERTED_BY_TAG
from dagster_project.settings import get_settings
from publish.ckan.dataset import listed_in_catalog
from publish.ckan.mapping import package_name
from publish.ckan.publisher import PublishError
from publish.ckan.retirement import approved_packages

from ..open_data.publish import portal_key
from ..resources import PortalResource, WarehouseResource

QUALITY_DATASET = "dataset_quality_scores"
SCORES_KEY = dg.AssetKey(["raw", HISTORY_TABLE.split(".")[1]])


def build_score_asset(dataset_ids: list[str]) -> dg.AssetsDefinition:
    @dg.asset(
        key=SCORES_KEY,
        deps=[portal_key(d) for d in dataset_ids if d != QUALITY_DATASET],
        group_name="quality_score",
        kinds={"duckdb", "ckan"},
        description="Each published dataset's quality score (gates, freshness, metadata, "
        "completeness, accessibility; data_dictionary/quality_score.yml), appended to "
        "its history and shown on its portal page.",
    )
    def dataset_quality_scores(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, portal: PortalResource
    ) -> dg.MaterializeResult:
        dictionary = load_dictionary(strict=False)
        policy = dictionary.quality_policy
        if policy is None:
            raise dg.Failure(
                description="quality_score.yml has problems: nothing is scored",
                metadata={"problems": "\n".join(dictionary.reference_problems)},
            )
        gates = GateResults(get_settings().gate_reports_dir)
        publisher, now = portal.publisher(), datetime.now(UTC)
        packages = approved_packages(publisher, dictionary)
        with warehouse.connection() as conn:
            scores = measure_scores(
                conn,
                dictionary.approved_datasets,
                policy,
                gates,
                lambda d: packages[d.id],
                lambda d: listed_in_catalog(packages[d.id]),
                now,
            )
            recorded = new_measurements(conn, scores)
            append_scores(conn, recorded)
        shown = _show_on_portal(context, publisher, recorded)
        context.log.info(", ".join(f"{s.dataset_id}: {s.grade} {s.total}" for s in scores))
        return dg.MaterializeResult(
            metadata={
                "measured_at": now.isoformat(timespec="seconds"),
                "rows_recorded": len(recorded),  # scores that changed, or the day's first
                "grades": dg.MetadataValue.json(dict(Counter(s.grade for s in scores))),
                "scores": dg.MetadataValue.json({s.dataset_id: s.total for s in scores}),
                "portal_pages_updated": shown,
            }
        )

    return dataset_quality_scores


def _show_on_portal(context, publisher, scores) -> int:
    """Each package's quality extras; a portal fault leaves the history recorded and
    says which datasets still show their previous score."""
    updated = 0
    for score in scores:
        try:
            updated += publisher.update_extras(package_name(score.dataset_id), score.extras())
        except (PublishError, OSError) as error:
            context.log.error(f"{score.dataset_id}: the portal still shows the old score: {error}")
    return updated


# Dagster skips what depends on a step that failed (a dataset blocked by its gate), so a
# run that did not publish every dataset measures nothing: this job measures them after
# it (the command line runs it itself; the daemon through the sensor below), so the page
# of a dataset whose new rows failed a gate says so instead of showing its old grade.
SCORE_JOB = "quality_score"
score_job = dg.define_asset_job(
    name=SCORE_JOB,
    selection=dg.AssetSelection.assets(SCORES_KEY).downstream(),
    description="Measure every dataset's quality score (and publish the history), after a "
    "run that did not publish every dataset.",
)


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.FAILURE,
    name="quality_score_after_a_failed_run",
    request_job=score_job,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def quality_score_after_a_failed_run(context: dg.RunStatusSensorContext):
    run = context.dagster_run
    if run.job_name == SCORE_JOB or ALERTED_BY_TAG in run.tags:  # the command line scores
        return dg.SkipReason(f"run {run.run_id} ({run.job_name}) needs no scoring from here")
    return dg.RunRequest(run_key=f"after-{run.run_id}")


@dg.definitions
def quality_score() -> dg.Definitions:
    approved = [d.id for d in load_dictionary(strict=False).approved_datasets]
    if not approved:  # a new city with no approved dataset yet has nothing to score
        return dg.Definitions()
    return dg.Definitions(
        assets=[build_score_asset(approved)],
        jobs=[score_job],
        sensors=[quality_score_after_a_failed_run],
    )
