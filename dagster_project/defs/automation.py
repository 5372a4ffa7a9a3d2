"""Jobs, schedules and sensors in one place.

``city_pipeline`` materializes everything: ingest -> warehouse -> gates -> portal. The
daily schedule runs it at 06:00 city time, after the departments' nightly exports.
"""

from __future__ import annotations

import dagster as dg

city_pipeline = dg.define_asset_job(
    name="city_pipeline", selection=dg.AssetSelection.all(),
    description="Ingest every new extract, rebuild the warehouse, gate and publish.")

daily_pipeline = dg.ScheduleDefinition(
    name="daily_pipeline", job=city_pipeline, cron_schedule="0 6 * * *",
    execution_timezone="America/Toronto")


@dg.definitions
def automation() -> dg.Definitions:
    return dg.Definitions(jobs=[city_pipeline], schedules=[daily_pipeline])
