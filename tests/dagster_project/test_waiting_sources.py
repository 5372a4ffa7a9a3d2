"""A source that has not delivered yet waits; it stops nothing else, and the run says so.

Only the 311 CRM has delivered: its datasets publish, the permits and payments ones are
reported "waiting for the first delivery", and the command exits 0 (nothing failed).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from dagster_project.settings import PROJECT_DIR
from sample_data import generate

pytestmark = pytest.mark.portal


def test_datasets_of_a_silent_source_wait_and_the_others_publish(tmp_path, portal):
    data_dir = tmp_path / "data"
    generate(data_dir / "landing", scale=0.02, seed=5, systems={"crm311"})
    run = subprocess.run(
        [sys.executable, "-m", "dagster_project.cli.pipeline"],
        cwd=PROJECT_DIR,
        env={**os.environ, "PLATFORM_DATA_DIR": str(data_dir)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    lines = {
        line.split()[0]: line.split()[1]
        for line in run.stdout.splitlines()
        if line.startswith("  ") and len(line.split()) > 1
    }
    assert lines["building_permits"] == "waiting", run.stdout
    assert lines["digital_adoption"] == "waiting", run.stdout
    assert lines["service_requests"] in ("published", "unchanged"), run.stdout
    assert lines["service_request_performance"] in ("published", "unchanged"), run.stdout
    assert run.returncode == 0, run.stdout[-3000:]
