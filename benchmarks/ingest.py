"""Benchmark: our contract-driven ingest vs DuckDB's bare read_csv, on one 311 CSV.

    .venv/bin/python benchmarks/ingest.py [--rows 1000000]

Generates a 311 CSV in the new CRM's layout (sample_data), then times, on the same file:
  1. bare:  CREATE TABLE t AS SELECT * FROM read_csv(file)   (DuckDB's own type sniffing)
  2. ours:  ingest_source(...)  (text read, header mapping, null sentinels, typing against
            the contract, quarantine of failures, lineage columns, ledger, reconciliation)
and prints both and their ratio. Target: ours within 2x of bare.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from dagster_project.lib.dictionary import load_dictionary
from dagster_project.lib.ingest import ingest_source
from dagster_project.lib.warehouse import connect
from sample_data import generate_crm311_csv


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    source = load_dictionary().sources["crm311"]
    with tempfile.TemporaryDirectory() as scratch:
        landing = Path(scratch) / "landing"
        csv = landing / "crm311" / "SR_EXPORT_2030.csv"
        started = time.perf_counter()
        rows = generate_crm311_csv(csv, args.rows)
        print(
            f"generated {rows:,} rows, {csv.stat().st_size / 1e6:.0f} MB in "
            f"{time.perf_counter() - started:.1f} s"
        )

        bare = connect(Path(scratch) / "bare.duckdb")
        started = time.perf_counter()
        bare.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{csv}')")
        bare_seconds = time.perf_counter() - started
        bare.close()

        ours = connect(Path(scratch) / "ours.duckdb")
        started = time.perf_counter()
        [result] = ingest_source(ours, source, landing, Path(scratch) / "quarantine")
        ours_seconds = time.perf_counter() - started
        ours.close()

    print(f"bare read_csv into a table: {bare_seconds:6.2f} s")
    print(
        f"our ingest (contract):      {ours_seconds:6.2f} s   read {result.rows_read:,}, "
        f"loaded {result.rows_loaded:,}, quarantined {result.rows_quarantined:,}"
    )
    print(f"ratio ours / bare:          {ours_seconds / bare_seconds:6.2f}x  (target <= 2x)")


if __name__ == "__main__":
    main()
