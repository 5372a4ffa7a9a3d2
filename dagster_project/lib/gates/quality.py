"""Run a published dataset's Great Expectations checkpoint on its rows.

GX's SQL datasource over duckdb-engine fails upstream ("resolve_metric_bundle raises
IndexError with duckdb-engine"), so the rows travel DuckDB -> Arrow -> pandas and GX
validates the dataframe. At city sizes (tens of thousands of rows) this takes about a
second; ``benchmarks/gate.py`` measures it against the same checks as one DuckDB query.

A bigger table is not copied into memory whole (:func:`check_quality`): the suite's
per-row expectations run on batches of ``BATCH_ROWS`` rows holding only the columns they
name, a uniqueness expectation on its one column over all rows, and the row count on
the row ids. The findings are summed across batches. (The whole suite, and with it the
validation's Data Docs page, runs at once for tables that fit one batch.)

When the rows published last passed this very suite (``validated``: the snapshot the
publisher keeps of what it sent), the per-row expectations run only on the rows that are
new or changed since: a row's check depends on that row alone. Uniqueness and the row
count still look at every row.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ...settings import get_settings
from ..row_changes import has_empty_key
from ..warehouse import literal, quote

# Great Expectations is imported where a suite runs, not with this module: it takes
# seconds to import, and a run whose gates all carry over (nothing changed) needs none.


@dataclass
class GateResult:
    passed: bool
    rows_checked: int
    failures: list[dict] = field(default_factory=list)
    data_docs: str | None = None
    # set when the per-row expectations looked at the new and changed rows only
    rows_validated_per_row: int | None = None

    def summary(self) -> str:
        if self.passed and self.rows_validated_per_row is not None:
            return (
                f"all expectations met: per-row ones on the {self.rows_validated_per_row} "
                f"new or changed rows, uniqueness and row count on all {self.rows_checked}"
            )
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
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    from .gx_project import open_context

    context = open_context(project_root or get_settings().expectations_dir)
    # The checkpoint's Data Docs action rebuilds the site's index, which reads every
    # validation result ever stored (a few hundred after a few runs: most of a small
    # dataset's gate time, and growing every day). The gate runs the checkpoint's
    # validation definition (the same suite and batch; the result is stored as the
    # checkpoint stores it) and builds that result's page alone, and links to it.
    definition = context.validation_definitions.get(checkpoint)
    run_id = RunIdentifier(run_time=datetime.now(UTC))
    validation = definition.run(
        batch_parameters={"dataframe": dataframe}, result_format=RESULT_FORMAT, run_id=run_id
    )
    # the key the result was stored under, as ValidationDefinition.run makes it (listing
    # the store's keys to find it would read every result ever stored again)
    identifier = ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=definition.suite.name),
        run_id=run_id,
        batch_identifier=validation.batch_id,
    )
    context.build_data_docs(resource_identifiers=[identifier], build_index=False)
    forget_old_results(Path(context.root_directory), definition.suite.name)
    failures = []
    for outcome in validation.results:
        if not outcome.success:
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
    docs = context.get_docs_sites_urls(resource_identifier=identifier)
    return GateResult(
        passed=validation.success,
        rows_checked=len(dataframe),
        failures=failures,
        data_docs=docs[0]["site_url"] if docs else None,
    )


# A suite's validation results kept, with their Data Docs pages: the newest, for the
# gate's link and the governance group's look back over the last runs (the gates' own
# record is data/gate_reports/ and Dagster's run history). GX's page builder lists every
# result stored, each time it builds one page: with all kept, the 1,057 results of a
# day of test runs already cost 0.2 s a gate, and a year of daily runs would cost
# seconds, and disk.
KEPT_RESULTS = 10
# Where the project's stores keep them (expectations/gx/great_expectations.yml)
RESULTS_FOLDER = "uncommitted/validations"
PAGES_FOLDER = "uncommitted/data_docs/local_site/validations"


def forget_old_results(gx_root: Path, suite: str, keep: int = KEPT_RESULTS) -> int:
    """Delete a suite's validation results and their pages but the ``keep`` newest and
    the newest that failed (the evidence of the last failure stays however many runs
    passed since); return how many results were deleted. A result is ``<suite>/<run
    name>/<run time>/<batch>.json``; the run time (``20261204T211709.727590Z``) sorts as
    it reads."""
    runs = sorted(
        (folder.name, folder)
        for folder in (gx_root / RESULTS_FOLDER / suite).glob("*/*")
        if folder.is_dir()
    )
    old = runs[:-keep] if keep else runs
    if old and not any(_failed(folder) for _, folder in runs[len(old) :]):
        last_failure = next((run for run in reversed(old) if _failed(run[1])), None)
        old = [run for run in old if run != last_failure]
    for _, folder in old:
        page = gx_root / PAGES_FOLDER / folder.relative_to(gx_root / RESULTS_FOLDER)
        shutil.rmtree(page, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)
    return len(old)


def _failed(result_folder: Path) -> bool:
    """Whether a stored validation result says it failed (unreadable: kept as failed)."""
    for path in result_folder.glob("*.json"):
        try:
            if json.loads(path.read_text()).get("success") is False:
                return True
        except (OSError, ValueError):
            return True
    return False


# As the checkpoints are configured (gx_project.py): counts and five examples per rule.
RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": 5}
BATCH_ROWS = 250_000
WHOLE_COLUMN = ("expect_column_values_to_be_unique",)
WHOLE_TABLE = ("expect_table_row_count_to_be_between",)


def _candidates(config: dict, table: str) -> str:
    """The rows GX must see to judge a whole-column rule. Uniqueness: every row whose
    value occurs more than once, and only those. GX finds exactly the rows unexpected it
    would find in the whole column (every row of a repeated value; never a null), with
    the same count, in a frame as small as the duplicates: the whole column of 10M ids
    took 1.5 GB in pandas. (With ``mostly``, a share of all rows: the whole column.)"""
    column = quote(config["kwargs"]["column"])
    if "mostly" in config["kwargs"]:
        return f"SELECT {column} FROM {table}"
    return (
        f"SELECT {column} FROM {table} WHERE {column} IN "
        f"(SELECT {column} FROM {table} GROUP BY ALL HAVING count(*) > 1)"
    )


@contextlib.contextmanager
def _without_batch_fingerprints():
    """GX's pandas engine fingerprints every batch it is given (an md5 of pandas' hash of
    each row, for the batch's markers in a stored result), in batches whose results are
    never stored (the gate records the published rows' own version): the 1M rows of the
    311 dataset took 1.4-1.6 s with it, 0.83-0.90 s without. Off while those batches are validated;
    the stored results of ``run_quality_gate`` keep theirs. (A module constant of GX
    1.x's pandas engine, pinned; the gates run on one thread.)"""
    from great_expectations.execution_engine import pandas_execution_engine as engine

    kept = engine.HASH_THRESHOLD
    engine.HASH_THRESHOLD = 0  # fingerprint a batch whose memory use is under 0 bytes
    try:
        yield
    finally:
        engine.HASH_THRESHOLD = kept


def _not_validated(conn, table: str, columns: list[str], validated: Path, key_columns) -> str:
    """The rows of ``table`` not among those that passed (``validated``), as the per-row
    rules read them. With a key, only the rules' columns and the key are compared: each
    per-row rule judges a row's own values in its column, so a row whose values there
    are a passed row's passes as that row did, and the key keeps one row per key (the
    distinct of EXCEPT counts every failing row). 1M rows: 0.45 s to 0.17 s, whole rows
    against 8 of 15 columns. Without a key, or with a row whose key is empty (two such
    rows would be one), whole rows, as distinct rows only could tell two equal rows
    apart."""
    passed = f"read_parquet({literal(str(validated))})"
    select = ", ".join(quote(c) for c in columns)
    compared = ", ".join(quote(c) for c in dict.fromkeys([*columns, *key_columns]))
    if not key_columns or has_empty_key(conn, list(key_columns), (table,)):
        compared = "*"
    return (
        f"SELECT {select} FROM (SELECT {compared} FROM {table} "
        f"EXCEPT SELECT {compared} FROM {passed})"
    )


def check_quality(
    conn: duckdb.DuckDBPyConnection,
    model: str,
    checkpoint: str,
    project_root: Path | None = None,
    validated: Path | None = None,
    key_columns: list[str] | tuple[str, ...] = (),
) -> GateResult:
    """The dataset's suite on its published rows, in memory proportional to a batch.
    ``validated``: a Parquet file of rows that passed this suite before (see above);
    ``key_columns``: the dataset's key (unique), which lets that comparison read only
    the columns the per-row rules judge."""
    import numpy
    import pandas
    from great_expectations.core.expectation_suite import ExpectationSuite

    from .gx_project import expectation_from_config, open_context, stored_configs

    table = f"open_data.{quote(model)}"
    (rows,) = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
    if rows <= BATCH_ROWS:
        return run_quality_gate(published_rows(conn, model), checkpoint, project_root)
    context = open_context(project_root or get_settings().expectations_dir)
    batches = context.validation_definitions.get(checkpoint).data
    configs = stored_configs(context, checkpoint) or []
    per_row = [c for c in configs if c["type"] not in WHOLE_COLUMN + WHOLE_TABLE]
    columns = sorted({c["kwargs"]["column"] for c in per_row})
    select = ", ".join(quote(c) for c in columns)
    # The rows the per-row rules look at (the columns those rules name, of every row or
    # of the rows that differ from those that passed before), streamed in batches: a
    # published model may be a view, and nothing is copied whole (10M rows).
    changed_only = validated is not None
    rows_to_validate = f"SELECT {select} FROM {table}"
    if changed_only:
        rows_to_validate = _not_validated(conn, table, columns, validated, key_columns)
    row_count = 0
    found: dict[tuple[str, str | None], dict] = {}

    def validate(frame, selected: list[dict]) -> None:
        if not selected:
            return
        suite = ExpectationSuite(
            name=f"{checkpoint}_part", expectations=[expectation_from_config(c) for c in selected]
        )
        result = batches.get_batch(batch_parameters={"dataframe": frame}).validate(
            suite, result_format={"result_format": "SUMMARY", "partial_unexpected_count": 5}
        )
        for outcome in result.results:
            config = outcome.expectation_config
            key = (config.type, config.kwargs.get("column"))
            entry = found.setdefault(key, {"unexpected_count": 0, "examples": [], "success": True})
            entry["success"] &= bool(outcome.success)
            entry["unexpected_count"] += outcome.result.get("unexpected_count") or 0
            examples = [str(v) for v in outcome.result.get("partial_unexpected_list", [])]
            entry["examples"] = (entry["examples"] + examples)[:5]

    with _without_batch_fingerprints():
        if per_row:
            stream = conn.execute(rows_to_validate)
            for batch in stream.fetch_record_batch(BATCH_ROWS):
                row_count += batch.num_rows
                validate(batch.to_pandas(), per_row)
        for config in configs:
            if config["type"] in WHOLE_COLUMN:
                frame = conn.execute(_candidates(config, table)).fetch_arrow_table()
                validate(frame.to_pandas(), [config])
            elif config["type"] in WHOLE_TABLE:
                # the row count GX judges, as a frame of that many rows made here
                # (reading a column of the table for it took 0.1 s per million rows)
                rows_frame = pandas.DataFrame({"row_id": numpy.ones(rows, dtype=numpy.int8)})
                validate(rows_frame, [config])
    failures = [
        {"expectation": kind, "column": column, "unexpected_count": e["unexpected_count"],
         "examples": e["examples"]}
        for (kind, column), e in found.items()
        if not e["success"]
    ]  # fmt: skip
    return GateResult(
        passed=not failures,
        rows_checked=rows,
        failures=failures,
        rows_validated_per_row=row_count if changed_only else None,
    )
