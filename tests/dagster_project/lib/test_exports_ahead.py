"""A big dataset's export made beside the steps once its gates passed (lib/exports.py,
warehouse.beside): the publication takes the same files it would have made, only for the
rows they were made for, and nothing holds the warehouse past the run's turn."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from dagster_project.lib import exports
from dagster_project.lib.exports import (
    AHEAD_FOLDER,
    discard_exports_ahead,
    export_ahead,
    export_model,
    sweep_exports_ahead,
    take_export_ahead,
)
from dagster_project.lib.warehouse import (
    beside,
    close_kept,
    connect,
    finish_beside,
    keep_open,
    writer_turn,
)

ROWS = 30_000


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    with connect(path) as conn:
        conn.execute(
            "CREATE SCHEMA open_data; CREATE TABLE open_data.pub_x AS SELECT i AS x_id, "
            f"'row ' || i AS label FROM range({ROWS}) t(i) ORDER BY random()"
        )
    return path


def test_the_publication_takes_the_files_it_would_have_made(
    warehouse: Path, tmp_path: Path, monkeypatch
):
    out_dir = tmp_path / "exports" / "x"
    started = []

    def counted(*args):
        started.append(args)
        return beside(*args)

    monkeypatch.setattr(exports, "beside", counted)
    with writer_turn(warehouse):
        keep_open(warehouse)
        assert export_ahead(warehouse, "pub_x", out_dir, ["x_id"], "v1")
        assert export_ahead(warehouse, "pub_x", out_dir, ["x_id"], "v1")  # once a version
        assert len(started) == 1
        files, said = take_export_ahead(out_dir, "v1")
        with connect(warehouse) as conn:
            made_now = export_model(conn, "pub_x", tmp_path / "now", ["x_id"])
    assert files == {"csv": out_dir / "pub_x.csv", "parquet": out_dir / "pub_x.parquet"}
    assert files["csv"].read_bytes() == made_now["csv"].read_bytes()
    assert files["parquet"].read_bytes() == made_now["parquet"].read_bytes()
    assert not (out_dir / AHEAD_FOLDER).exists()
    assert said == "exported ahead, after its gates"
    assert take_export_ahead(out_dir, "v1") == (None, "not exported ahead")  # taken once


def test_files_made_for_other_rows_are_not_taken(warehouse: Path, tmp_path: Path):
    out_dir = tmp_path / "exports" / "x"
    out_dir.mkdir(parents=True)
    (out_dir / "pub_x.csv").write_text("the last publication's\n")
    with writer_turn(warehouse):
        keep_open(warehouse)
        export_ahead(warehouse, "pub_x", out_dir, ["x_id"], "v1")
        assert take_export_ahead(out_dir, "v2") == (None, "exported ahead for other rows")
    assert not (out_dir / AHEAD_FOLDER).exists()
    assert (out_dir / "pub_x.csv").read_text() == "the last publication's\n"


def test_an_export_no_publication_took_is_deleted_at_the_runs_end(warehouse: Path, tmp_path: Path):
    out_dir = tmp_path / "exports" / "x"
    with writer_turn(warehouse):
        keep_open(warehouse)
        export_ahead(warehouse, "pub_x", out_dir, ["x_id"], "v1")  # its gate fails after
        discard_exports_ahead()
    assert not (out_dir / AHEAD_FOLDER).exists()
    assert take_export_ahead(out_dir, "v1") == (None, "not exported ahead")


def test_a_failed_export_ahead_leaves_the_export_to_the_publication(
    warehouse: Path, tmp_path: Path
):
    out_dir = tmp_path / "exports" / "x"
    with writer_turn(warehouse):
        keep_open(warehouse)
        export_ahead(warehouse, "pub_missing", out_dir, ["x_id"], "v1")
        files, said = take_export_ahead(out_dir, "v1")
    assert files is None and said.startswith("the export made ahead failed (CatalogException")


def test_without_the_runs_turn_nothing_is_made_ahead(warehouse: Path, tmp_path: Path):
    assert not export_ahead(warehouse, "pub_x", tmp_path / "x", ["x_id"], "v1")
    assert beside(warehouse, lambda conn: None) is None


def test_the_kept_warehouse_closes_after_the_work_beside_it(warehouse: Path):
    started, release = threading.Event(), threading.Event()

    def slow(conn) -> int:
        started.set()
        release.wait(10)
        return conn.execute("SELECT count(*) FROM open_data.pub_x").fetchone()[0]

    with writer_turn(warehouse):
        keep_open(warehouse)
        future = beside(warehouse, slow)
        assert started.wait(10)
        threading.Timer(0.3, release.set).start()
        close_kept(warehouse)  # as before dbt writes the file: waits for the work
        assert future.done() and future.result() == ROWS
    # nothing holds the file: another process (dbt) may open it now
    with connect(warehouse) as conn:
        assert conn.execute("SELECT count(*) FROM open_data.pub_x").fetchone()[0] == ROWS


def test_a_stop_interrupts_the_work_beside_and_waits_for_it(warehouse: Path):
    started = threading.Event()

    def endless(conn) -> None:
        started.set()
        conn.execute("SELECT count(*) FROM range(10000000000) a")  # minutes, uninterrupted

    with writer_turn(warehouse):
        keep_open(warehouse)
        future = beside(warehouse, endless)
        assert started.wait(10)  # (its query started or about to: interrupted either way)
        began = time.monotonic()
        finish_beside(warehouse, stop=True)
        assert time.monotonic() - began < 5
        assert future.done() and future.exception() is not None
        again = beside(warehouse, endless)  # stopped before or after it starts
        finish_beside(warehouse, stop=True)
        assert again.done() and (again.cancelled() or again.exception() is not None)


def test_a_killed_runs_exports_ahead_are_swept(tmp_path: Path):
    left = tmp_path / "exports" / "x" / AHEAD_FOLDER
    left.mkdir(parents=True)
    (left / ".pub_x.csv.tmp").write_text("cut short")
    (tmp_path / "exports" / "x" / "pub_x.csv").write_text("published")
    sweep_exports_ahead(tmp_path / "exports")
    assert not left.exists() and (tmp_path / "exports" / "x" / "pub_x.csv").exists()


def test_a_setting_that_is_no_number_leaves_the_default(monkeypatch):
    from dagster_project.defs.quality.gates import _export_ahead_min_rows
    from dagster_project.lib.exports import EXPORT_AHEAD_MIN_ROWS

    monkeypatch.setenv("PLATFORM_EXPORT_AHEAD_MIN_ROWS", "20k")
    assert _export_ahead_min_rows() == EXPORT_AHEAD_MIN_ROWS
    monkeypatch.setenv("PLATFORM_EXPORT_AHEAD_MIN_ROWS", "5")
    assert _export_ahead_min_rows() == 5
