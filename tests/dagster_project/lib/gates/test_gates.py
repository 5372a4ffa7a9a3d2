"""The quality gate (GX) and privacy gate on a published model made here, with faults."""

from __future__ import annotations

import pytest

from dagster_project.lib.dictionary import load_dictionary
from dagster_project.lib.dictionary.render.gx import EXPECTATIONS
from dagster_project.lib.dictionary.render.sql import count_violations
from dagster_project.lib.gates.privacy import check_privacy
from dagster_project.lib.gates.quality import published_rows, run_quality_gate
from dagster_project.lib.warehouse import connect

ROWS = """
CREATE SCHEMA open_data;
CREATE SCHEMA raw;
CREATE TABLE raw.crm311_service_requests AS SELECT 'Renée Tremblay' AS caller_name,
  '613-555-0101' AS caller_phone, 'renee.t@example.com' AS caller_email,
  '12 Oak St' AS street_address;
CREATE TABLE open_data.pub_service_requests AS SELECT * FROM (VALUES
  ('SR-1', TIMESTAMP '2025-01-01 10:00', NULL::TIMESTAMP, 'Open', 'Roads', 'Pothole',
   'Transportation', 'web', true, 3, '1200 block of Maple Ave', NULL::DOUBLE, 10, false,
   NULL::VARCHAR),
  ('SR-2', TIMESTAMP '2025-01-02 10:00', NULL, 'Reopened', 'Roads', 'Pothole',
   'Transportation', 'web', true, 31, 'call renee.t@example.com', NULL, 10, false, NULL),
  ('SR-2', TIMESTAMP '2025-01-03 10:00', NULL, 'Open', 'Roads', 'Renée Tremblay',
   'Transportation', 'phone', false, 4, '0 block of Oak St', NULL, 10, false, NULL))
AS t(request_id, created_at, closed_at, status, service_category, service_type,
     responsible_division, intake_channel, is_online_request, ward_number, address_block,
     days_to_close, target_days, is_closed_within_target, data_quality_note);
"""


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    conn = connect(tmp_path_factory.mktemp("gate") / "w.duckdb")
    conn.execute(ROWS)
    yield conn
    conn.close()


def failing(counts: dict, dataset) -> set[tuple[str, str]]:
    """(GX expectation type, column) of each rule the SQL check finds broken."""
    rules = {f"{i}:{r.kind}:{r.column}": r for i, r in enumerate(dataset.rules)}
    return {
        (EXPECTATIONS[rules[name].kind](rules[name])["type"], rules[name].column)
        for name, n in counts.items()
        if n and name in rules
    }


def test_gx_gate_names_the_rule_the_column_and_the_rows(faulty):
    dataset = load_dictionary().datasets["service_requests"]
    result = run_quality_gate(published_rows(faulty, dataset.model), dataset.model)
    assert not result.passed
    found = {(f["expectation"], f["column"]) for f in result.failures}
    assert {
        ("expect_column_values_to_be_unique", "request_id"),
        ("expect_column_values_to_be_in_set", "status"),
        ("expect_column_values_to_be_in_set", "ward_number"),
    } <= found
    assert "Reopened" in next(f for f in result.failures if f["column"] == "status")["examples"]
    # the same rules compiled to DuckDB find the same faults
    assert failing(count_violations(faulty, dataset), dataset) == found


def test_privacy_gate_finds_personal_values_and_masks_them(faulty):
    dictionary = load_dictionary()
    result = check_privacy(faulty, dictionary.datasets["service_requests"], dictionary)
    assert not result.passed
    rules = {(f["column"], f["rule"]) for f in result.findings}
    assert ("address_block", "looks like an e-mail address") in rules
    assert ("service_type", "equals a value of a personal source column") in rules
    examples = " ".join(f.get("example", "") for f in result.findings)
    assert "Renée" not in examples and "renee.t@" not in examples
