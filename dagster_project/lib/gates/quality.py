"""Run a published dataset's Great Expectations checkpoint on its rows.

GX's SQL datasource over duckdb-engine fails upstream ("resolve_metric_bundle raises
IndexError with duckdb-engine"), so the rows travel DuckDB -> Arrow -> pandas and GX
validates the dataframe. At city sizes (tens of thousands of rows) this takes about a
second; ``benchmarks/gate.py`` measures it against the same checks as one DuckDB query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ...settings import get_settings
from .gx_project import open_context


@dataclass
class GateResult:
    passed: bool
    rows_checked: int
    failures: list[dict] = field(default_factory=list)
    data_docs: str | None = None

    def summary(self) -> str:
        if self.passed:
            return f"all expectations met on {self.rows_checked} rows"
        return "; ".join(
            f"{f['expectation']}({f.get('column') or ''}): {f['unexpected_count']} rows"
            for f in self.failures
        )


def published_rows(conn: duckdb.DuckDBPyConnection, model: str):
    """The published model as a pandas dataframe (via Arrow), in a stable order."""
    return conn.execute(f'SELECT * FROM open_data."{model}"').fetch_arrow_table().to_pandas()


def run_quality_gate(dataframe, checkpoint: str, project_root: Path | None = None) -> GateResult:
    """``project_root``: the GX project (default: the configured city's expectations/)."""
    context = open_context(project_root or get_settings().expectations_dir)
    result = context.checkpoints.get(checkpoint).run(batch_parameters={"dataframe": dataframe})
    failures = []
    for validation in result.run_results.values():
        for outcome in validation.results:
            if outcome.success:
                continue
            config = outcome.expectation_config
            failures.append(
                {
                    "expectation": config.type,
                    "column": config.kwargs.get("column"),
                    "unexpected_count": outcome.result.get(
                        "unexpected_count", outcome.result.get("observed_value")
                    ),
                    "examples": [str(v) for v in outcome.result.get("partial_unexpected_list", [])],
                }
            )
    docs = context.get_docs_sites_urls()
    return GateResult(
        passed=result.success,
        rows_checked=len(dataframe),
        failures=failures,
        data_docs=docs[0]["site_url"] if docs else None,
    )
