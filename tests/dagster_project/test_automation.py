"""The landing-folder sensor starts a system's pipeline when its files arrive or change."""

from __future__ import annotations

import dagster as dg
import pytest

from dagster_project.definitions import definitions
from dagster_project.lib.dictionary import load_dictionary
from dagster_project.settings import get_settings


@pytest.fixture
def landing(tmp_path, monkeypatch):
    monkeypatch.setenv("PLATFORM_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path / "landing"
    get_settings.cache_clear()


def evaluate(sensor, cursor, waiting_job: str | None = None, waiting_assets=None):
    """The jobs the sensor requests; ``waiting_job``: a run of it is already queued (of
    ``waiting_assets`` only: a planned run)."""
    with dg.instance_for_test() as instance:
        if waiting_job:
            # not started (a QUEUED run needs a code origin; the sensor treats both alike)
            queued = dg.DagsterRun(
                job_name=waiting_job,
                run_id="waiting-1",
                status=dg.DagsterRunStatus.NOT_STARTED,
                asset_selection=waiting_assets,
            )
            instance.add_run(queued)
        repository = definitions().get_repository_def()
        context = dg.build_sensor_context(
            cursor=cursor, instance=instance, repository_def=repository
        )
        # evaluated as the daemon does: each request resolved against the sensor's jobs
        result = sensor.evaluate_tick(context)
        return [r.job_name for r in result.run_requests or []], result.cursor


def deliver(landing, folder: str, name: str, text: str = "id\n1\n"):
    (landing / folder).mkdir(parents=True, exist_ok=True)
    (landing / folder / name).write_text(text)


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


def test_one_run_per_tick_and_none_while_a_covering_run_waits(landing):
    sensor = definitions().get_repository_def().get_sensor_def("landing_sensor")
    deliver(landing, "crm311", "SR_EXPORT_2026.csv")
    deliver(landing, "permits", "Building_Permits_2026.xlsx")
    jobs, cursor = evaluate(sensor, None)
    assert jobs == ["city_pipeline"]  # two systems delivered: one run for both
    # more files while that run is still queued: it will read them, no second run
    deliver(landing, "crm311", "SR_EXPORT_2026-b.csv")
    assert evaluate(sensor, cursor, waiting_job="city_pipeline")[0] == []
    # ...while a run of the system's job waits, the same
    assert evaluate(sensor, cursor, waiting_job="crm311_pipeline")[0] == []
    # a run of another system's job does not cover this one
    assert evaluate(sensor, cursor, waiting_job="permits_pipeline")[0] == ["crm311_pipeline"]
    # nor a planned daily run that does not ingest it (planned before the files came)
    planned = frozenset({dg.AssetKey(["portal", "removed_datasets"])})
    assert evaluate(sensor, cursor, "city_pipeline", planned)[0] == ["crm311_pipeline"]


def test_the_daily_run_is_planned_as_a_first_run_without_a_warehouse(landing):
    """No warehouse yet: every system's ingest and the whole warehouse; no gate or
    publication of a dataset whose systems have no file (here: none has one)."""
    repository = definitions().get_repository_def()
    schedule = repository.get_schedule_def("daily_pipeline")
    with dg.instance_for_test() as instance:
        context = dg.build_schedule_context(instance=instance, repository_def=repository)
        request = schedule(context)  # (evaluate_tick would leave the test's instance in
        # Dagster's definitions-loading context, which the next test's definitions() reads)
    assert request.tags["city/run_plan"].startswith("a first run: no warehouse yet")
    chosen = {"/".join(k.path) for k in request.asset_selection}
    dictionary = load_dictionary(strict=False)
    assert {f"raw/{s.raw_table}" for s in dictionary.sources.values()} <= chosen
    assert "core/fct_service_requests" in chosen  # the warehouse, whole
    assert "portal/service_requests" not in chosen  # waits for crm311's first file
    assert "portal/dataset_quality_scores" in chosen  # the platform's own: always


def test_only_the_daily_schedule_is_on_by_default():
    repository = definitions().get_repository_def()
    assert repository.get_schedule_def("daily_pipeline").default_status.value == "RUNNING"
    for name in ("crm311_schedule", "permits_schedule", "payments_schedule"):
        assert repository.get_schedule_def(name).default_status.value == "STOPPED"


def test_an_extract_whose_extension_is_in_capitals_starts_its_pipeline(landing):
    """The sensor matches a landing file as the ingest step does (``SR_EXPORT_*.csv``
    names ``SR_EXPORT_2026.CSV``): a file the ingest reads is never one it does not see."""
    sensor = definitions().get_repository_def().get_sensor_def("landing_sensor")
    deliver(landing, "crm311", "SR_EXPORT_2026.CSV", "request_id,created_at\nSR-1,2026-01-01\n")
    assert evaluate(sensor, None)[0] == ["crm311_pipeline"]
