"""Concurrent writers take turns on the warehouse instead of failing on DuckDB's lock."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

from dagster_project.defs.resources import WarehouseResource
from dagster_project.lib.warehouse import connect, writer_turn

HOLDER = textwrap.dedent("""
    import sys, time
    from dagster_project.lib.warehouse import connect, writer_turn
    with writer_turn(sys.argv[1]):
        conn = connect(sys.argv[1])
        conn.execute("CREATE TABLE IF NOT EXISTS t (i INTEGER)")
        print("holding", flush=True)
        time.sleep(2)
        conn.execute("INSERT INTO t VALUES (1)")
        conn.close()
""")


def test_a_second_writer_waits_for_its_turn_and_then_writes(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(warehouse)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "holding"
    waited = []
    started = time.monotonic()
    with writer_turn(warehouse, waited.append):  # DuckDB alone would raise here
        conn = connect(warehouse)
        conn.execute("INSERT INTO t VALUES (2)")
        assert conn.execute("SELECT list(i ORDER BY i) FROM t").fetchone()[0] == [1, 2]
        conn.close()
    assert holder.wait(timeout=30) == 0
    assert waited and time.monotonic() - started > 1


def test_the_turn_is_reentrant_in_one_process(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    with writer_turn(warehouse), writer_turn(warehouse):
        connect(warehouse).close()


def test_a_reader_between_runs_never_stands_in_a_writers_way(tmp_path):
    """The daemon's run report reads the warehouse between runs: while a run holds the
    write turn it reads nothing (rather than lock the file under the run); otherwise it
    reads, and a run starting meanwhile waits for it instead of failing on DuckDB's lock."""
    import subprocess
    import sys
    import time

    from dagster_project.lib.warehouse import reader_turn

    warehouse = tmp_path / "warehouse.duckdb"
    with reader_turn(warehouse) as free:
        assert free
    writer = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from dagster_project.lib.warehouse import writer_turn\n"
         f"with writer_turn({str(warehouse)!r}):\n    print('held', flush=True); time.sleep(5)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert writer.stdout.readline().strip() == "held"
        started = time.monotonic()
        with reader_turn(warehouse) as free:
            assert not free and time.monotonic() - started < 1
    finally:
        writer.kill()
        writer.wait()


def test_a_writer_that_waits_says_whether_it_waits_for_a_run_or_a_reader(tmp_path):
    """The wait message tells an overlapping run (which the run queue should prevent) from
    a run report still reading between runs (a few seconds, expected)."""
    import subprocess
    import sys

    warehouse = tmp_path / "warehouse.duckdb"
    for holder, expected in (
        ("writer_turn", "in use by another run"),
        ("reader_turn", "being read between runs"),
    ):
        other = subprocess.Popen(
            [sys.executable, "-c",
             f"import time; from dagster_project.lib.warehouse import {holder}\n"
             f"with {holder}({str(warehouse)!r}):\n    print('held', flush=True); time.sleep(2)"],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            assert other.stdout.readline().strip() == "held"
            said: list[str] = []
            with writer_turn(warehouse, said.append):
                pass
            assert len(said) == 1 and expected in said[0], said
        finally:
            other.kill()
            other.wait()


OTHER_PROCESS_WRITES = textwrap.dedent("""
    import sys
    from dagster_project.lib.warehouse import connect
    conn = connect(sys.argv[1])  # no turn taken: DuckDB's own lock alone decides
    conn.execute("INSERT INTO t VALUES (2)")
    conn.close()
""")


def test_a_run_keeps_the_warehouse_open_between_its_steps_and_lets_dbt_write(tmp_path, monkeypatch):
    """A run's steps share one open warehouse (each open reads the catalog) and hold the
    writer turn from the first step to the end of the run; a step that hands the file to
    a process of its own (dbt) closes it first; after the run the file is free."""
    import dagster as dg

    from dagster_project.lib.warehouse import close_kept
    from dagster_project.settings import get_settings

    monkeypatch.setenv("PLATFORM_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    warehouse = get_settings().warehouse_path
    other_process = [sys.executable, "-c", OTHER_PROCESS_WRITES, str(warehouse)]

    @dg.asset
    def first(warehouse: WarehouseResource) -> None:
        with warehouse.connection() as conn:
            conn.execute("CREATE TABLE t (i INTEGER)")
            conn.execute("INSERT INTO t VALUES (1)")
        # between steps the file stays open: another process cannot write it
        refused = subprocess.run(other_process, capture_output=True, text=True)
        assert refused.returncode != 0 and "lock" in refused.stderr.lower()

    @dg.asset(deps=[first])
    def like_dbt(warehouse: WarehouseResource) -> None:
        with writer_turn(warehouse_path := get_settings().warehouse_path):
            close_kept(warehouse_path)  # what CityDbtCliResource.cli does
            subprocess.run(other_process, check=True)

    @dg.asset(deps=[like_dbt])
    def last(warehouse: WarehouseResource) -> None:
        with warehouse.connection() as conn:
            assert conn.execute("SELECT list(i ORDER BY i) FROM t").fetchone()[0] == [1, 2]

    try:
        result = dg.materialize(
            [first, like_dbt, last], resources={"warehouse": WarehouseResource()}
        )
        assert result.success
        subprocess.run(other_process, check=True)  # the run is over: the file is free
        conn = connect(warehouse, read_only=True)
        assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 3
        conn.close()
    finally:
        get_settings.cache_clear()


def test_the_kept_warehouse_gives_back_its_cached_pages_between_steps(tmp_path):
    """Kept open, the database would hold every page a step read until the run ends,
    beside the next step's own memory: they are given back (they are on disk)."""
    from dagster_project.lib.warehouse import close_kept, keep_open, release_cached_memory

    warehouse = tmp_path / "warehouse.duckdb"
    with writer_turn(warehouse):
        keep_open(warehouse)
        conn = connect(warehouse)
        conn.execute(
            "CREATE TABLE t AS SELECT range AS i, md5(range::varchar) AS s FROM range(6000000)"
        )
        conn.execute("CHECKPOINT")
        conn.execute("SELECT count(DISTINCT s) FROM t").fetchall()
        cached = "SELECT sum(memory_usage_bytes) FROM duckdb_memory()"
        limit = "SELECT current_setting('memory_limit')"
        before, limit_before = conn.execute(cached).fetchone()[0], conn.execute(limit).fetchone()
        release_cached_memory(warehouse)
        after = conn.execute(cached).fetchone()[0]
        assert after <= 32 * 2**20 < before, (before, after)  # evicted down to 32 MB
        assert conn.execute(limit).fetchone() == limit_before  # set back
        conn.close()
        close_kept(warehouse)


def test_a_warehouse_file_a_killed_run_never_wrote_is_set_aside(tmp_path, caplog):
    """A run killed between creating the warehouse file and writing its header left 0
    bytes: DuckDB refused the file ("not a valid DuckDB database file") and every later
    run failed on it. It is moved aside and the database made anew; a real one stays."""
    from dagster_project.lib.warehouse import connect

    warehouse = tmp_path / "warehouse.duckdb"
    warehouse.touch()
    conn = connect(warehouse)
    conn.execute("CREATE TABLE t AS SELECT 1 AS x")
    conn.close()
    (aside,) = tmp_path.glob("warehouse.duckdb.never-written-*")
    assert aside.stat().st_size == 0 and "never written" in caplog.text
    again = connect(warehouse)  # a database with data is never touched
    assert again.execute("SELECT x FROM t").fetchone() == (1,)
    again.close()
    assert len(list(tmp_path.glob("warehouse.duckdb.never-written-*"))) == 1
