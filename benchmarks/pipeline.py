"""The whole pipeline at a city's volume, against a scratch portal of its own.

    .venv/bin/python benchmarks/pipeline.py --scale 20

1. generates the sample city's three original systems (311 CRM, building permits,
   payments: the ones ``benchmarks/reference.py`` covers) at ``--scale`` (1 = 50,000
   service requests, 6,000 permits, 72,000 payments) into a scratch folder
   (``--work-dir``, default ``data/bench-<scale>``; reused when it exists, ``--fresh``
   starts over). The other departments' systems are not generated: their datasets wait
   for a first delivery, so both sides read the same landing folder and the ratio
   compares like with like;
2. starts a scratch portal with its own data folder and ports (``--ports``, default
   5155/54429/63899): it never touches the demo's portal;
3. runs ``python -m dagster_project.cli.pipeline`` as ``make pipeline`` does: the full
   run, a run with no new file, then ``--deltas`` runs (default 3) each after a 1% delta
   (a new 311 export with 0.5% of the requests changed and 0.5% new, other rows each
   time). A run's time moves by 10% from one run to the next on this 2-core machine, as
   much as a target's margin: ``delta_s`` is the deltas' median, each one is shown
   (``delta_runs_s``, in order: they run one after another on a warehouse that grows by
   0.5% each time; the figures of sessions before 6 December 2026 (day) are of one);
4. prints one table (wall seconds, peak RSS of the run's process tree, seconds per stage
   from the run's Dagster event log, DataStore rows/s from the publish steps) and, as its
   last line, one JSON object.

After the full run, ``benchmarks/reference.py`` (the same work in one plain DuckDB
script) runs on the same landing files and checks that its four files hold the same rows
as the platform's exports; ``ratio`` is the full run's wall time over the reference's.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

# The systems the plain-DuckDB reference covers; the benchmark generates only these.
SYSTEMS = ("crm311", "permits", "payments")
STAGES = (  # step key -> stage, first match wins
    ("raw__", "ingest"),
    ("warehouse_models", "warehouse (dbt)"),
    ("_gate", "gates"),
    ("portal__", "publish"),
)


def run(command: list[str], env: dict) -> tuple[float, float, str, int]:
    """Wall seconds, peak RSS (MB) of the process and the children it waited for, output,
    exit code."""
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=PROJECT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    output = process.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.monotonic() - started
    if process.returncode not in (0, 1):  # 1: a dataset blocked, still a measured run
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{output[-3000:]}")
    return elapsed, usage.ru_maxrss / 1024, output, process.returncode


def stage_seconds(dagster_home: Path, run_id: str) -> tuple[dict[str, float], dict]:
    """Seconds per stage and the publish steps' metadata, from the run's event log."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        starts, seconds, published = {}, {}, {}
        for entry in instance.all_logs(run_id):
            event = entry.dagster_event
            if event is None or not event.step_key:
                continue
            if event.event_type_value == "STEP_START":
                starts[event.step_key] = entry.timestamp
            elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE", "STEP_SKIPPED"):
                stage = next((s for k, s in STAGES if k in event.step_key), "other")
                took = entry.timestamp - starts.get(event.step_key, entry.timestamp)
                seconds[stage] = seconds.get(stage, 0.0) + took
            elif event.event_type_value == "ASSET_MATERIALIZATION" and (
                event.asset_key.path[0] == "portal"
            ):
                metadata = event.event_specific_data.materialization.metadata
                published[event.asset_key.path[1]] = {
                    k: getattr(v, "value", v) for k, v in metadata.items()
                }
    return seconds, published


def run_id_of(output: str) -> str:
    return output.split("(run ", 1)[1].split(")", 1)[0]


DELTA_FILE = "crm311/SR_EXPORT_2026-delta.csv"


def delta_file(index: int) -> str:
    return DELTA_FILE if index == 0 else DELTA_FILE.replace(".csv", f"-{index + 1}.csv")


