"""The platform's Dagster instance (dagster_project/dagster.yaml, written into the data
folder's Dagster home) stores runs with Dagster's SQLite files, its event log keeping its
connections open (lib/dagster_storage.py): a run's events are there for another process
(the UI, the next run), and a home whose file names another folder is refused."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import dagster as dg
import pytest

from dagster_project.cli.serve import dagster_home
from dagster_project.lib.dagster_storage import CitySqliteStorage, PooledSqliteEventLogStorage
from dagster_project.settings import PROJECT_DIR, get_settings


@dg.asset
def counted() -> int:
    return 1


def test_a_runs_events_are_stored_where_another_process_reads_them(tmp_path, monkeypatch):
    settings = replace(get_settings(), data_dir=tmp_path / "data")
    home = dagster_home(settings)
    assert str(home.resolve()) in (home / "dagster.yaml").read_text()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.get() as instance:
        assert isinstance(instance.get_ref().storage_data.rehydrate(), CitySqliteStorage)
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
        for _ in range(2):
            result = dg.materialize([counted], instance=instance)
            assert result.success
        run_ids = [r.run_id for r in instance.get_runs()]
    # the files Dagster's plain storage reads, read by another process
    reader = (
        "import sys, dagster as dg\n"
        "with dg.DagsterInstance.from_config(sys.argv[1]) as instance:\n"
        "    events = instance.fetch_materializations(dg.AssetKey('counted'), limit=10)\n"
        "    print(len(events.records), len(instance.get_runs()))\n"
    )
    seen = subprocess.run(
        [sys.executable, "-c", reader, str(home)],
        capture_output=True,
        text=True,
        cwd=PROJECT_DIR,
        check=True,
    )
    assert seen.stdout.split() == ["2", str(len(run_ids))]


def test_a_home_whose_file_names_another_folder_is_refused(tmp_path, monkeypatch):
    """A data folder moved, and Dagster started on it without the project's commands:
    its old file would begin an empty history in the old place. It stops, saying what
    to run; the project's commands write the file again for the new folder."""
    old = dagster_home(replace(get_settings(), data_dir=tmp_path / "old"))
    moved = tmp_path / "moved" / "dagster"
    moved.mkdir(parents=True)
    (moved / "dagster.yaml").write_text((old / "dagster.yaml").read_text())
    monkeypatch.setenv("DAGSTER_HOME", str(moved))
    with pytest.raises(Exception, match="written for another folder.*make dev"):
        dg.DagsterInstance.get()
    dagster_home(replace(get_settings(), data_dir=tmp_path / "moved"))
    with dg.DagsterInstance.get() as instance:
        assert instance.get_runs() == []
