"""make dictionary-check's coverage and state findings, on a small warehouse made here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb

from dagster_project.lib.dictionary import load_dictionary
from dagster_project.lib.dictionary.governance import column_coverage, gate_and_freshness
from dagster_project.lib.gates.results import GateResults


def test_undocumented_and_vanished_columns_are_errors(tmp_path):
    dictionary = load_dictionary()
    dataset = dictionary.datasets["digital_adoption"]
    columns = [c.name for c in dataset.columns if c.name != "payments_amount"] + ["new_measure"]
    conn = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    conn.execute("CREATE SCHEMA open_data")
    conn.execute(
        f"CREATE TABLE open_data.{dataset.model} ("
        + ", ".join(f"{c} VARCHAR" for c in columns)
        + ")"
    )
    conn.close()
    findings = column_coverage(dictionary, tmp_path / "warehouse.duckdb")
    messages = [f.message for f in findings if f.dataset == "digital_adoption"]
    assert all(f.severity == "error" for f in findings)
    assert any("'new_measure'" in m and "has no description" in m for m in messages)
    assert any("'payments_amount'" in m and "no longer has" in m for m in messages)


def test_failed_gates_and_missed_frequencies_are_warnings(tmp_path):
    dictionary = load_dictionary()
    now = datetime(2026, 11, 24, tzinfo=UTC)
    results = GateResults(tmp_path)
    results.record_publication("service_requests", "http://portal/x", now - timedelta(days=3))
    results.record_gate("service_requests", "quality_gate", False, "status: 3 rows", now)
    results.record_publication("building_permits", "http://portal/y", now - timedelta(days=2))
    findings = {
        (f.dataset, f.severity, f.message.split(":")[0])
        for f in gate_and_freshness(dictionary, results, now)
    }
    assert (
        "service_requests",
        "warning",
        "approved but its quality_gate failed on 2026-11-24T00",
    ) in findings
    assert any(
        d == "service_requests" and "declared daily but last published" in m for d, _, m in findings
    )
    assert not any(d == "building_permits" for d, _, _ in findings)  # weekly, 2 days old
    assert (
        "digital_adoption",
        "warning",
        "approved but never run through its gates yet",
    ) in findings
