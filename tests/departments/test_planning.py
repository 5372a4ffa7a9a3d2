"""Planning: the development-applications status history through the contract, the
models and the published dataset, in the session's sample-city warehouse."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from sample_data import planning

from .conftest import SCALE

SEED = 7  # the fixture's
TIMELINE_DAYS = {
    "Zoning By-law Amendment": 90,
    "Official Plan Amendment": 120,
    "Plan of Subdivision": 120,
    "Site Plan": 60,
    "Consent": 90,
    "Minor Variance": 30,
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> dict[str, int]:
    """The rows the generator wrote into each file for the fixture's seed and scale."""
    folder = tmp_path_factory.mktemp("planning")
    return {p.name: rows for p, rows in planning.write_extracts(folder, SCALE, SEED)}


def test_every_row_read_is_loaded_quarantined_or_dropped(department_warehouse, generated):
    files = department_warehouse(
        "SELECT file_name, rows_read, rows_loaded, rows_quarantined, rows_dropped, encoding "
        "FROM raw._ingest_files WHERE system = 'planning' AND status = 'loaded'"
    )
    assert {f[0] for f in files} == set(generated)
    for name, read, loaded, quarantined, dropped, encoding in files:
        assert read == generated[name] == loaded + quarantined + dropped, name
        assert encoding == "utf-8"
        # the 2024 report's END OF REPORT trailer is the one row dropped
        assert dropped == (1 if name.endswith("2024.csv") else 0), name


def test_both_vintages_load_under_the_contract_names(department_warehouse):
    # the 2024 headers (Folder Number, In Date, Status Dt...) are aliases: no column is
    # empty in either file, and the old dates (14-MAR-2024) parsed
    rows = department_warehouse(
        "SELECT _source_file, count(*), count(application_number), count(date_received), "
        "count(status_date), count(application_type) "
        "FROM raw.planning_application_status_history GROUP BY ALL"
    )
    assert len(rows) == 2
    for name, total, *filled in rows:
        assert filled == [total] * 4, name


def test_status_spellings_mapped_and_separators_stripped(department_warehouse):
    statuses = {
        row[0]
        for row in department_warehouse(
            "SELECT DISTINCT status FROM raw.planning_application_status_history"
        )
    }
    assert statuses == set(planning.STAGES)  # RECD, Circ, W/D, 'Received;'... all mapped
    flagged = department_warehouse(
        "SELECT count(*) FROM raw._flagged_values WHERE system = 'planning' "
        "AND column_name = 'status'"
    )[0][0]
    assert flagged == 0


def test_null_sentinel_ward_and_ward_numbers(department_warehouse):
    blank, total = department_warehouse(
        "SELECT count(*) FILTER (WHERE ward IS NULL), count(*) "
        "FROM raw.planning_application_status_history "
        "WHERE _source_file LIKE '%2024.csv'"
    )[0]
    assert 0 < blank < total * 0.05  # '-' loaded as empty
    wards = department_warehouse(
        "SELECT min(ward_number), max(ward_number), count(*) - count(ward_number) "
        "FROM core.fct_development_applications"
    )[0]
    assert wards[0] >= 1 and wards[1] <= 15


def test_re_sent_and_repeated_status_rows_count_once(department_warehouse):
    raw, distinct, staged = department_warehouse(
        "SELECT (SELECT count(*) FROM raw.planning_application_status_history), "
        "(SELECT count(DISTINCT (application_number, status, status_date)) "
        " FROM raw.planning_application_status_history), "
        "(SELECT count(*) FROM staging.stg_planning__application_status_changes)"
    )[0]
    assert raw > distinct == staged
    kinds = dict(
        department_warehouse(
            "SELECT kind, count(*) FROM raw._key_conflicts WHERE system = 'planning' GROUP BY ALL"
        )
    )
    # repeats within a file; and the 2025 export's overlap with 2024 in its new spelling
    # ("3" for "Ward 03")
    assert kinds.get("in file", 0) > 0 and kinds.get("across files", 0) > 0


def test_status_dated_before_received_is_flagged_and_kept(department_warehouse):
    flagged = department_warehouse(
        "SELECT count(*) FROM raw._flagged_values WHERE system = 'planning' "
        "AND rule LIKE 'row: status_not_before_received%'"
    )[0][0]
    loaded = department_warehouse(
        "SELECT count(*) FROM raw.planning_application_status_history "
        "WHERE status_date < date_received"
    )[0][0]
    staged = department_warehouse(
        "SELECT count(*) FROM staging.stg_planning__application_status_changes "
        "WHERE is_dated_before_received"
    )[0][0]
    assert flagged == loaded > 0
    assert 0 < staged <= loaded  # a re-sent flagged row counts once in staging


def test_the_fact_has_one_row_per_application(department_warehouse):
    facts, keys, staged = department_warehouse(
        "SELECT count(*), count(DISTINCT application_number), "
        "(SELECT count(DISTINCT application_number) "
        " FROM staging.stg_planning__application_status_changes) "
        "FROM core.fct_development_applications"
    )[0]
    assert facts == keys == staged > 0


