"""The portal's files written while the gates check (lib/exports_ahead.py), on a real
DuckDB file held the way a run holds it: the writer turn, the database kept open."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from dagster_project.lib import exports_ahead
from dagster_project.lib.exports import export_model
from dagster_project.lib.incremental import published_version
from dagster_project.lib.warehouse import (
    close_kept,
    connect,
    keep_open,
    read_beside,
    stop_reads_beside,
    writer_turn,
)

DATASET = SimpleNamespace(id="permits", model="pub_permits", key_columns=["permit"])


@pytest.fixture
def run(tmp_path):
    """A warehouse with a published model, held as a run holds it (turn, kept open)."""
    warehouse = tmp_path / "warehouse.duckdb"
    conn = connect(warehouse)
    conn.execute("CREATE SCHEMA open_data")
    conn.execute(
        "CREATE TABLE open_data.pub_permits AS SELECT 'P-' || lpad(i::VARCHAR, 6, '0') "
        "AS permit, i % 7 AS ward, TIMESTAMP '2026-01-01' + to_minutes(i) AS applied_at "
        "FROM range(50000) t(i)"
    )
    conn.close()
    folders = SimpleNamespace(
        warehouse=warehouse,
        exports=tmp_path / "exports",
        versions=tmp_path / "versions",
        gate_reports=tmp_path / "gate_reports",
    )
    with writer_turn(warehouse):
        keep_open(warehouse)
        yield folders
        exports_ahead.discard_untaken()  # as the run's end does
    close_kept(warehouse)


def _ahead(run, datasets=(DATASET,)) -> list[str]:
    return exports_ahead.export_ahead(
        run.warehouse, list(datasets), run.exports, run.versions, run.gate_reports
    )


def _written(run) -> None:
    """Until the files are in place (the rows they hold were read by then)."""
    deadline = time.monotonic() + 30
    while not (run.exports / "permits" / "pub_permits.csv").exists():
        assert time.monotonic() < deadline
        time.sleep(0.05)


def _version(run) -> str:
    conn = connect(run.warehouse)
    try:
        return published_version(conn, DATASET.model)
    finally:
        conn.close()


def test_the_publication_takes_the_files_written_ahead_the_same_bytes(run, tmp_path):
    assert _ahead(run) == ["permits"]
    files, outcome = exports_ahead.take_export(DATASET, _version(run))
    assert outcome == "written while the gates checked"
    conn = connect(run.warehouse)
    own = export_model(conn, DATASET.model, tmp_path / "own", DATASET.key_columns)
    conn.close()
    for kind in ("csv", "parquet"):
        assert files[kind] == run.exports / "permits" / own[kind].name
        assert files[kind].read_bytes() == own[kind].read_bytes()
    exports_ahead.discard_untaken()  # taken: the end of the run leaves them
    assert files["csv"].exists() and files["parquet"].exists()


def test_rows_changed_after_writing_are_not_taken_and_their_files_go(run):
    _ahead(run)
    _written(run)
    before = _version(run)
    conn = connect(run.warehouse)
    conn.execute("UPDATE open_data.pub_permits SET ward = 99 WHERE permit = 'P-000001'")
    conn.close()
    files, outcome = exports_ahead.take_export(DATASET, _version(run))
    assert files is None and "changed" in outcome, outcome
    assert _version(run) != before
    assert not list((run.exports / "permits").glob("*.csv"))  # the publication writes its own


def test_files_no_publication_took_are_removed_at_the_end_of_the_run(run):
    """A gate failed: its dataset's publication never ran, and the rows it held back do
    not stay in the export folder: neither its files nor the comparison's with the last
    publication (the rows to upsert)."""
    _publish_once(run)
    conn = connect(run.warehouse)
    conn.execute("UPDATE open_data.pub_permits SET ward = 99 WHERE permit = 'P-000001'")
    conn.close()
    _ahead(run)
    _written(run)
    deadline = time.monotonic() + 30
    while not (run.exports / "permits" / "delta_upserts.parquet").exists():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    exports_ahead.discard_untaken()
    assert sorted(p.name for p in (run.exports / "permits").iterdir()) == []
    assert exports_ahead.take_export(DATASET, _version(run)) == (None, "not written ahead")


def _publish_once(run) -> None:
    """What a publication leaves: the version history's copy of the files it sent."""
    from dagster_project.lib.row_changes import compare_exports
    from dagster_project.lib.versions import Version, VersionHistory

    conn = connect(run.warehouse)
    files = export_model(conn, DATASET.model, run.exports / "sent", DATASET.key_columns)
    conn.close()
    history = VersionHistory(run.versions, DATASET.id)
    changes = compare_exports(None, files["parquet"], DATASET.key_columns)
    first = Version(number=1, published_on="2026-12-01", added=changes.added, changed=0,
                    removed=0, rows=changes.rows)  # fmt: skip
    history.record(first, files, datetime.now(UTC))
    for path in files.values():
        path.unlink()


