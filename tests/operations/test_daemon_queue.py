"""Runs that arrive together are queued and run one after another, in arrival order,
never rejected by the warehouse's single-writer lock.

The platform runs as ``make serve`` runs it: ``dagster-daemon run`` on the project's
workspace, with the project's instance settings (``dagster_project/dagster.yaml``: one run
at a time, queued) in a Dagster home in the data folder; here a scratch data folder with a
small sample city, publishing to the real local portal. Together: a person launches
``city_pipeline`` by hand (``dagster job launch``: created from the workspace's job and
submitted through the instance's run queue, as the UI's Launch button does), the daemon
comes up at 06:00 and its scheduler fires the two 06:00 schedules (``daily_pipeline``,
``crm311_schedule``), and the departments' files land, so the landing sensor requests each
system's pipeline (or city_pipeline when they land in the same minute). Every run must
succeed and build everything it set out to, no two runs may overlap in time, and none may
have met DuckDB's "Could not set lock on file".
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster._core.scheduler.instigation import InstigatorType, ScheduleInstigatorData, TickStatus
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._core.workspace.load_target import WorkspaceFileTarget

from dagster_project.cli.serve import environment
from dagster_project.lib.run_report import report_run
from dagster_project.settings import PROJECT_DIR, get_settings, secure_data_dir
from sample_data import generate
from tests.hardening.test_kill_and_resume import _processes_using

pytestmark = pytest.mark.portal
SCALE = 0.02  # 1,000 service requests: each run is mostly fixed costs (dbt, CKAN calls)
WORKSPACE = PROJECT_DIR / "workspace.yaml"
BIN = Path(sys.executable).parent
SCHEDULES = ("daily_pipeline", "crm311_schedule")  # both fire at 06:00
LOCK_ERROR = b"Could not set lock"
# What the warehouse's writer_turn logs when another writer holds the warehouse: the runs
# overlapped and only the file lock, not the run queue, kept them apart. (A run that waits a
# moment for the previous run's report, read by the daemon's run-status sensor, logs
# "being read between runs": expected, not an overlap.)
LOCK_WAIT = b"in use by another run"
TIMEOUT = 600
Event = dg.DagsterEventType


@pytest.fixture
def platform(tmp_path, monkeypatch, portal):
    """A scratch data folder and its Dagster home, set up as ``make serve`` does."""
    monkeypatch.setenv("PLATFORM_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    settings = get_settings()
    secure_data_dir(settings)
    env = environment(settings)  # DAGSTER_HOME=<data>/dagster, the project's dagster.yaml
    monkeypatch.setenv("DAGSTER_HOME", env["DAGSTER_HOME"])
    yield settings, env
    get_settings.cache_clear()


def _launch_by_hand(env: dict[str, str], run_id: str) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "dagster"), "job", "launch", "-w", str(WORKSPACE)]
        + ["-j", "city_pipeline", "--run-id", run_id],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _turn_schedules_on_since_yesterday(instance: dg.DagsterInstance) -> None:
    """Turn the two 06:00 schedules on (as the UI's toggle and ``dagster schedule start``
    do), as if that had been done a day ago: the daemon's scheduler then owes each its
    latest 06:00 tick and fires it on its first iteration, as it does at 06:00."""
    with WorkspaceProcessContext(instance, WorkspaceFileTarget([str(WORKSPACE)])) as workspace:
        [entry] = workspace.create_request_context().get_code_location_entries().values()
        assert entry.code_location, entry.load_error
        [repository] = entry.code_location.get_repositories().values()
        for name in SCHEDULES:
            schedule = repository.get_schedule(name)
            state = instance.start_schedule(schedule)
            yesterday = ScheduleInstigatorData(schedule.cron_schedule, time.time() - 86_400)
            # daily_pipeline is on by default: nothing is stored for it until now
            stored = instance.get_instigator_state(state.instigator_origin_id, state.selector_id)
            store = instance.update_instigator_state if stored else instance.add_instigator_state
            store(state.with_data(yesterday))


def _start_daemon(env: dict[str, str], log) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "dagster-daemon"), "run", "-w", str(WORKSPACE)],
        cwd=PROJECT_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the teardown stops all of it
        umask=0o077,  # as make serve does
    )


def _stop(daemon: subprocess.Popen, data_dir: Path) -> None:
    """Stop the daemon and everything it started (code server, run processes, dbt)."""
    if daemon.poll() is None:
        os.killpg(daemon.pid, signal.SIGTERM)
        try:
            daemon.wait(timeout=30)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait(timeout=10)
    try:
        os.killpg(daemon.pid, signal.SIGKILL)  # what outlived the daemon in its group
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + 15
    while _processes_using(data_dir) and time.monotonic() < deadline:
        time.sleep(0.2)


def _sensor_ticks(instance: dg.DagsterInstance, since: float) -> list:
    """The landing sensor's ticks that evaluated after ``since`` (a wall-clock time)."""
    states = instance.all_instigator_state(instigator_type=InstigatorType.SENSOR)
    ticks = [
        tick
        for state in states
        if state.instigator_name == "landing_sensor"
        for tick in instance.get_ticks(state.instigator_origin_id, state.selector_id)
    ]
    return [t for t in ticks if t.timestamp > since and t.status != TickStatus.STARTED]