def add_delta(landing: Path, share: float = 0.01, index: int = 0) -> int:
    """A new 311 export: ``share/2`` of the requests changed (open ones, closed now: a
    closed one sent again as it was would change nothing the portal shows), ``share/2``
    new (copies of other rows under ids no export has). The ``index``-th delta changes
    the open requests after those of the deltas before it, and copies other rows."""
    source = landing / "crm311" / "SR_EXPORT_2025.csv"
    # read twice rather than held: this process's memory would count in the delta run's
    # peak RSS (a forked child's peak includes its parent's pages until it execs)
    with source.open(newline="", encoding="utf-8") as handle:
        total = sum(1 for _ in csv.reader(handle)) - 1
    count = max(int(total * share / 2), 1)
    with source.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        created, closed, status = (header.index(c) for c in ("created_at", "closed_at", "status"))
        copied_from = range(index * count, (index + 1) * count)
        open_rows, copied = [], []
        for number, row in enumerate(reader):
            if number in copied_from:
                copied.append(row)
            # (as staging reads a status: "CLOSED", "Closed " are closed too)
            still_open = row[status].strip().casefold() not in ("closed", "cancelled")
            if still_open and len(open_rows) < (index + 1) * count:
                open_rows.append(row)
            if len(copied) == count and len(open_rows) == (index + 1) * count:
                break
    if len(open_rows) < (index + 1) * count:
        raise SystemExit(
            f"{source} holds {len(open_rows)} open requests: too few for {index + 1} deltas "
            f"of {count} changed requests each"
        )

    def closed_now(row: list[str]) -> list[str]:
        row = list(row)
        row[status], row[closed] = "Closed", row[closed] or _two_days_after(row[created])
        return row

    changed = [closed_now(r) for r in open_rows[index * count :]]
    year = f"SR-{2026 + index}-"  # ids no earlier delta gave
    new = [[r[0].replace("SR-2025-", year, 1), *r[1:]] for r in copied]
    delta = landing / delta_file(index)
    with delta.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(changed + new)
    return len(changed) + len(new)


def _two_days_after(created_at: str) -> str:
    """A closing time for a request closed now (the export's own format), or its creation
    time when that is not in the ISO form the sample city writes."""
    try:
        moment = datetime.fromisoformat(created_at)
    except ValueError:
        return created_at
    return (moment + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--work-dir", type=Path)
    parser.add_argument("--fresh", action="store_true", help="delete the scratch folder first")
    parser.add_argument("--ports", default="5155,54429,63899", help="CKAN,PostgreSQL,Redis")
    parser.add_argument("--keep-portal", action="store_true", help="leave it running after")
    parser.add_argument(
        "--deltas", type=_at_least_one, default=3, help="1%% delta runs (the median is shown)"
    )
    parser.add_argument(
        "--reuse-landing",
        action="store_true",
        help="with --fresh: keep the sample city an earlier run generated at this scale "
        "(at scale 200, generating takes minutes and 12 GB)",
    )
    args = parser.parse_args()
    work = args.work_dir or PROJECT / "data" / f"bench-{args.scale:g}"
    data = work / "data"
    landing = data / "landing"
    reuse = args.reuse_landing and _generated_scale(landing) == args.scale
    if args.fresh and work.exists():
        subprocess.run([sys.executable, "-m", "publish.portal", "down"], env=_env(work, args))
        kept = work.parent / f".{work.name}-landing" if reuse else None
        if kept:
            landing.rename(kept)
        shutil.rmtree(work)
        if kept:
            landing.parent.mkdir(parents=True)
            kept.rename(landing)
            _remove_added_files(landing)  # the earlier run's 1% delta, any file added by hand
    if (data / "warehouse.duckdb").exists():
        raise SystemExit(
            f"{work} holds an earlier run's warehouse: every file would be known, the full "
            "run would load nothing and the deltas would be skipped as loaded already. "
            "Start over with --fresh (--reuse-landing keeps the generated city)."
        )
    env = _env(work, args)
    if reuse:
        print(f"sample city at scale {args.scale:g}: the files generated before", flush=True)
    else:
        generate(landing, args.scale, env)
    portal = subprocess.run(
        [sys.executable, "-m", "publish.portal", "up"], cwd=PROJECT, env=env, check=False
    )
    if portal.returncode:
        raise SystemExit("the scratch portal did not start")
    try:
        results = measure(data, env, args.deltas)
    finally:  # leave nothing running (--keep-portal to browse the result)
        if not args.keep_portal:
            subprocess.run([sys.executable, "-m", "publish.portal", "down"], cwd=PROJECT, env=env)
    report(args, results)
    return 0


def generate(landing: Path, scale: float, env: dict) -> None:
    # In a child process: this one stays small, so the runs it starts do not inherit its
    # memory (a forked child counts its parent's pages in its peak RSS until it execs).
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "sample_data", "--out", str(landing),
         "--scale", str(scale), "--systems", ",".join(SYSTEMS)],
        cwd=PROJECT, env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    for added in _delta_files(landing):  # (the generator keeps existing files)
        added.unlink()
    generated = sorted(str(p.relative_to(landing)) for p in landing.rglob("*") if p.is_file())
    (landing / GENERATED_MARK).write_text("\n".join([f"{scale}", *generated]) + "\n")
    took = time.monotonic() - started
    print(f"sample city ({', '.join(SYSTEMS)}) at scale {scale:g} in {took:.0f} s", flush=True)


