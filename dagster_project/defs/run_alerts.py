"""The alert for runs the daemon launched: schedules, the landing sensor, the UI.

``make pipeline`` prints its run's summary and alerts itself. A run started any other way
is reported here, when it ends (succeeded, failed or stopped): the same one-line-per-dataset
summary (``lib/run_report.py``), sent when a dataset it set out to publish was blocked or
not run, or when another step failed. The summary is also logged on the sensor's tick, so
the Dagster UI keeps it beside the run.
"""

from datetime import datetime

import dagster as dg

from dagster_project.lib.run_report import ALERTED_BY_TAG, alert_run, report_run


def _report(context: dg.RunStatusSensorContext) -> dg.SkipReason | None:
    run = context.dagster_run
    if run.tags.get(ALERTED_BY_TAG):
        return dg.SkipReason(f"run {run.run_id}: alerted by {run.tags[ALERTED_BY_TAG]}")
    entries = context.instance.all_logs(run.run_id)
    events = [e.dagster_event for e in entries if e.dagster_event is not None]
    report = report_run(run.run_id, events)
    for line in report.lines():
        context.log.info(line)
    if report.ok:
        return dg.SkipReason(f"run {run.run_id}: every dataset it touched is current")
    record = context.instance.get_run_record_by_id(run.run_id)
    started = record.start_time if record and record.start_time else datetime.now().timestamp()
    message = alert_run(report, started_at=started)
    context.log.info(message)
    return None


def _sensor(status: dg.DagsterRunStatus) -> dg.SensorDefinition:
    @dg.run_status_sensor(
        name=f"run_outcome_alert_{status.value.lower()}",
        run_status=status,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=f"When a run ends {status.value.lower()}: alert the owners of the "
        "datasets it did not bring up to date, and the platform team.",
    )
    def run_outcome_alert(context: dg.RunStatusSensorContext):
        return _report(context)

    return run_outcome_alert


@dg.definitions
def run_alerts() -> dg.Definitions:
    # A run whose gate blocked a dataset fails; one whose dbt test stopped a model
    # succeeds (the test does not block in Dagster); a stopped run is canceled.
    statuses = (
        dg.DagsterRunStatus.SUCCESS,
        dg.DagsterRunStatus.FAILURE,
        dg.DagsterRunStatus.CANCELED,
    )
    return dg.Definitions(sensors=[_sensor(s) for s in statuses])
