"""Benchmark: the quality gate in Great Expectations (pandas) vs the same rules in DuckDB.

    .venv/bin/python benchmarks/gate.py [--rows 1000000]
    .venv/bin/python benchmarks/gate.py --warehouse data/bench-20/data/warehouse.duckdb

Builds ``open_data.pub_service_requests`` with ``--rows`` synthetic rows in a scratch
warehouse, then times (1) our production gate: DuckDB -> Arrow -> pandas -> GX checkpoint,
and (2) the same expectations compiled to one DuckDB query
(``dagster_project/lib/dictionary/render/sql.py``), and checks that both agree.

``--warehouse``: both gates, as a run calls them, on every published model of a built
warehouse (a copy is opened: the privacy gate keeps its personal values up to date in
it), with seconds per dataset and gate; the CPU seconds beside them are steadier than
wall time on a shared machine.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

from dagster_project.lib.dictionary import load_dictionary
from dagster_project.lib.dictionary.render.sql import count_violations
from dagster_project.lib.gates.privacy import check_privacy
from dagster_project.lib.gates.quality import check_quality, published_rows, run_quality_gate
from dagster_project.lib.gates.recognizers import Recognizers
from dagster_project.lib.warehouse import connect

FAKE_ROWS = """
CREATE SCHEMA open_data;
CREATE TABLE open_data.pub_service_requests AS SELECT
  'SR-' || i AS request_id,
  TIMESTAMP '2024-01-01' + to_seconds(i * 60) AS created_at,
  TIMESTAMP '2024-01-02' + to_seconds(i * 60) AS closed_at,
  ['Open', 'In Progress', 'Closed', 'Cancelled'][1 + i % 4] AS status,
  ['Roads', 'Waste', 'Parks'][1 + i % 3] AS service_category,
  'Pothole' AS service_type, 'Transportation Services' AS responsible_division,
  ['phone', 'web', 'mobile_app', 'walk_in', 'email'][1 + i % 5] AS intake_channel,
  i % 2 = 0 AS is_online_request, CAST(1 + i % 15 AS INTEGER) AS ward_number,
  (i % 50) * 100 || ' block of Maple Ave' AS address_block,
  CAST(i % 40 AS DOUBLE) / 3 AS days_to_close, CAST(10 AS INTEGER) AS target_days,
  i % 3 = 0 AS is_closed_within_target, CAST(NULL AS VARCHAR) AS data_quality_note
FROM range({rows}) AS t(i);
"""


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def warehouse_case(warehouse: Path) -> None:
    """Both gates on every published model of a built warehouse, timed."""
    dictionary = load_dictionary()
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "warehouse.duckdb"
        shutil.copyfile(warehouse, copy)
        conn = connect(copy)
        built = {row[0] for row in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'open_data'"
        ).fetchall()}  # fmt: skip
        started, recognizers = time.perf_counter(), Recognizers()
        print(f"{'dataset':40}{'rows':>10}{'quality s':>11}{'cpu':>7}{'privacy s':>11}{'cpu':>7}")
        totals = [time.perf_counter() - started, 0.0, 0.0, 0.0]  # wall, cpu: quality, privacy
        for dataset in sorted(dictionary.approved_datasets, key=lambda d: d.id):
            if dataset.model not in built:
                continue
            (rows,) = conn.execute(f'SELECT count(*) FROM open_data."{dataset.model}"').fetchone()
            timed = []
            for gate in ("quality", "privacy"):
                wall, cpu = time.perf_counter(), cpu_seconds()
                try:  # a warehouse built by other code may lack a column: time the rest
                    if gate == "quality":
                        passed = check_quality(conn, dataset.model, checkpoint=dataset.model)
                    else:
                        passed = check_privacy(conn, dataset, dictionary, recognizers)
                    passed = passed.passed
                except duckdb.Error:
                    passed = False
                timed += [time.perf_counter() - wall, cpu_seconds() - cpu, passed]
            print(
                f"{dataset.id:40}{rows:10,}{timed[0]:11.2f}{timed[1]:7.2f}{timed[3]:11.2f}"
                f"{timed[4]:7.2f}  {'' if timed[2] and timed[5] else 'FAILED'}"
            )
            totals[0] += timed[0] + timed[3]
            totals[1:] = [totals[1] + timed[1], totals[2] + timed[3], totals[3] + timed[4]]
        conn.close()
    print(f"gates in all: {totals[0]:.1f} s wall (recognizers' start included); CPU s: "
          f"quality {totals[1]:.1f}, privacy {totals[3]:.1f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--warehouse", type=Path, help="time both gates on this warehouse")
    args = parser.parse_args()
    if args.warehouse:
        warehouse_case(args.warehouse)
        return
    dataset = load_dictionary().datasets["service_requests"]
    with tempfile.TemporaryDirectory() as scratch:
        conn = connect(Path(scratch) / "bench.duckdb")
        conn.execute(FAKE_ROWS.format(rows=args.rows))

        started = time.perf_counter()
        counts = count_violations(conn, dataset)
        duckdb_seconds = time.perf_counter() - started
        duckdb_peak = peak_mb()

        # GX in batches first: the process peak then shows what it alone needed
        started = time.perf_counter()
        batched = check_quality(conn, dataset.model, checkpoint=dataset.model)
        batched_seconds, batched_peak = time.perf_counter() - started, peak_mb()

        started = time.perf_counter()
        frame = published_rows(conn, dataset.model)
        result = run_quality_gate(frame, checkpoint=dataset.model)
        gx_seconds = time.perf_counter() - started
    failing_in_duckdb = sum(1 for n in counts.values() if n)
    print(f"rows: {args.rows:,}; rules: {len(counts)} (incl. the row count)")
    print(
        f"DuckDB, one query:          {duckdb_seconds:7.2f} s  (process peak so far "
        f"{duckdb_peak:,.0f} MB), failing expectations: {failing_in_duckdb}"
    )
    print(
        f"GX pandas via Arrow:        {gx_seconds:7.2f} s  (process peak {peak_mb():,.0f} MB),"
        f" failing expectations: {len(result.failures)}"
    )
    print(
        f"GX in batches (the gate):   {batched_seconds:7.2f} s  (process peak "
        f"{batched_peak:,.0f} MB), failing expectations: {len(batched.failures)}"
    )
    print(f"ratio GX / DuckDB:          {gx_seconds / duckdb_seconds:7.1f}x")


if __name__ == "__main__":
    main()
