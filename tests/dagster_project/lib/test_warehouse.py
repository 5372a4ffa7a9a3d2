"""Concurrent writers take turns on the warehouse instead of failing on DuckDB's lock."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

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
