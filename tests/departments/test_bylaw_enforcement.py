"""By-law Enforcement (cases and parking tickets) in the session's warehouse: every row
accounted for, each mess handled as the contracts say, the grains, the KPI, no personal
value published."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest

from dagster_project.lib.gates.results import GateResults
from sample_data import bylaw_cases, parking_tickets

from .conftest import SCALE
from .planted import run_with_planted_row


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The files the session's warehouse was built from (same seed and scale), with rows."""
    folder = tmp_path_factory.mktemp("bylaw_landing")
    return {
        path.name: rows
        for module in (bylaw_cases, parking_tickets)
        for path, rows in module.write_extracts(folder, SCALE, 7, force=True)
    }


def test_every_row_in_is_loaded_quarantined_or_dropped(department_warehouse, generated):
    files = department_warehouse(
        "SELECT file_name, status, rows_read, rows_loaded, rows_quarantined, rows_dropped "
        "FROM raw._ingest_files WHERE system IN ('bylaw_cases', 'parking_tickets')"
    )
    assert {f[0] for f in files} == set(generated)
    for name, status, read, loaded, quarantined, dropped in files:
        assert status == "loaded", name
        assert read == generated[name] == loaded + quarantined + dropped, name


def test_case_codes_wards_and_years_typed_wrong(department_warehouse):
    types = {
        r[0]
        for r in department_warehouse("SELECT DISTINCT complaint_type FROM raw.bylaw_cases_cases")
    }
    assert types == set(bylaw_cases.COMPLAINT_TYPES)  # old codes and any casing mapped
    outcomes = {
        r[0]
        for r in department_warehouse("SELECT DISTINCT outcome FROM staging.stg_bylaw_cases__cases")
    }
    assert outcomes == {*bylaw_cases.OUTCOMES, "Open"}
    wards = department_warehouse(
        "SELECT ward, ward_number FROM raw.bylaw_cases_cases JOIN staging.stg_bylaw_cases__cases "
        "USING (case_number) WHERE ward = 'Ward 3' OR ward IS NULL"
    )
    assert {(w, n) for w, n in wards} == {("Ward 3", 3), (None, None)}  # N/A is a null
    (typos,) = department_warehouse(
        "SELECT count(*) FILTER (WHERE raw_value LIKE '%2042%' OR raw_value LIKE '2204-%') "
        "FROM raw._quarantined_rows WHERE system = 'bylaw_cases' AND column_name = 'received_at'"
    )[0]
    assert typos >= 2  # at least one in each export


def test_cases_closed_before_received_are_flagged_and_not_timed(department_warehouse):
    rows = department_warehouse(
        "SELECT f.has_invalid_close_time, f.days_to_close FROM raw._flagged_values AS v "
        "JOIN raw.bylaw_cases_cases AS r ON r._source_file = v.file_name "
        "AND r._source_row = v.source_row "
        "JOIN core.fct_bylaw_cases AS f USING (case_number) "
        "WHERE v.system = 'bylaw_cases' AND v.rule LIKE '%closed_after_received%' "
        "AND f.closed_at < f.received_at"
    )
    assert rows and all(invalid and days is None for invalid, days in rows)


def test_repeated_and_carried_cases_keep_their_latest_version(department_warehouse):
    repeated, carried_open_in_2025 = department_warehouse(
        "SELECT (SELECT count(*) - count(DISTINCT case_number) FROM raw.bylaw_cases_cases), "
        "(SELECT count(*) FROM staging.stg_bylaw_cases__cases WHERE case_number LIKE 'BL-2024-%' "
        "AND _source_file = 'BylawCases_2025.csv' AND outcome = 'Open')"
    )[0]
    assert repeated > 0 and carried_open_in_2025 == 0
    # a case open in the 2024 export and closed in the 2025 one: staging has the closure
    (carried, closed) = department_warehouse(
        "SELECT count(*), count(*) FILTER (WHERE s.outcome <> 'Open') "
        "FROM raw.bylaw_cases_cases AS r JOIN staging.stg_bylaw_cases__cases AS s "
        "USING (case_number) WHERE r._source_file = 'BylawCases_2024.csv' "
        "AND r.outcome = 'Open' AND s._source_file = 'BylawCases_2025.csv'"
    )[0]
    assert carried > 0 and closed == carried


