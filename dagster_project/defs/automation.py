"""Jobs, schedules, sensors and delivery-freshness checks, all in one place.

- ``city_pipeline``: everything (ingest -> warehouse -> gates -> portal), daily at 06:00
  (``daily_pipeline``, on by default), cut to the steps that have something to do
  (``lib/run_plan.py``, as ``make pipeline`` does).
- ``<system>_pipeline``: one system's ingest and everything downstream of it, with a
  schedule matching the contract's ``expected_frequency``. Those schedules are off by
  default: they fire at 06:00 too, so with ``daily_pipeline`` on they would only queue a
  second run of work just done. A city that prefers per-system cadence turns them on in
  the UI and ``daily_pipeline`` off.
- ``landing_sensor``: when files arrive or change in landing folders (checked every
  minute), one run per tick: the system's pipeline, or ``city_pipeline`` when several
  systems delivered. Nothing is requested while a run that would cover it is still
  queued: that run reads the landing folders when it starts, so files arriving while
  it waits add no run.

All runs go through the instance's run queue (one at a time, ``dagster.yaml``).
- ``delivery_freshness`` check on each raw table: fails (as a warning) when the department
  has not delivered a new file within its declared frequency.
"""

import json
from datetime import UTC, datetime

import dagster as dg

from dagster_project.lib.dictionary import Source, load_dictionary
from dagster_project.lib.dictionary.vocabulary import FREQUENCIES
from dagster_project.lib.ingest.loader import landing_files
from dagster_project.settings import get_settings

from .resources import WarehouseResource

city_pipeline = dg.define_asset_job(
    name="city_pipeline",
    selection=dg.AssetSelection.all(),
    description="Ingest every new extract, rebuild the warehouse, gate and publish.",
)


def raw_key(source: Source) -> dg.AssetKey:
    return dg.AssetKey(["raw", source.raw_table])


# The lookups (dbt seeds) are upstream of every system's models but downstream of no raw
# table: a system's job builds them too, or its first run on a new warehouse finds none.
LOOKUPS = dg.AssetSelection.groups("reference")


def system_job(source: Source):
    return dg.define_asset_job(
        name=f"{source.system}_pipeline",
        selection=dg.AssetSelection.assets(raw_key(source)).downstream() | LOOKUPS,
        description=f"{source.title}: ingest new files and refresh what depends on them.",
    )


def landing_state(source: Source) -> dict[str, list[int]]:
    """The system's landing files (as its ingest step matches them) by name: their time
    and size."""
    return {
        p.name: [p.stat().st_mtime_ns, p.stat().st_size]
        for p in landing_files(source, get_settings().landing_dir)
    }


WAITING = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED]
PLAN_TAG = "city/run_plan"


def _waiting_run(
    instance: dg.DagsterInstance, job_names: list[str], ingest: set[dg.AssetKey]
) -> str | None:
    """A run of one of these jobs that has not started yet and ingests these systems (it
    will see the new files; a planned run without their ingest would not)."""
    runs = instance.get_runs(filters=dg.RunsFilter(statuses=WAITING), limit=50)
    return next(
        (
            r.run_id
            for r in runs
            if r.job_name in job_names
            and (r.asset_selection is None or ingest <= r.asset_selection)
        ),
        None,
    )


def build_sensor(sources: list[Source], jobs: list) -> dg.SensorDefinition:
    @dg.sensor(
        name="landing_sensor",
        jobs=jobs,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING,
    )
    def landing_sensor(context: dg.SensorEvaluationContext):
        seen = json.loads(context.cursor) if context.cursor else {}
        state = {s.system: landing_state(s) for s in sources}
        changed = sorted(
            system for system, files in state.items() if files and files != seen.get(system)
        )
        context.update_cursor(json.dumps(state))
        if not changed:
            return dg.SkipReason("no new or changed files")
        job_name = f"{changed[0]}_pipeline" if len(changed) == 1 else city_pipeline.name
        covering = [city_pipeline.name] + [f"{s}_pipeline" for s in changed if len(changed) == 1]
        ingest = {raw_key(s) for s in sources if s.system in changed}
        waiting = _waiting_run(context.instance, covering, ingest)
        if waiting:
            return dg.SkipReason(f"new files in {', '.join(changed)}: run {waiting} will read them")
        return dg.RunRequest(
            job_name=job_name,
            run_key=json.dumps({s: state[s] for s in changed}, sort_keys=True),
            tags={"city/new_files_in": ",".join(changed)},
        )

    return landing_sensor