GENERATED_MARK = ".generated_scale"  # (no system's file pattern matches it)


def _generated_scale(landing: Path) -> float | None:
    """The scale of the sample city generated into ``landing`` (first line of the mark;
    the lines after it list the files generated), or None when one of them is missing
    (quarantined by an earlier run, say): the city is generated again."""
    try:
        scale, *listed = (landing / GENERATED_MARK).read_text().splitlines()
        if any(not (landing / name).is_file() for name in listed):
            return None
        return float(scale)
    except (OSError, ValueError):
        return None


def _remove_added_files(landing: Path) -> None:
    """Leave the landing folder as generated: a reused city must not carry the earlier
    run's delta file, nor extracts dropped there by hand since."""
    listed = (landing / GENERATED_MARK).read_text().splitlines()[1:]
    if not listed:  # a mark from before the list was kept: the delta files at least
        for added in _delta_files(landing):
            added.unlink()
        return
    generated = {landing / name for name in listed} - set(_delta_files(landing))
    generated.add(landing / GENERATED_MARK)
    for path in landing.rglob("*"):
        if path.is_file() and path not in generated:
            path.unlink()


def _delta_files(landing: Path) -> list[Path]:
    return sorted(landing.glob(DELTA_FILE.replace(".csv", "*.csv")))


def measure(data: Path, env: dict, deltas: int) -> dict:
    results = {}
    python = str(PROJECT / ".venv" / "bin" / "python")
    runs = ["full", "noop", *(f"delta{i + 1}" for i in range(deltas))]
    for index, name in enumerate(runs, start=-2):  # (the deltas' indexes from 0)
        if index >= 0:
            rows = add_delta(data / "landing", index=index)
            print(f"{name}: {rows} rows in a new 311 export", flush=True)
        wall, rss, output, code = run([python, "-m", "dagster_project.cli.pipeline"], env)
        log = data / f"{name}_run.log"  # what the run said, to check what a figure measured
        log.write_text(output)
        results[name] = {"wall": wall, "rss": rss, "run_id": run_id_of(output)}
        print(f"{name}: {wall:.1f} s, peak RSS {rss:.0f} MB", flush=True)
        print(f"  plan: {output.strip().splitlines()[0] if output.strip() else '?'}", flush=True)
        if code == 1:  # measured, but something was blocked: the figure may miss work
            print(f"  WARNING: the run blocked a dataset or failed a step: see {log}", flush=True)
        if name == "full":
            results["reference"] = reference(data, env)
    for result in (results[n] for n in runs):  # after the runs: reading the log imports Dagster
        result["stages"], result["published"] = stage_seconds(data / "dagster", result["run_id"])
    return results