def test_the_fact_grains_are_unique(department_warehouse):
    for model, key in (
        ("fct_bylaw_cases", "case_number"),
        ("fct_parking_tickets", "ticket_number"),
    ):
        rows, keys = department_warehouse(
            f"SELECT count(*), count(DISTINCT {key}) FROM core.{model}"
        )[0]
        assert rows == keys > 0, model


def test_the_parking_trailer_is_dropped_and_its_count_holds(department_warehouse):
    trailers = department_warehouse(
        "SELECT d.file_name, d.record, f.rows_loaded + f.rows_quarantined "
        "FROM raw._dropped_rows AS d JOIN raw._ingest_files AS f USING (system, file_name) "
        "WHERE d.system = 'parking_tickets' AND d.rule = 'trailer_record'"
    )
    assert len(trailers) == 24  # one per monthly file
    for name, record, tickets in trailers:
        # the trailer's count sits where a ticket's number would be
        assert int(json.loads(record)["ticket_number"]) == tickets, name


def test_parking_fines_hours_dates_and_locations(department_warehouse):
    fines = department_warehouse(
        "SELECT DISTINCT r.set_fine_cents, s.set_fine_amount FROM raw.parking_tickets_tickets AS r "
        "JOIN staging.stg_parking_tickets__tickets AS s USING (ticket_number)"
    )
    assert fines and all(float(dollars) * 100 == cents for cents, dollars in fines)
    assert (7500, 75) in {(c, int(d)) for c, d in fines}
    blank_times, hours = department_warehouse(
        "SELECT count(*) FILTER (WHERE issue_time IS NULL AND issue_hour IS NULL), "
        "count(*) FILTER (WHERE issue_hour = try_cast(left(issue_time, 2) AS integer)) "
        "FROM staging.stg_parking_tickets__tickets"
    )[0]
    assert blank_times > 0 and hours > 0
    (zero_dates,) = department_warehouse(
        "SELECT count(*) FROM raw._quarantined_rows WHERE system = 'parking_tickets' "
        "AND column_name = 'issue_date' AND raw_value = '00000000'"
    )[0]
    assert zero_dates > 0
    blocks = dict(
        department_warehouse(
            "SELECT location, address_block FROM staging.stg_parking_tickets__tickets "
            "WHERE location IS NOT NULL"
        )
    )
    title = next(loc for loc in blocks if loc[0].isdigit())
    assert title == title.title()  # "123 MAIN ST" loaded as "123 Main St"
    number = int(title.split()[0])
    assert blocks[title] == f"{number // 100 * 100} block of {title.split(' ', 1)[1]}"
    assert all(blocks[loc] is None for loc in blocks if " & " in loc)  # intersections
    (nulls,) = department_warehouse(
        "SELECT count(*) FROM raw.parking_tickets_tickets WHERE location = 'N/A'"
    )[0]
    assert nulls == 0


def test_kpi_median_days_to_close_by_hand(department_warehouse):
    month, kind, ward, outcome, received, median = department_warehouse(
        "SELECT month, complaint_type, ward_number, outcome, cases_received, median_days_to_close "
        "FROM kpi.kpi_bylaw_case_resolution WHERE ward_number IS NOT NULL "
        "AND cases_closed_with_valid_times >= 3 ORDER BY cases_received DESC, month LIMIT 1"
    )[0]
    days = department_warehouse(
        "SELECT days_to_close FROM core.fct_bylaw_cases "
        "WHERE date_trunc('month', received_date) = ? AND complaint_type = ? "
        "AND ward_number = ? AND outcome = ?",
        [month, kind, ward, outcome],
    )
    assert len(days) == received
    assert median == statistics.median(d for (d,) in days if d is not None)