def _frequency(source: Source):
    return source.expected_frequency or FREQUENCIES["as needed"]


def build_freshness_checks(sources: list[Source]) -> dg.AssetChecksDefinition:
    """Every system's ``delivery_freshness`` in one step: one query for all of them (a
    step per system cost a tenth of a second each, in every run, for one small query).
    The step waits for the run's ingest steps; when one of them fails, Dagster skips it,
    and the run's freshness warnings wait for the next run (the failed ingest itself
    fails the run and alerts)."""
    by_key = {raw_key(s): s for s in sources}

    @dg.multi_asset_check(
        specs=[
            dg.AssetCheckSpec(
                "delivery_freshness",
                asset=raw_key(s),
                description=f"A new {s.title} file arrives {_frequency(s).name}.",
            )
            for s in sources
        ],
        can_subset=True,
        name="delivery_freshness",
    )
    def delivery_freshness(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
        with warehouse.connection() as conn:
            last = dict(
                conn.execute(
                    "SELECT system, max(ingested_at) FROM raw._ingest_files "
                    "WHERE status = 'loaded' GROUP BY system"
                ).fetchall()
            )
        now = datetime.now(UTC)
        for check_key in sorted(context.selected_asset_check_keys, key=str):
            source = by_key[check_key.asset_key]
            yield _freshness(check_key, _frequency(source), last.get(source.system), now)

    return delivery_freshness


def _freshness(check_key, frequency, last, now) -> dg.AssetCheckResult:
    said = {"asset_key": check_key.asset_key, "check_name": check_key.name}
    if frequency.grace is None:
        return dg.AssetCheckResult(**said, passed=True, description="no delivery schedule")
    if last is None:
        return dg.AssetCheckResult(
            **said,
            passed=False,
            severity=dg.AssetCheckSeverity.WARN,
            description="no file has been delivered yet",
        )
    age = now - last
    return dg.AssetCheckResult(
        **said,
        passed=age <= frequency.grace,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"last new file loaded {age.total_seconds() / 3600:.1f} h ago; "
        f"expected {frequency.name}",
        metadata={"last_delivery": last.isoformat(), "expected": frequency.name},
    )


def build_daily_schedule(timezone: str) -> dg.ScheduleDefinition:
    @dg.schedule(
        name="daily_pipeline",
        job=city_pipeline,
        cron_schedule=FREQUENCIES["daily"].cron,
        execution_timezone=timezone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="Every system, every day: the steps that have something to do "
        "(a system without new files, a dataset as published, cost nothing).",
    )
    def daily_pipeline(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        from .run_plan import make_plan, selection  # (it reads this module's keys)

        dictionary = load_dictionary(strict=False)
        plan = make_plan(dictionary)
        tags = {PLAN_TAG: plan.summary()[:1000]}
        if plan.whole:
            return dg.RunRequest(tags=tags)
        job = context.repository_def.get_job(city_pipeline.name)
        assets, checks = selection(job, plan, dictionary)
        return dg.RunRequest(
            asset_selection=sorted(assets, key=str),
            asset_check_keys=sorted(checks, key=str),
            tags=tags,
        )

    return daily_pipeline


def _schedule_cron(source: Source) -> str | None:
    """A source without a declared frequency is collected daily."""
    return (source.expected_frequency or FREQUENCIES["daily"]).cron


@dg.definitions
def automation() -> dg.Definitions:
    dictionary = load_dictionary(strict=False)
    sources = list(dictionary.sources.values())
    timezone = dictionary.city.timezone
    system_jobs = {s.system: system_job(s) for s in sources}
    schedules = [build_daily_schedule(timezone)]
    schedules += [
        dg.ScheduleDefinition(
            name=f"{s.system}_schedule",
            job=system_jobs[s.system],
            cron_schedule=_schedule_cron(s),
            execution_timezone=timezone,
            default_status=dg.DefaultScheduleStatus.STOPPED,
            description=f"{s.title}, {(s.expected_frequency or FREQUENCIES['daily']).name}: "
            "off while daily_pipeline is on (it covers this system at the same hour).",
        )
        for s in sources
        if _schedule_cron(s)
    ]
    return dg.Definitions(
        jobs=[city_pipeline, *system_jobs.values()],
        schedules=schedules,
        sensors=[build_sensor(sources, [city_pipeline, *system_jobs.values()])],
        asset_checks=[build_freshness_checks(sources)] if sources else [],
    )
