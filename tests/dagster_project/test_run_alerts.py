"""Runs the daemon launches are reported too: the run-status sensors send the same alert
as ``make pipeline``, from the run's real Dagster events, to a real SMTP server."""

from __future__ import annotations

import dagster as dg
import pytest

from dagster_project.defs.run_alerts import run_alerts
from dagster_project.lib.run_report import ALERTED_BY_TAG


@dg.asset(key=dg.AssetKey(["portal", "building_permits"]))
def building_permits_on_the_portal():
    raise RuntimeError("the portal answered 503")


@dg.asset(key=dg.AssetKey(["portal", "service_requests"]))
def service_requests_on_the_portal():
    return dg.MaterializeResult(metadata={"rows": 12, "package_action": "unchanged"})


def _finished_run(tags=None):
    """A real run of two publish-shaped assets, one failing, in a throwaway instance."""
    instance = dg.DagsterInstance.ephemeral()
    job = dg.Definitions(
        assets=[building_permits_on_the_portal, service_requests_on_the_portal],
        jobs=[dg.define_asset_job("portal_job")],
    ).resolve_job_def("portal_job")
    result = job.execute_in_process(instance=instance, raise_on_error=False, tags=tags or {})
    return instance, result


def _evaluate(instance, result):
    sensor = next(s for s in run_alerts().sensors if s.name == "run_outcome_alert_failure")
    context = dg.build_run_status_sensor_context(
        sensor_name=sensor.name,
        dagster_event=result.get_run_failure_event(),
        dagster_instance=instance,
        dagster_run=result.dagster_run,
    )
    return sensor(context)


@pytest.fixture
def alerts_to(smtp_server, monkeypatch):
    port, inbox = smtp_server
    monkeypatch.setenv("ALERT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("ALERT_SMTP_PORT", str(port))
    monkeypatch.setenv("ALERT_PLATFORM_TEAM", "data-team@city.test")
    return inbox


def test_a_failed_daemon_run_alerts_the_owners_of_what_it_did_not_publish(alerts_to):
    instance, result = _finished_run()
    assert not result.success
    _evaluate(instance, result)
    ((recipients, message),) = alerts_to.messages
    assert "permits-data@riverton.example" in recipients  # the steward in divisions.yml
    assert "data-team@city.test" in recipients
    assert "(building_permits)" in message["Subject"]
    body = message.get_payload()
    assert "building_permits" in body and "not run" in body and "503" in body
    assert "service_requests" in body and "unchanged" in body
    # datasets the run did not set out to publish are not reported as "not run"
    assert "digital_adoption" not in body


def test_a_run_the_command_line_reported_is_not_alerted_twice(alerts_to):
    instance, result = _finished_run(tags={ALERTED_BY_TAG: "command line"})
    skipped = _evaluate(instance, result)
    assert alerts_to.messages == []
    assert "alerted by command line" in str(skipped)
