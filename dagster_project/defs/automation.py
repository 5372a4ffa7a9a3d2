"""Jobs, schedules, sensors and delivery-freshness checks, all in one place.

- ``city_pipeline``: everything (ingest -> warehouse -> gates -> portal), daily at 06:00.
- ``<system>_pipeline``: one system's ingest and everything downstream of it, with a
  schedule matching the contract's ``expected_frequency``.
- ``landing_sensor``: starts a system's pipeline when files arrive or change in its
  landing folder (checked every minute).
- ``delivery_freshness`` check on each raw table: fails (as a warning) when the department
  has not delivered a new file within its declared frequency.
"""

import json
from datetime import UTC, datetime

import dagster as dg

from dagster_project.lib.dictionary import Source, load_dictionary
from dagster_project.lib.dictionary.vocabulary import FREQUENCIES
from dagster_project.settings import get_settings

from .resources import WarehouseResource

city_pipeline = dg.define_asset_job(
    name="city_pipeline",
    selection=dg.AssetSelection.all(),
    description="Ingest every new extract, rebuild the warehouse, gate and publish.",
)


def raw_key(source: Source) -> dg.AssetKey:
    return dg.AssetKey(["raw", source.raw_table])


def system_job(source: Source):
    return dg.define_asset_job(
        name=f"{source.system}_pipeline",
        selection=dg.AssetSelection.assets(raw_key(source)).downstream(),
        description=f"{source.title}: ingest new files and refresh what depends on them.",
    )


def landing_state(source: Source) -> dict[str, list[int]]:
    folder = get_settings().landing_dir / source.files["folder"]
    if not folder.exists():
        return {}
    return {
        p.name: [p.stat().st_mtime_ns, p.stat().st_size]
        for p in sorted(folder.glob(source.files["pattern"]))
    }


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
        for source in sources:
            if state[source.system] and state[source.system] != seen.get(source.system):
                yield dg.RunRequest(
                    job_name=f"{source.system}_pipeline",
                    run_key=f"{source.system}:{json.dumps(state[source.system], sort_keys=True)}",
                )
        context.update_cursor(json.dumps(state))

    return landing_sensor


def build_freshness_check(source: Source) -> dg.AssetChecksDefinition:
    frequency = source.expected_frequency or FREQUENCIES["as needed"]

    @dg.asset_check(
        asset=raw_key(source),
        name="delivery_freshness",
        description=f"A new {source.title} file arrives {frequency.name}.",
    )
    def delivery_freshness(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connection() as conn:
            last = conn.execute(
                "SELECT max(ingested_at) FROM raw._ingest_files WHERE system = ? "
                "AND status = 'loaded'",
                [source.system],
            ).fetchone()[0]
        if frequency.grace is None:
            return dg.AssetCheckResult(passed=True, description="no delivery schedule")
        if last is None:
            return dg.AssetCheckResult(
                passed=False,
                severity=dg.AssetCheckSeverity.WARN,
                description="no file has been delivered yet",
            )
        age = datetime.now(UTC) - last
        return dg.AssetCheckResult(
            passed=age <= frequency.grace,
            severity=dg.AssetCheckSeverity.WARN,
            description=f"last new file loaded {age.total_seconds() / 3600:.1f} h ago; "
            f"expected {frequency.name}",
            metadata={"last_delivery": last.isoformat(), "expected": frequency.name},
        )

    return delivery_freshness


def _schedule_cron(source: Source) -> str | None:
    """A source without a declared frequency is collected daily."""
    return (source.expected_frequency or FREQUENCIES["daily"]).cron


@dg.definitions
def automation() -> dg.Definitions:
    dictionary = load_dictionary(strict=False)
    sources = list(dictionary.sources.values())
    timezone = dictionary.city.timezone
    system_jobs = {s.system: system_job(s) for s in sources}
    schedules = [
        dg.ScheduleDefinition(
            name="daily_pipeline",
            job=city_pipeline,
            cron_schedule=FREQUENCIES["daily"].cron,
            execution_timezone=timezone,
        )
    ]
    schedules += [
        dg.ScheduleDefinition(
            name=f"{s.system}_schedule",
            job=system_jobs[s.system],
            cron_schedule=_schedule_cron(s),
            execution_timezone=timezone,
        )
        for s in sources
        if _schedule_cron(s)
    ]
    return dg.Definitions(
        jobs=[city_pipeline, *system_jobs.values()],
        schedules=schedules,
        sensors=[build_sensor(sources, list(system_jobs.values()))],
        asset_checks=[build_freshness_check(s) for s in sources],
    )
