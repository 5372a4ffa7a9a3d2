"""benchmarks/pipeline.py's 1% deltas: each run after its own delta (the median of
several is the figure), so each must be a new file, with rows and ids no earlier one had."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]


def _benchmark():
    spec = importlib.util.spec_from_file_location(
        "bench_pipeline", PROJECT / "benchmarks" / "pipeline.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _export(landing: Path, requests: int) -> None:
    folder = landing / "crm311"
    folder.mkdir(parents=True)
    with (folder / "SR_EXPORT_2025.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["request_id", "created_at", "closed_at", "status", "ward"])
        for n in range(1, requests + 1):
            # only open ones are closed by a delta, however a closed one is spelled
            closed = ("Closed", "CLOSED ", " closed", "Cancelled", "CANCELLED")[n // 3 % 5]
            status = closed if n % 3 == 0 else ("Open", "In Progress")[n % 2]
            writer.writerow([f"SR-2025-{n:07d}", "2025-01-01T08:00:00", "", status, n % 10])


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))[1:]


def test_each_delta_changes_other_requests_and_adds_new_ids(tmp_path):
    bench = _benchmark()
    _export(tmp_path, 2000)
    written = [bench.add_delta(tmp_path, index=i) for i in range(3)]
    files = [tmp_path / bench.delta_file(i) for i in range(3)]
    assert written == [20, 20, 20] and len(set(files)) == 3
    assert files[0] == tmp_path / bench.DELTA_FILE  # the first as before
    deltas = [_rows(f) for f in files]
    changed = [{r[0] for r in d if r[0].startswith("SR-2025-")} for d in deltas]
    new = [{r[0] for r in d if not r[0].startswith("SR-2025-")} for d in deltas]
    assert all(len(c) == 10 and len(n) == 10 for c, n in zip(changed, new, strict=True))
    assert not changed[0] & (changed[1] | changed[2]) and not changed[1] & changed[2]
    assert len(new[0] | new[1] | new[2]) == 30  # ids no earlier delta gave
    assert all(r[3] == "Closed" for d in deltas for r in d if r[0].startswith("SR-2025-"))
    assert all(int(i[8:]) % 3 for c in changed for i in c)  # each was open in the export
    assert all(r[2] == "2025-01-03T08:00:00" for d in deltas for r in d if r[0] in changed[0])
    assert bench._delta_files(tmp_path) == sorted(files)


def test_too_few_open_requests_is_said_not_measured(tmp_path):
    bench = _benchmark()
    _export(tmp_path, 300)  # 200 open; two deltas of 148 changed requests need 296
    with pytest.raises(SystemExit, match="open requests"):
        bench.add_delta(tmp_path, share=0.99, index=1)
