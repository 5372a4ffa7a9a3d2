"""MetricFlow queries on the department tests' warehouse (the semantic layer analysts use)."""

from __future__ import annotations


def metricflow_query(department_warehouse, *arguments: str) -> list[dict[str, str]]:
    """``mf query <arguments>`` on the built warehouse's semantic layer: its CSV rows."""
    import csv
    import os
    import subprocess
    import uuid

    from dagster_project.settings import DBT_PROJECT_DIR, PROJECT_DIR

    out = department_warehouse.data_dir / f"mf-{uuid.uuid4().hex}.csv"
    subprocess.run(
        [str(PROJECT_DIR / ".venv" / "bin" / "mf"), "query", *arguments,
         "--csv", str(out), "--quiet"],
        cwd=DBT_PROJECT_DIR, check=True, capture_output=True, timeout=300,
        env={**os.environ, "PLATFORM_DATA_DIR": str(department_warehouse.data_dir)},
    )  # fmt: skip
    with out.open() as handle:
        return list(csv.DictReader(handle))