def _all_heard_and_finished(instance, records, landed_at: float) -> bool:
    """Both schedules fired, the sensor looked at the delivered files, every run is done."""
    runs = [r.dagster_run for r in records]
    scheduled = {r.tags.get("dagster/schedule_name") for r in runs}
    return (
        set(SCHEDULES) <= scheduled
        and bool(_sensor_ticks(instance, landed_at))
        and all(r.is_finished for r in runs)
    )


def _source(run: dg.DagsterRun) -> str:
    if "dagster/schedule_name" in run.tags:
        return f"schedule {run.tags['dagster/schedule_name']}"
    if "dagster/sensor_name" in run.tags:
        return f"sensor {run.tags['dagster/sensor_name']}"
    return "by hand"


def _shortfalls(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    """What a run did not do that it set out to: failed or skipped steps, failed gates,
    errors logged (a dbt model that errors does not fail the run: it stops what is built
    on it), and any dataset it planned to publish that is not published, unchanged or
    waiting. (A model whose inputs did not change is rightly not rebuilt.)"""
    problems = []
    entries = instance.all_logs(run_id)
    for entry in entries:
        event = entry.dagster_event
        if event is None:
            continue
        data = event.event_specific_data
        if event.event_type in (Event.STEP_FAILURE, Event.RUN_FAILURE):
            error = getattr(data, "error", None)
            problems.append(f"{entry.step_key or 'run'} failed: {error or event.message}")
        elif event.event_type == Event.STEP_SKIPPED:
            problems.append(f"{entry.step_key} skipped")
        elif (
            event.event_type == Event.ASSET_CHECK_EVALUATION
            and not data.passed
            and data.severity == dg.AssetCheckSeverity.ERROR
        ):
            problems.append(f"{data.asset_key.to_user_string()} {data.check_name} failed")
        elif entry.level >= 40:  # ERROR
            problems.append(f"{entry.step_key or 'run'}: {entry.user_message[:300]}")
    report = report_run(run_id, [e.dagster_event for e in entries if e.dagster_event])
    problems += [
        o.line() for o in report.datasets if o.state not in ("published", "unchanged", "waiting")
    ]
    return problems


def test_runs_that_arrive_together_are_queued_and_all_succeed(platform, tmp_path):
    settings, env = platform
    data_dir, home = settings.data_dir, Path(env["DAGSTER_HOME"])
    instance = dg.DagsterInstance.from_config(str(home))
    delivery = tmp_path / "delivery"
    generate(delivery, scale=SCALE, seed=11, systems={"crm311", "permits", "payments"})

    # A person launches the whole pipeline (it waits in the queue: no daemon yet) ...
    by_hand = str(uuid.uuid4())
    launch = _launch_by_hand(env, by_hand)
    _turn_schedules_on_since_yesterday(instance)
    output = launch.communicate(timeout=180)[0]
    assert launch.returncode == 0, output
    # ... and at that moment the daemon comes up at 06:00 and the departments deliver.
    log_path = tmp_path / "daemon.log"
    with log_path.open("wb") as log:
        daemon = _start_daemon(env, log)
    started = time.monotonic()
    try:
        landed_at = time.time()
        for folder in delivery.iterdir():  # each system's folder lands whole
            folder.rename(settings.landing_dir / folder.name)
        while not _all_heard_and_finished(
            instance, records := instance.get_run_records(), landed_at
        ):
            log_tail = log_path.read_text(errors="replace")[-3000:]
            assert daemon.poll() is None, f"the daemon stopped:\n{log_tail}"
            statuses = sorted((r.dagster_run.job_name, r.dagster_run.status.value) for r in records)
            assert time.monotonic() - started < TIMEOUT, (
                f"not done after {TIMEOUT} s: {statuses}\n{log_tail}"
            )
            time.sleep(2)
        elapsed = time.monotonic() - started
    finally:
        _stop(daemon, data_dir)
    assert _processes_using(data_dir) == [], "a process of the platform was left behind"

    records = sorted(instance.get_run_records(), key=lambda r: r.start_time or float("inf"))
    origin = records[0].start_time or 0

    def clock(timestamp: float | None) -> str:
        return "   -   " if timestamp is None else f"{timestamp - origin:7.1f}"

    summary = f"{len(records)} runs in {elapsed:.0f} s (queued at, start .. end):\n" + "\n".join(
        f"  {_source(r.dagster_run):24} {r.dagster_run.job_name:18} "
        f"{r.dagster_run.status.value:8} {clock(r.create_timestamp.timestamp())}, "
        f"{clock(r.start_time)} .. {clock(r.end_time)} s"
        for r in records
    )
    print(summary)

    # Every source was heard: the person, both schedules, and the sensor, which requests
    # one run per tick, or none when a run that will read the new files is still queued.
    assert len(records) >= 1 + len(SCHEDULES), summary
    assert by_hand in {r.dagster_run.run_id for r in records}, summary
    ticks = _sensor_ticks(instance, landed_at)
    for tick in ticks:
        assert tick.status != TickStatus.FAILURE, tick.error
        assert len(tick.run_ids) <= 1, f"one run per tick: {tick.run_ids}"
        if not tick.run_ids:
            assert "will read them" in (tick.skip_reason or "") or "no new" in (
                tick.skip_reason or ""
            ), tick.skip_reason
    # ...and every delivered file was loaded by one of the runs
    delivered = {p.name for p in settings.landing_dir.rglob("*") if p.is_file()}
    conn = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        loaded = {r[0] for r in conn.execute("SELECT file_name FROM raw._ingest_files").fetchall()}
    finally:
        conn.close()
    assert delivered <= loaded, f"not ingested: {sorted(delivered - loaded)}"
    # Every run succeeded, and did everything it set out to.
    problems = {
        f"{_source(r.dagster_run)} {r.dagster_run.job_name} ({r.dagster_run.status.value})": (
            _shortfalls(instance, r.dagster_run.run_id)
        )
        for r in records
    }
    problems = {run: found for run, found in problems.items() if found or "SUCCESS" not in run}
    assert not problems, f"{summary}\n{problems}"
    # They arrived together: the person's and the schedules' runs were all queued before
    # the first run ended (the sensor's could come a minute later, at its next tick).
    together = [r for r in records if not _source(r.dagster_run).startswith("sensor")]
    assert len(together) == 1 + len(SCHEDULES), summary
    assert all(r.create_timestamp.timestamp() < records[0].end_time for r in together), summary
    # One at a time, in arrival order.
    for earlier, later in zip(records, records[1:], strict=False):
        assert later.start_time >= earlier.end_time, f"runs overlapped:\n{summary}"
    arrival = sorted(records, key=lambda r: r.storage_id)
    assert [r.dagster_run.run_id for r in arrival] == [r.dagster_run.run_id for r in records], (
        f"not run in arrival order:\n{summary}"
    )
    # None met the warehouse's lock, and none waited for another run's writer.
    for record in records:
        for entry in instance.all_logs(record.dagster_run.run_id):
            text = dg.serialize_value(entry).encode()
            assert LOCK_ERROR not in text and LOCK_WAIT not in text, entry.user_message
    for path in [*(home / "storage").rglob("*"), log_path]:  # compute logs, daemon's log
        if path.is_file():
            assert LOCK_ERROR not in path.read_bytes(), path
