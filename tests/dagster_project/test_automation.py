"""The landing-folder sensor starts a system's pipeline when its files arrive or change."""

from __future__ import annotations

import dagster as dg
import pytest

from dagster_project.definitions import definitions
from dagster_project.settings import get_settings


@pytest.fixture
def landing(tmp_path, monkeypatch):
    monkeypatch.setenv("PLATFORM_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path / "landing"
    get_settings.cache_clear()


def evaluate(sensor, cursor):
    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(cursor=cursor, instance=instance)
        requests = list(sensor(context))
        return [r.job_name for r in requests], context.cursor


def test_new_and_changed_files_start_their_systems_pipeline(landing):
    sensor = definitions().get_repository_def().get_sensor_def("landing_sensor")
    assert evaluate(sensor, None)[0] == []
    (landing / "crm311").mkdir(parents=True)
    extract = landing / "crm311" / "SR_EXPORT_2026.csv"
    extract.write_text("request_id,created_at\nSR-1,2026-01-01\n")
    (landing / "crm311" / "notes.txt").write_text("not an extract")
    jobs, cursor = evaluate(sensor, None)
    assert jobs == ["crm311_pipeline"]
    assert evaluate(sensor, cursor)[0] == []  # nothing new
    extract.write_text("request_id,created_at\nSR-1,2026-01-02\nSR-2,2026-01-02\n")
    assert evaluate(sensor, cursor)[0] == ["crm311_pipeline"]


def test_each_system_has_a_schedule_from_its_contract():
    repository = definitions().get_repository_def()
    assert repository.get_schedule_def("crm311_schedule").cron_schedule == "0 6 * * *"
    assert repository.get_schedule_def("permits_schedule").cron_schedule == "0 6 * * 1"
    assert repository.get_schedule_def("payments_schedule").cron_schedule == "0 6 2 * *"
