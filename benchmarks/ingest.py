"""Benchmark: our contract-driven ingest vs DuckDB's bare reader, on one big file.

    .venv/bin/python benchmarks/ingest.py [--rows 1000000]
    .venv/bin/python benchmarks/ingest.py --case snow_plow [--scale 20]

Case ``crm311`` (default):
Generates a 311 CSV in the new CRM's layout (sample_data), then times, on the same file:
  1. bare:  CREATE TABLE t AS SELECT * FROM read_csv(file)   (DuckDB's own type sniffing)
  2. ours:  ingest_source(...)  (text read, header mapping, null sentinels, typing against
            the contract, quarantine of failures, lineage columns, ledger, reconciliation)
and prints both and their ratio. Target: ours within 2x of bare.

Case ``snow_plow`` (Operations' AVL pings): one storm's JSON Lines file at the given
scale (sample_data.snow_plow, with its cut-off lines and GPS jumps), timed the same way:
bare ``read_json`` (newline-delimited, ``ignore_errors`` so the cut-off lines do not stop
it) vs ``ingest_source`` with the ``snow_plow`` contract.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from dagster_project.lib.dictionary import load_dictionary
from dagster_project.lib.ingest import ingest_source
from dagster_project.lib.warehouse import connect
from sample_data import generate_crm311_csv, snow_plow


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--case", choices=["crm311", "snow_plow"], default="crm311")
    parser.add_argument("--scale", type=float, default=20.0, help="snow_plow: the city's scale")
    args = parser.parse_args()
    if args.case == "snow_plow":
        snow_plow_case(args.scale)
        return
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


def snow_plow_case(scale: float) -> None:
    """One storm of AVL pings: bare read_json vs our ingest with the snow_plow contract."""
    source = load_dictionary().sources["snow_plow"]
    with tempfile.TemporaryDirectory() as scratch:
        landing = Path(scratch) / "landing"
        started = time.perf_counter()
        [(path, rows)] = snow_plow.write_extracts(landing, scale, 42, storms={1})
        print(
            f"generated {rows:,} pings (one storm at scale {scale:g}), "
            f"{path.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - started:.1f} s"
        )
        bare = connect(Path(scratch) / "bare.duckdb")
        started = time.perf_counter()
        bare.execute(
            f"CREATE TABLE t AS SELECT * FROM read_json('{path}', "
            "format='newline_delimited', ignore_errors=true)"
        )
        bare_seconds = time.perf_counter() - started
        bare_rows = bare.execute("SELECT count(*) FROM t").fetchone()[0]
        bare.close()

        ours = connect(Path(scratch) / "ours.duckdb")
        started = time.perf_counter()
        [result] = ingest_source(ours, source, landing, Path(scratch) / "quarantine")
        ours_seconds = time.perf_counter() - started
        ours.close()

    print(f"bare read_json into a table: {bare_seconds:6.2f} s   rows {bare_rows:,}")
    print(
        f"our ingest (contract):       {ours_seconds:6.2f} s   read {result.rows_read:,}, "
        f"loaded {result.rows_loaded:,}, quarantined {result.rows_quarantined:,}"
    )
    print(f"ratio ours / bare:           {ours_seconds / bare_seconds:6.2f}x  (target <= 2x)")


if __name__ == "__main__":
    main()
