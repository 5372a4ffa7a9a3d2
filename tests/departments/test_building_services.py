"""Building Services' inspections (permits system's inspections report) in the warehouse:
the report's mess handled as its contract says, the fact's grain, the KPIs by hand, and
nothing personal or confidential in what is published."""

from __future__ import annotations

import statistics

SYSTEM = "permit_inspections"


def test_every_row_of_the_report_is_accounted_for(department_warehouse):
    files = department_warehouse(
        "SELECT rows_read, rows_loaded, rows_quarantined, rows_dropped FROM raw._ingest_files "
        "WHERE system = ? AND status = 'loaded'",
        [SYSTEM],
    )
    assert len(files) == 1
    read, loaded, quarantined, dropped = files[0]
    assert read == loaded + quarantined + dropped
    assert dropped == 1  # the total row
    (raw_rows,) = department_warehouse("SELECT count(*) FROM raw.permit_inspections_inspections")[0]
    assert raw_rows == loaded
    # the only rows held back are visit dates keyed with a wrong year (2205): out of range
    reasons = department_warehouse(
        "SELECT DISTINCT column_name, starts_with(rule, 'range:'), raw_value > '2100' "
        "FROM raw._quarantined_rows WHERE system = ?",
        [SYSTEM],
    )
    assert quarantined > 0 and reasons == [("inspection_date", True, True)]


def test_result_codes_in_any_case_are_mapped_and_na_is_empty(department_warehouse):
    results = {
        r[0]
        for r in department_warehouse(
            "SELECT DISTINCT result FROM raw.permit_inspections_inspections"
        )
    }
    assert results == {"Passed", "Failed", "Partial", "Cancelled"}
    # a cancelled request's "N/A" (or blank) visit date is loaded empty
    assert department_warehouse(
        "SELECT count(*) FROM raw.permit_inspections_inspections "
        "WHERE result = 'Cancelled' AND inspection_date IS NOT NULL"
    ) == [(0,)]


def test_rows_printed_twice_count_once(department_warehouse):
    repeats = department_warehouse(
        "SELECT count(*) FROM raw._key_conflicts WHERE system = ? AND kind = 'in file'", [SYSTEM]
    )[0][0]
    assert repeats > 0
    raw_keys, staged, fact, fact_keys = department_warehouse(
        "SELECT (SELECT count(DISTINCT inspection_id) FROM raw.permit_inspections_inspections),"
        " (SELECT count(*) FROM staging.stg_permit_inspections__inspections),"
        " (SELECT count(*) FROM core.fct_building_inspections),"
        " (SELECT count(DISTINCT inspection_id) FROM core.fct_building_inspections)"
    )[0]
    assert raw_keys == staged == fact == fact_keys


def test_inspections_follow_their_permits_issue(department_warehouse):
    rows = department_warehouse(
        "SELECT count(*), count(permit_issue_date), "
        "count(*) FILTER (WHERE requested_date <= permit_issue_date) "
        "FROM core.fct_building_inspections"
    )
    total, with_issue, before_issue = rows[0]
    assert total > 0 and with_issue == total and before_issue == 0


def test_performance_kpi_by_hand(department_warehouse):
    month, kind = department_warehouse(
        "SELECT month, inspection_type FROM open_data.pub_building_inspection_performance "
        "ORDER BY inspections DESC, month, inspection_type LIMIT 1"
    )[0]
    visits = department_warehouse(
        "SELECT result, days_request_to_inspection, is_within_two_days "
        "FROM open_data.pub_building_inspections WHERE result IN ('Passed', 'Failed', 'Partial') "
        "AND date_trunc('month', inspection_date) = ? AND inspection_type = ?",
        [month, kind],
    )
    published = department_warehouse(
        "SELECT inspections, inspections_passed, pass_rate, median_days_request_to_inspection, "
        "share_within_two_days FROM open_data.pub_building_inspection_performance "
        "WHERE month = ? AND inspection_type = ?",
        [month, kind],
    )[0]
    passed = sum(1 for v in visits if v[0] == "Passed")
    within = sum(1 for v in visits if v[1] <= 2)
    assert published[0] == len(visits) and published[1] == passed
    assert published[2] == round(passed / len(visits), 4)
    assert published[3] == statistics.median(v[1] for v in visits)
    assert published[4] == round(within / len(visits), 4)
    assert all(v[2] == (v[1] <= 2) for v in visits)


def test_days_to_first_inspection_by_hand(department_warehouse):
    month, issued, inspected, median_days = department_warehouse(
        "SELECT issue_month, permits_issued, permits_inspected, median_days_to_first_inspection "
        "FROM kpi.kpi_building_first_inspection ORDER BY issue_month LIMIT 1"
    )[0]
    firsts = department_warehouse(
        "SELECT p.permit_number, min(i.inspection_date - p.issue_date) "
        "FROM core.fct_building_permits p LEFT JOIN core.fct_building_inspections i "
        "ON i.permit_number = p.permit_number AND i.is_completed "
        "WHERE date_trunc('month', p.issue_date) = ? GROUP BY 1",
        [month],
    )
    days = [d for _, d in firsts if d is not None]
    assert (issued, inspected) == (len(firsts), len(days))
    assert median_days == statistics.median(days)


def test_no_inspector_or_note_reaches_the_portal(department_warehouse):
    columns = {
        r[0]
        for r in department_warehouse(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'open_data' AND table_name LIKE 'pub_building_inspection%'"
        )
    }
    assert not columns & {"inspector", "inspector_name", "notes"}
    leaked = department_warehouse(
        "WITH staff AS (SELECT DISTINCT inspector AS v FROM raw.permit_inspections_inspections "
        "UNION SELECT DISTINCT notes FROM raw.permit_inspections_inspections) "
        "SELECT count(*) FROM open_data.pub_building_inspections p, staff "
        "WHERE staff.v IN (p.inspection_id, p.permit_number, p.inspection_type, p.result)"
    )
    assert leaked == [(0,)]
