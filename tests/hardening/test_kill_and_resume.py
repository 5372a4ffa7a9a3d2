"""A run killed at any point converges on a later one: no duplicate rows, no duplicate
datasets or files on the portal, and no process left behind.

The pipeline runs as a real process (``python -m dagster_project.cli.pipeline``) on a
small sample city in a scratch data folder, against the real local portal. Each test
kills a chain of runs with one signal (SIGTERM, as a service manager stops it, or SIGKILL,
as the OOM killer does): the first run while it ingests, the next (resuming what the first
left) while dbt builds, the next while it publishes; then a run goes to the end, and the
warehouse and the portal are checked. Every kill leaves the state the next run starts
from, so the chain covers each phase's leftovers, and leftovers of leftovers, at the cost
of about two runs instead of two per phase (the suite's time budget).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from dagster_project.lib.dictionary import load_dictionary
from dagster_project.lib.dictionary.vocabulary import SYSTEMS_WITHOUT_EXTRACTS
from dagster_project.settings import PROJECT_DIR
from publish.ckan.mapping import package_name
from sample_data import generate

pytestmark = pytest.mark.portal
SCALE = 0.02  # 1,000 service requests: the run is mostly fixed costs (dbt, CKAN calls)
# The first three systems deliver; the others wait (what is killed and resumed is the
# run's machinery, the same for every system, and each published dataset costs CKAN calls)
DELIVERING = {"crm311", "permits", "payments"}


def _children(pid: int) -> list[int]:
    """Every live process started (directly or not) by ``pid``, from /proc."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                parents[int(entry.name)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        for child, its_parent in parents.items():
            if its_parent == parent:
                found.append(child)
                frontier.append(child)
    return found


def _processes_using(data_dir: Path) -> list[str]:
    """Command lines of processes whose environment names this data folder."""
    marker = f"PLATFORM_DATA_DIR={data_dir}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if marker in (entry / "environ").read_bytes():
                    found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode())
            except OSError:
                continue
    return found


def _start(data_dir: Path) -> subprocess.Popen:
    env = {**os.environ, "PLATFORM_DATA_DIR": str(data_dir)}
    return subprocess.Popen(
        [sys.executable, "-m", "dagster_project.cli.pipeline"],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_for(condition, process: subprocess.Popen, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, "the run ended before the point to kill it at"
        assert time.monotonic() < deadline, "the point to kill the run at never came"
        time.sleep(0.05)


PHASES = {
    # the first file is being loaded: the warehouse exists, dbt has not started
    "ingest": lambda data_dir, pid: (data_dir / "warehouse.duckdb").exists(),
    # dbt is building the models (the build's dbt process, not the one the run starts
    # ahead to take it: that one waits from the run's start, lib/warm_dbt.py)
    "dbt": lambda data_dir, pid: any(
        b"dbt" in (line := Path(f"/proc/{child}/cmdline").read_bytes())
        and b"--serve-one-build" not in line
        for child in _children(pid)
        if Path(f"/proc/{child}").exists()
    ),
    # the first export is written: the publish step is under way
    "publish": lambda data_dir, pid: any((data_dir / "exports").glob("*/*.csv")),
}


@pytest.mark.parametrize("signal_name", ["SIGKILL", "SIGTERM"])
def test_runs_killed_in_each_phase_converge_on_the_next_complete_run(
    signal_name, tmp_path, anonymous
):
    data_dir = tmp_path / "data"
    generate(data_dir / "landing", scale=SCALE, seed=3, systems=DELIVERING)
    for phase in ("ingest", "dbt", "publish"):
        _kill_in(phase, signal_name, data_dir)
    rerun = _start(data_dir)
    assert rerun.wait(timeout=600) == 0, "the next run did not finish cleanly"
    _assert_converged(data_dir, anonymous)


def _kill_in(phase: str, signal_name: str, data_dir: Path) -> None:
    run = _start(data_dir)
    try:
        _wait_for(lambda: PHASES[phase](data_dir, run.pid), run)
        stopped_at = time.monotonic()
        run.send_signal(getattr(signal, signal_name))
        run.wait(timeout=30)
        if signal_name == "SIGTERM":
            waited = time.monotonic() - stopped_at
            assert waited < 10, f"SIGTERM in {phase} must stop a run within 10 s ({waited:.1f} s)"
    finally:
        if run.poll() is None:
            run.kill()
    deadline = time.monotonic() + 15  # a dbt bound to the killed run follows it
    while _processes_using(data_dir) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = _processes_using(data_dir)
    assert left == [], f"a process of the run killed in {phase} was left behind: {left}"


def _assert_converged(data_dir: Path, anonymous) -> None:
    conn = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        dictionary = load_dictionary()
        for source in (s for s in dictionary.sources.values() if s.system in DELIVERING):
            table = f"raw.{source.raw_table}"
            total, distinct = conn.execute(
                f"SELECT count(*), count(DISTINCT (_source_sha256, _source_row)) FROM {table}"
            ).fetchone()
            assert total == distinct > 0, f"{table}: rows loaded twice"
            files = conn.execute(
                "SELECT count(*), count(DISTINCT sha256) FROM raw._ingest_files "
                "WHERE system = ? AND status = 'loaded'",
                [source.system],
            ).fetchone()
            assert files[0] == files[1], f"{source.system}: a file recorded as loaded twice"
        for dataset in dictionary.approved_datasets:
            if not set(dataset.source_systems) - SYSTEMS_WITHOUT_EXTRACTS <= DELIVERING:
                continue  # waiting for its systems' first delivery
            rows = conn.execute(f"SELECT count(*) FROM open_data.{dataset.model}").fetchone()[0]
            package = anonymous.action.package_show(id=package_name(dataset.id))
            names = [r["name"] for r in package["resources"]]
            # the current files, once each (a dataset the shared portal held with other rows
            # keeps that CSV as "..., version N, date": publish/ckan/versions.py)
            current = [n for n in names if ", version " not in n]
            assert len(names) == len(set(names)) and len(current) == 3, f"{dataset.id}: {names}"
            csv = next(r for r in package["resources"] if r["format"] == "CSV")
            shown = anonymous.action.datastore_search(resource_id=csv["id"], limit=0)
            assert shown["total"] == rows, f"{dataset.id}: DataStore {shown['total']} != {rows}"
            matches = anonymous.action.package_search(q=f'name:"{package["name"]}"')["results"]
            assert [p["name"] for p in matches] == [package["name"]]
    finally:
        conn.close()