def test_a_dictionary_entry_changed_meanwhile_is_not_taken(run):
    """The files were sorted and compared by the entry's key as it was when the build
    ended; a governance edit since (another key) makes the publication write its own."""
    _ahead(run)
    edited = SimpleNamespace(id="permits", model="pub_permits", key_columns=["permit", "ward"])
    files, outcome = exports_ahead.take_export(edited, _version(run))
    assert files is None and "dictionary entry changed" in outcome


def test_rows_the_portal_has_already_are_not_written_again(run):
    from dagster_project.lib.gates.results import GateResults

    GateResults(run.gate_reports).record_publication("permits", "http://x", version=_version(run))
    _ahead(run)
    files, outcome = exports_ahead.take_export(DATASET, _version(run))
    assert files is None and outcome == "not written ahead: the portal had these rows already"
    assert not (run.exports / "permits" / "pub_permits.csv").exists()


def test_a_failure_ahead_leaves_the_writing_to_the_publication(run):
    broken = SimpleNamespace(id="gone", model="pub_gone", key_columns=["x"])
    _ahead(run, [broken, DATASET])
    files, outcome = exports_ahead.take_export(broken, "any")
    assert files is None and "failed" in outcome, outcome
    files, _ = exports_ahead.take_export(DATASET, _version(run))  # the next one still is
    assert files is not None


def test_nothing_is_written_ahead_outside_the_writer_turn(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    connect(warehouse).close()
    started = exports_ahead.export_ahead(
        warehouse, [DATASET], tmp_path / "exports", tmp_path / "versions", tmp_path / "gates"
    )
    assert started == []
    assert exports_ahead.take_export(DATASET, "any") == (None, "not written ahead")


def test_the_end_of_a_run_interrupts_a_read_under_way(run):
    """A stopped run stops in seconds, also while a long export is being written."""
    began = threading.Event()
    ended = []

    def long_read(conn):
        began.set()
        try:
            conn.execute("SELECT count(*) FROM range(1000000000000) a")
        except Exception as error:  # noqa: BLE001
            ended.append(type(error).__name__)

    thread = read_beside(run.warehouse, long_read, "test-read")
    assert thread is not None and began.wait(10)
    time.sleep(0.2)
    started = time.monotonic()
    stop_reads_beside()
    thread.join(timeout=5)
    assert time.monotonic() - started < 5 and not thread.is_alive()
    assert ended == ["InterruptException"]


def test_giving_the_file_up_waits_for_a_read_under_way(tmp_path):
    """dbt's build (or the end of the turn) closes the run's hold on the file: a read
    still running would keep DuckDB's lock from dbt's process."""
    warehouse = tmp_path / "warehouse.duckdb"
    connect(warehouse).close()
    finished = []

    def short_read(conn):
        conn.execute("SELECT count(*) FROM range(30000000)").fetchone()
        time.sleep(0.3)
        finished.append(True)

    with writer_turn(warehouse):
        keep_open(warehouse)
        assert read_beside(warehouse, short_read, "test-read") is not None
        close_kept(warehouse)
        assert finished == [True]