def reference(data: Path, env: dict) -> dict:
    """The plain-DuckDB script on the same files; its output compared with the exports."""
    out = data.parent / "reference"
    wall, rss, output, _ = run(
        [sys.executable, str(PROJECT / "benchmarks" / "reference.py"), "--landing",
         str(data / "landing"), "--out", str(out), "--compare", str(data / "exports")],
        env,
    )  # fmt: skip
    verdicts = [line for line in output.splitlines() if ": " in line and "{" not in line]
    try:
        steps = json.loads(output.strip().splitlines()[-1])
    except (ValueError, IndexError):  # it failed: say so, and measure the rest anyway
        print(f"reference: FAILED after {wall:.1f} s:\n{output[-2000:]}", flush=True)
        return {"wall": None, "rss": rss, "differing": None, "verdicts": []}
    print(f"reference: {wall:.1f} s, peak RSS {rss:.0f} MB", flush=True)
    for line in verdicts:
        print(f"  {line}", flush=True)
    return {"wall": wall, "rss": rss, "differing": steps["differing"], "verdicts": verdicts}


def report(args, results: dict) -> None:
    loaded = [
        (m.get("rows", 0), m.get("datastore_load_s", 0))
        for m in results["full"]["published"].values()
        if m.get("datastore_load_s")
    ]
    rows_per_s = sum(r for r, _ in loaded) / max(sum(s for _, s in loaded), 1e-9)
    print()
    print(f"landing: the sample city's {', '.join(SYSTEMS)} at scale {args.scale:g} (both sides)")
    stage_names = [s for _, s in STAGES] + ["other"]
    print(f"{'run':8}{'wall s':>9}{'RSS MB':>9}" + "".join(f"{s:>18}" for s in stage_names))
    runs = [n for n in results if n != "reference"]
    for name in runs:
        r = results[name]
        print(
            f"{name:8}{r['wall']:9.1f}{r['rss']:9.0f}"
            + "".join(f"{r['stages'].get(s, 0):18.1f}" for s in stage_names)
        )
    print(
        f"DataStore load (full run): {sum(r for r, _ in loaded):,} rows at {rows_per_s:,.0f} rows/s"
    )
    ref = results["reference"]
    if ref["wall"] is not None:
        print(
            f"plain-DuckDB reference: {ref['wall']:.1f} s (full run / reference = "
            f"{results['full']['wall'] / ref['wall']:.2f}x); output: "
            + ("the same as the platform's" if not ref["differing"] else "DIFFERENT")
        )
    deltas = [results[n]["wall"] for n in runs if n.startswith("delta")]
    delta = statistics.median(deltas)  # (--deltas is at least 1)
    if len(deltas) > 1:
        print(
            f"1% delta: median {delta:.1f} s of {len(deltas)} runs "
            f"({', '.join(f'{w:.1f}' for w in deltas)}); "
            f"median / full run = {delta / results['full']['wall']:.3f}"
        )
    summary = {
        "scale": args.scale,
        "systems": list(SYSTEMS),
        "full_s": round(results["full"]["wall"], 1),
        "reference_s": round(ref["wall"], 1) if ref["wall"] else None,
        "ratio": round(results["full"]["wall"] / ref["wall"], 2) if ref["wall"] else None,
        "reference_output_equal": not ref["differing"] if ref["wall"] else None,
        "noop_s": round(results["noop"]["wall"], 1),
        "delta_s": round(delta, 1),
        "delta_ratio": round(delta / results["full"]["wall"], 3),
        "delta_runs_s": [round(w, 1) for w in deltas],
        "datastore_rows_per_s": round(rows_per_s),
        "peak_rss_mb": round(max(results[n]["rss"] for n in runs)),
    }
    print(json.dumps(summary))


def _at_least_one(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("at least one delta run")
    return value


def _env(work: Path, args) -> dict:
    ckan, postgres, redis = args.ports.split(",")
    env = {
        **os.environ,
        "PLATFORM_DATA_DIR": str(work / "data"),
        "PORTAL_DATA_DIR": str(work / "portal"),
        "PORTAL_CKAN_PORT": ckan,
        "PORTAL_PG_PORT": postgres,
        "PORTAL_REDIS_PORT": redis,
    }
    for name in ("CKAN_URL", "CKAN_API_TOKEN", "PLATFORM_CITY_DIR", "PLATFORM_DICTIONARY_DIR"):
        env.pop(name, None)  # the sample city, on the scratch portal only
    return env


if __name__ == "__main__":
    sys.exit(main())
