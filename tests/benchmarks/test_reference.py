"""benchmarks/reference.py, the plain-DuckDB reference of the pipeline benchmark.

That its files equal the platform's exports is what ``benchmarks/pipeline.py`` checks on
every run (it needs a whole pipeline run and a portal); here: it runs on a landing folder
that holds every system of the city, reads only the three it covers, and its comparison
tells equal files from different ones.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sample_data import generate

PROJECT = Path(__file__).resolve().parents[2]
REFERENCE = PROJECT / "benchmarks" / "reference.py"
DATASETS = ("service_requests", "building_permits", "service_request_performance",
            "digital_adoption")  # fmt: skip


def reference(landing: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REFERENCE), "--landing", str(landing), "--out", str(out), *extra],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.fixture(scope="module")
def first_output(tmp_path_factory):
    landing = tmp_path_factory.mktemp("landing")
    generate(landing, scale=0.02, seed=5)  # every system: the others must be ignored
    out = tmp_path_factory.mktemp("reference")
    done = reference(landing, out)
    assert done.returncode == 0, done.stdout + done.stderr
    return landing, out, done.stdout


def test_it_reads_only_its_three_systems_and_writes_the_four_datasets(first_output):
    _, out, stdout = first_output
    for dataset in DATASETS:
        assert f"{dataset}: passed" in stdout
        assert (out / f"pub_{dataset}.csv").stat().st_size > 0
        assert (out / f"pub_{dataset}.parquet").exists()
    assert sorted(p.stem for p in out.glob("*.csv")) == sorted(f"pub_{d}" for d in DATASETS)
    steps = json.loads(stdout.strip().splitlines()[-1])
    assert steps["differing"] == 0 and steps["reference_s"] > 0


def test_compare_says_same_rows_and_tells_a_difference(first_output, tmp_path):
    landing, out, _ = first_output
    exports = tmp_path / "exports"  # the platform's layout: <dataset>/pub_<dataset>.csv
    for dataset in DATASETS:
        (exports / dataset).mkdir(parents=True)
        shutil.copy(out / f"pub_{dataset}.csv", exports / dataset)
    same = reference(landing, tmp_path / "again", "--compare", str(exports))
    assert same.returncode == 0, same.stdout + same.stderr
    assert same.stdout.count(": byte-identical") == 4

    edited = exports / "digital_adoption" / "pub_digital_adoption.csv"
    header, first, *rest = edited.read_text().splitlines()
    edited.write_text("\n".join([header, *reversed(rest), first]) + "\n")  # same rows
    permits = exports / "building_permits" / "pub_building_permits.csv"
    header, _dropped, *rest = permits.read_text().splitlines()  # one row missing
    permits.write_text("\n".join([header, *rest]) + "\n")
    differs = reference(landing, tmp_path / "third", "--compare", str(exports))
    assert differs.returncode == 1
    assert "digital_adoption: same rows (in another order or spelling)" in differs.stdout
    assert (
        "building_permits: DIFFERENT: 1 rows only here, 0 only in the platform's file"
        in differs.stdout
    )
    assert json.loads(differs.stdout.strip().splitlines()[-1])["differing"] == 1


def test_sample_data_generates_only_the_systems_asked_for(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "sample_data", "--out", str(tmp_path), "--scale", "0.01",
         "--systems", "crm311,permits,payments"],
        cwd=PROJECT, check=True, capture_output=True,
    )  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crm311", "payments", "permits"]