def _by_hand(rows: list[tuple], as_of: dt.date) -> dict[str, object]:
    """One application's decision and timeline, from its status rows."""
    kind, received = rows[0][1], rows[0][2]
    dates: dict[str, dt.date] = {}
    for _, _, _, status, day in rows:
        dates[status] = min(day, dates.get(status, day))
    days = TIMELINE_DAYS[kind]
    if kind == "Minor Variance":
        milestone = dates.get("Public Meeting")
    else:
        milestone = min((dates[s] for s in ("Approved", "Refused") if s in dates), default=None)
    if "Appealed to OLT" in dates:
        decision = "Appealed"
    else:
        decision = next((s for s in ("Withdrawn", "Refused", "Approved") if s in dates), "Pending")
    if milestone is not None and milestone >= received:
        within = (milestone - received).days <= days
    elif milestone is not None or decision == "Withdrawn":
        within = None
    else:
        within = False if (as_of - received).days > days else None
    return {"decision": decision, "legislated_days": days, "within": within}


def test_decision_and_timeline_computed_by_hand(department_warehouse):
    as_of = department_warehouse(
        "SELECT max(status_date) FROM staging.stg_planning__application_status_changes"
    )[0][0]
    # a few applications of each kind of outcome
    sample = department_warehouse(
        "SELECT application_number, decision, legislated_days, within_legislated_timeline "
        "FROM core.fct_development_applications "
        "QUALIFY row_number() OVER (PARTITION BY decision, application_type, "
        "within_legislated_timeline ORDER BY application_number) <= 2"
    )
    assert {row[1] for row in sample} >= {"Approved", "Appealed", "Withdrawn", "Pending"}
    assert {row[3] for row in sample} == {True, False, None}
    for number, decision, legislated, within in sample:
        rows = department_warehouse(
            "SELECT application_number, application_type, received_date, status, status_date "
            "FROM staging.stg_planning__application_status_changes "
            "WHERE application_number = ? ORDER BY status_date",
            [number],
        )
        expected = _by_hand(rows, as_of)
        assert (decision, legislated, within) == (
            expected["decision"],
            expected["legislated_days"],
            expected["within"],
        ), number


def test_kpi_share_within_timeline_by_hand(department_warehouse):
    facts = department_warehouse(
        "SELECT application_type, year(received_date), within_legislated_timeline "
        "FROM core.fct_development_applications"
    )
    kpi = department_warehouse(
        "SELECT application_type, year(received_year), applications_received, "
        "applications_measured, applications_within_timeline, share_within_timeline "
        "FROM kpi.kpi_development_application_timelines"
    )
    assert len(kpi) == len({(f[0], f[1]) for f in facts})
    for kind, year, received, measured, within, share in kpi:
        mine = [f[2] for f in facts if f[0] == kind and f[1] == year]
        counted = [w for w in mine if w is not None]
        assert (received, measured, within) == (len(mine), len(counted), sum(counted))
        if counted:
            assert share == pytest.approx(sum(counted) / len(counted))


def test_no_personal_value_is_published(department_warehouse):
    columns = [
        row[0]
        for row in department_warehouse(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'open_data' AND table_name = 'pub_development_applications'"
        )
    ]
    assert not {"applicant_name", "planner_name", "comments", "address"} & set(columns)
    personal = {
        value
        for row in department_warehouse(
            "SELECT applicant_name, planner_name, address "
            "FROM staging.stg_planning__application_status_changes"
        )
        for value in row
        if value
    }
    published = {
        value
        for row in department_warehouse(
            "SELECT application_number, application_type, address_block, decision, "
            "legislated_milestone FROM open_data.pub_development_applications"
        )
        for value in row
        if value
    }
    assert personal and not personal & published
    phones = department_warehouse(
        "SELECT count(*) FROM open_data.pub_development_applications AS published "
        "WHERE regexp_matches(CAST(published AS VARCHAR), '555-')"
    )
    assert phones[0][0] == 0


def test_the_quality_and_privacy_gates_passed(department_warehouse):
    # the warehouse file's folder holds the gates' reports (data/gate_reports/)
    warehouse = next(row[2] for row in department_warehouse("PRAGMA database_list") if row[2])
    report = Path(warehouse).parent / "gate_reports" / "development_applications.json"
    gates = json.loads(report.read_text())
    assert gates["quality_gate"]["passed"], gates["quality_gate"]["summary"]
    assert gates["privacy_gate"]["passed"], gates["privacy_gate"]["summary"]


def test_a_status_dated_before_receipt_gives_no_stage_date(department_warehouse):
    # the contract's row rule flags it; it still counts as a status, not as a stage date
    flagged = department_warehouse(
        "SELECT s.application_number, s.status_date FROM "
        "staging.stg_planning__application_status_changes s WHERE s.is_dated_before_received"
    )
    assert flagged, "the sample city keys a few statuses before receipt"
    (early,) = department_warehouse(
        "SELECT count(*) FROM core.fct_development_applications WHERE "
        "deemed_complete_date < received_date OR first_public_meeting_date < received_date "
        "OR decision_date < received_date"
    )[0]
    assert early == 0