def test_no_personal_value_is_published(department_warehouse):
    columns = {
        model: [
            r[0]
            for r in department_warehouse(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = "
                "'open_data' AND table_name = ? ORDER BY ordinal_position",
                [model],
            )
        ]
        for model in ("pub_bylaw_cases", "pub_parking_tickets")
    }
    assert columns["pub_bylaw_cases"] == [
        "case_number", "complaint_type", "ward_number", "address_block", "received_date",
        "closed_date", "outcome", "days_to_close",
    ]  # fmt: skip
    assert columns["pub_parking_tickets"] == [
        "issue_date", "issue_hour", "infraction_code", "infraction_description",
        "set_fine_amount", "address_block",
    ]  # fmt: skip
    (leaks,) = department_warehouse(
        "WITH personal AS ("
        " SELECT complainant_name AS value FROM staging.stg_bylaw_cases__cases"
        " UNION SELECT complainant_phone FROM staging.stg_bylaw_cases__cases"
        " UNION SELECT address FROM staging.stg_bylaw_cases__cases"
        " UNION SELECT officer_name FROM staging.stg_bylaw_cases__cases"
        " UNION SELECT plate FROM staging.stg_parking_tickets__tickets"
        " UNION SELECT officer_badge FROM staging.stg_parking_tickets__tickets),"
        " published AS ("
        " SELECT unnest([case_number, complaint_type, address_block, outcome]) AS text"
        " FROM open_data.pub_bylaw_cases"
        " UNION ALL SELECT unnest([infraction_code, infraction_description, address_block])"
        " FROM open_data.pub_parking_tickets)"
        " SELECT count(*) FROM published JOIN personal ON contains(published.text, personal.value)"
        " WHERE length(personal.value) >= 5"
    )[0]
    assert leaks == 0
    rows = department_warehouse(
        "SELECT (SELECT count(*) FROM open_data.pub_bylaw_cases), "
        "(SELECT count(*) FROM open_data.pub_parking_tickets)"
    )[0]
    assert all(count > 0 for count in rows)


def test_an_enforcement_outcome_is_published_without_its_block(department_warehouse):
    # a warning, order or charge tied to a block and a date names a household
    rows = department_warehouse(
        "SELECT p.outcome, p.address_block, f.address_block "
        "FROM open_data.pub_bylaw_cases p JOIN core.fct_bylaw_cases f USING (case_number)"
    )
    keeps = ("Unfounded", "Withdrawn", "Open")
    enforced = [r for r in rows if r[0] not in keeps]
    assert {r[0] for r in enforced} >= {"Charge Laid", "Order Issued"}
    assert any(internal for *_, internal in enforced)
    assert all(published is None for _, published, _ in enforced)
    kept = [r for r in rows if r[0] in keeps]
    assert kept and all(published == internal for _, published, internal in kept)
    assert any(published for _, published, _ in kept)


def test_a_complaint_type_outside_the_list_is_staged_as_unknown(department_warehouse):
    (warehouse,) = department_warehouse(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    )[0]
    staged = run_with_planted_row(
        warehouse,
        "staging/bylaw_cases/stg_bylaw_cases__cases.sql",
        ["raw.bylaw_cases_cases", "reference.wards", "reference.street_types"],
        "UPDATE raw.bylaw_cases_cases SET complaint_type = 'Barking dog next door' "
        "WHERE case_number = (SELECT min(case_number) FROM raw.bylaw_cases_cases)",
    )
    types = {row["complaint_type"] for row in staged}
    assert "Unknown" in types and "Barking dog next door" not in types


def test_both_datasets_pass_their_quality_and_privacy_gates(department_warehouse):
    (warehouse,) = department_warehouse(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    )[0]
    results = GateResults(Path(warehouse).parent / "gate_reports")
    for dataset in ("bylaw_cases", "parking_tickets"):
        record = results.get(dataset)
        assert record is not None and set(record.gates) == {"quality_gate", "privacy_gate"}
        assert not record.failed_gates, [g.summary for g in record.failed_gates]
