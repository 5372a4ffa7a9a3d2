"""City Clerk's Office, FOI request log, through contract, dbt, the KPI and the gates."""

from __future__ import annotations

import json
from pathlib import Path

from .planted import run_with_planted_row

SYSTEM = "foi_requests"
REQUESTER_TYPES = {
    "Individual", "Business", "Media", "Academic/Researcher", "Association/Group",
    "Government", "Lawyer",
}  # fmt: skip


def test_every_row_read_is_loaded_quarantined_or_dropped(department_warehouse):
    files = department_warehouse(
        "SELECT file_name, rows_read, rows_loaded, rows_quarantined, rows_dropped "
        "FROM raw._ingest_files WHERE system = ? AND status = 'loaded' ORDER BY file_name",
        [SYSTEM],
    )
    assert [f[0] for f in files] == ["FOI_Log_2024.xlsx", "FOI_Log_2025.xlsx"]
    for name, read, loaded, quarantined, dropped in files:
        assert read == loaded + quarantined + dropped, name
        assert dropped == 1 and quarantined == 0, name  # the Total row only
    # the 2025 headers differ; the aliases found every column
    (columns,) = department_warehouse(
        "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'raw' "
        "AND table_name = 'foi_requests_requests' AND NOT starts_with(column_name, '_')"
    )[0]
    assert columns == 13


def test_typed_values_are_mapped_and_text_dates_read(department_warehouse):
    types = {
        r[0]
        for r in department_warehouse(
            "SELECT DISTINCT requester_type FROM raw.foi_requests_requests"
        )
    }
    assert types == REQUESTER_TYPES  # "Indiv.", "govt ", "MEDIA" -> the IPC's categories
    (missing_received, flagged) = department_warehouse(
        "SELECT (SELECT count(*) FROM raw.foi_requests_requests WHERE received_date IS NULL), "
        "(SELECT count(*) FROM raw._flagged_values WHERE system = ? "
        "AND column_name <> 'decision_date')",
        [SYSTEM],
    )[0]
    assert missing_received == 0 and flagged == 0  # "March 05, 2024", "2024/03/05"...


def test_a_decision_before_receipt_is_loaded_empty(department_warehouse):
    rows = department_warehouse(
        "SELECT f.source_row, f.rule FROM raw._flagged_values f WHERE f.system = ? "
        "AND f.column_name = 'decision_date'",
        [SYSTEM],
    )
    assert rows and all("decision_not_before_receipt" in rule for _, rule in rows)
    (wrong,) = department_warehouse(
        "SELECT count(*) FROM core.fct_foi_requests WHERE decision_date < received_date"
    )[0]
    assert wrong == 0
    # a decision date blanked by the row rule: the request is closed, and says why
    flagged = department_warehouse(
        "SELECT is_open, has_invalid_decision_date, disposition FROM core.fct_foi_requests "
        "WHERE decision_date IS NULL AND disposition IS NOT NULL"
    )
    assert flagged and all(not is_open and invalid for is_open, invalid, _ in flagged)
    (open_without_flag,) = department_warehouse(
        "SELECT count(*) FROM core.fct_foi_requests WHERE is_open AND "
        "(disposition IS NOT NULL OR decision_date IS NOT NULL OR has_invalid_decision_date)"
    )[0]
    assert open_without_flag == 0


def test_typed_codes_outside_the_lists_are_staged_as_unknown(department_warehouse):
    (warehouse,) = department_warehouse(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    )[0]
    staged = run_with_planted_row(
        warehouse,
        "staging/foi_requests/stg_foi_requests__requests.sql",
        ["raw.foi_requests_requests"],
        "UPDATE raw.foi_requests_requests SET request_type = 'Genral Records', "
        "disposition = 'Partly disclosed' WHERE request_number = "
        "(SELECT min(request_number) FROM raw.foi_requests_requests "
        "WHERE disposition IS NOT NULL)",
    )
    pairs = {(row["request_type"], row["disposition"]) for row in staged}
    assert ("Unknown", "Unknown") in pairs
    assert not {"Genral Records", "Partly disclosed"} & {v for pair in pairs for v in pair}
    assert None in {disposition for _, disposition in pairs}  # open requests stay empty


def test_one_row_per_request_and_the_deadline_by_hand(department_warehouse):
    (raw_rows, raw_keys, facts, fact_keys) = department_warehouse(
        "SELECT count(*), count(DISTINCT request_number), "
        "(SELECT count(*) FROM core.fct_foi_requests), "
        "(SELECT count(DISTINCT request_number) FROM core.fct_foi_requests) "
        "FROM raw.foi_requests_requests"
    )[0]
    assert raw_rows > raw_keys == facts == fact_keys  # a request pasted twice counts once
    rows = department_warehouse(
        "SELECT r.received_date, r.decision_date, r.extension_days, r.third_party_notice, "
        "f.days_to_respond, f.deadline_days, f.is_within_deadline "
        "FROM core.fct_foi_requests f JOIN (SELECT DISTINCT request_number, received_date, "
        "decision_date, extension_days, third_party_notice FROM raw.foi_requests_requests) r "
        "USING (request_number)"
    )
    for received, decided, extension, notice, days, deadline, within in rows:
        # MFIPPA s.19: 30 days; s.20: plus the extension; s.21 notice: plus 30
        assert deadline == 30 + (extension or 0) + (30 if notice else 0)
        if decided is None:
            assert days is None and within is None
        else:
            assert days == (decided - received).days and within == (days <= deadline)


def test_the_kpi_recomputed_by_hand(department_warehouse):
    facts = department_warehouse(
        "SELECT date_trunc('month', received_date)::DATE, request_type, decision_date, "
        "is_within_deadline FROM core.fct_foi_requests"
    )
    kpi = department_warehouse(
        "SELECT month, request_type, requests_received, requests_decided, "
        "decided_within_deadline, share_within_deadline FROM kpi.kpi_foi_response_times"
    )
    assert sum(r[2] for r in kpi) == len(facts)
    for month, kind, received, decided, within, share in kpi[:6]:
        mine = [f for f in facts if f[0] == month and f[1] == kind]
        done = [f for f in mine if f[2] is not None]
        assert received == len(mine) and decided == len(done)
        assert within == sum(1 for f in done if f[3])
        assert share == (within / decided if decided else None)


def test_no_personal_value_is_published_and_the_gates_passed(department_warehouse):
    (columns,) = department_warehouse(
        "SELECT list(column_name) FROM information_schema.columns "
        "WHERE table_schema = 'open_data' AND table_name = 'pub_foi_requests'"
    )[0]
    assert not {"requester_name", "request_summary", "responsible_department"} & set(columns)
    (leaks,) = department_warehouse("""
        SELECT count(*) FROM open_data.pub_foi_requests p, raw.foi_requests_requests r
        WHERE contains(lower(concat_ws('|', p.request_number, p.request_type,
            p.requester_type, p.disposition)), lower(r.requester_name))""")[0]
    assert leaks == 0
    (path,) = department_warehouse("SELECT path FROM duckdb_databases() WHERE NOT internal")[0]
    report = json.loads((Path(path).parent / "gate_reports" / f"{SYSTEM}.json").read_text())
    assert report["privacy_gate"]["passed"] and report["quality_gate"]["passed"], report
