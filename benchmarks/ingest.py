"""Benchmark: our contract-driven ingest vs DuckDB's bare reader, on one big file.

    .venv/bin/python benchmarks/ingest.py [--rows 1000000] [--rounds 5]
    .venv/bin/python benchmarks/ingest.py --case snow_plow [--scale 20] [--rounds 5]

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

Each round times bare, then ours, each into a new warehouse file; the figures are the
medians over the rounds, and the ratio is the median of each round's ours / bare (a
shared machine's speed drifts by 20-30% between runs a minute apart: one pair of runs
could say 1.9x or 2.6x of the same code).
"""

from __future__ import annotations

import argparse
import statistics
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
    parser.add_argument("--rounds", type=int, default=5, help="bare then ours, this many times")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        landing = Path(scratch) / "landing"
        started = time.perf_counter()
        if args.case == "snow_plow":
            source = load_dictionary().sources["snow_plow"]
            [(path, rows)] = snow_plow.write_extracts(landing, args.scale, 42, storms={1})
            what = f"pings (one storm at scale {args.scale:g})"
            bare_sql = (
                f"CREATE TABLE t AS SELECT * FROM read_json('{path}', "
                "format='newline_delimited', ignore_errors=true)"
            )
        else:
            source = load_dictionary().sources["crm311"]
            path = landing / "crm311" / "SR_EXPORT_2030.csv"
            rows = generate_crm311_csv(path, args.rows)
            what = "rows"
            bare_sql = f"CREATE TABLE t AS SELECT * FROM read_csv('{path}')"
        print(
            f"generated {rows:,} {what}, {path.stat().st_size / 1e6:.0f} MB in "
            f"{time.perf_counter() - started:.1f} s"
        )
        bare_times, our_times = [], []
        for round_number in range(args.rounds):
            bare = connect(Path(scratch) / f"bare{round_number}.duckdb")
            started = time.perf_counter()
            bare.execute(bare_sql)
            bare_times.append(time.perf_counter() - started)
            bare_rows = bare.execute("SELECT count(*) FROM t").fetchone()[0]
            bare.close()

            ours = connect(Path(scratch) / f"ours{round_number}.duckdb")
            started = time.perf_counter()
            [result] = ingest_source(ours, source, landing, Path(scratch) / "quarantine")
            our_times.append(time.perf_counter() - started)
            ours.close()
            print(
                f"  round {round_number + 1}: bare {bare_times[-1]:5.2f} s, ours "
                f"{our_times[-1]:5.2f} s, {our_times[-1] / bare_times[-1]:.2f}x",
                flush=True,
            )

    ratios = [o / b for o, b in zip(our_times, bare_times, strict=True)]
    print(f"bare (DuckDB's reader into a table): {_spread(bare_times)}   rows {bare_rows:,}")
    print(
        f"our ingest (contract):               {_spread(our_times)}   read "
        f"{result.rows_read:,}, loaded {result.rows_loaded:,}, quarantined "
        f"{result.rows_quarantined:,}"
    )
    print(
        f"ratio ours / bare, median of {args.rounds} rounds: {statistics.median(ratios):.2f}x "
        f"(min {min(ratios):.2f}x, max {max(ratios):.2f}x; target <= 2x)"
    )


def _spread(seconds: list[float]) -> str:
    median = statistics.median(seconds)
    return f"median {median:5.2f} s (min {min(seconds):.2f}, max {max(seconds):.2f})"


if __name__ == "__main__":
    main()
