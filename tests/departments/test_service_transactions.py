"""Every department's transactions, mapped to the city's services (issue 13):
core.fct_service_transactions on the sample city, checked against the departments' own
facts, the service inventory and a few processing times worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

# Per source system: its fact and the rows the services fact leaves out, by a named rule
# (docs/departments/services.md). Every other row of the fact is one transaction.
SYSTEMS = {
    "crm311": ("core.fct_service_requests", "status = 'Cancelled'"),  # cancelled
    "permits": ("core.fct_building_permits", "status = 'Cancelled'"),  # cancelled
    "permit_inspections": ("core.fct_building_inspections", "result = 'Cancelled'"),
    "planning": ("core.fct_development_applications", "decision = 'Withdrawn'"),
    "foi_requests": ("core.fct_foi_requests", "false"),
    # not_issued: neither issued nor a pending application (refused, withdrawn, no date)
    "business_licences": (
        "core.fct_business_licences",
        "issue_date IS NULL AND NOT (application_date IS NOT NULL AND status = 'Pending')",
    ),
    "recreation_registrations": ("core.fct_recreation_registrations", "false"),
    # payment_of_other_service: counted in the service's own system
    "payments": (
        "core.fct_payments",
        "service IN ('Recreation registration', 'Business licence', 'Building permit fee')",
    ),
    # unpaid_instalment: no payment, or its date emptied by the contract's row rule
    "tax_instalments": ("core.fct_tax_instalments", "NOT has_payment OR paid_date IS NULL"),
    "bylaw_cases": ("core.fct_bylaw_cases", "false"),
    "burn_permits": ("core.fct_burn_permits", "false"),
    # not_requested: routine, licensing and re-inspections are the city's own programme
    "fire_inspections": (
        "core.fct_fire_inspections",
        "inspection_type NOT IN ('Request', 'Complaint')",
    ),
}

FACT = "core.fct_service_transactions"


@pytest.fixture(scope="module")
def query(department_warehouse):
    return department_warehouse


def test_every_service_with_a_system_has_transactions(query):
    missing = query(
        f"SELECT service_id FROM reference.services s WHERE source_system IS NOT NULL "
        f"AND NOT EXISTS (SELECT 1 FROM {FACT} t WHERE t.service_id = s.service_id)"
    )
    assert missing == []
    # the job applications have none (the ATS export carries postings only)
    assert query(f"SELECT count(*) FROM {FACT} WHERE service_id = 'city-job-application'") == [(0,)]


@pytest.mark.parametrize("system", sorted(SYSTEMS))
def test_rows_per_system_are_the_facts_rows_minus_the_named_exclusions(query, system):
    fact, excluded = SYSTEMS[system]
    [(expected, left_out)] = query(
        f"SELECT count(*) - count(*) FILTER (WHERE {excluded}), "
        f"count(*) FILTER (WHERE {excluded}) FROM {fact}"
    )
    [(actual,)] = query(f"SELECT count(*) FROM {FACT} WHERE source_system = ?", [system])
    assert actual == expected > 0, (system, left_out)


def test_snow_clearing_is_one_transaction_per_storm_and_road_class(query):
    [(actual,)] = query(f"SELECT count(*) FROM {FACT} WHERE source_system = 'snow_plow'")
    [(expected,)] = query("SELECT count(*) FROM kpi.kpi_snow_clearing_times")
    assert actual == expected > 0
    # each class carries its own O. Reg. 239/02 hours as days; class 6 has none; the hours
    # to clear agree with the operations KPI
    rows = query(
        f"SELECT k.road_class, t.legislated_days, t.processing_days * 24, k.hours_to_clear "
        f"FROM {FACT} t JOIN kpi.kpi_snow_clearing_times k ON t.transaction_id = "
        "'snow_plow:' || k.storm_number || '|class-' || CAST(k.road_class AS VARCHAR)"
    )
    assert len(rows) == expected
    hours = {1: 4, 2: 6, 3: 12, 4: 16, 5: 24, 6: None}
    for road_class, legislated_days, processing_hours, hours_to_clear in rows:
        want = hours[road_class]
        assert legislated_days == (None if want is None else pytest.approx(want / 24))
        assert (processing_hours is None) == (hours_to_clear is None)
        if hours_to_clear is not None:
            assert processing_hours == pytest.approx(float(hours_to_clear))


def test_a_request_closed_before_it_was_created_has_no_processing_time(query):
    rows = query(
        f"SELECT t.processing_days, t.has_invalid_dates, t.is_within_standard, "
        f"t.is_within_legislated FROM {FACT} t JOIN core.fct_service_requests r "
        "ON t.transaction_id = 'crm311:' || r.request_id WHERE r.has_invalid_close_time"
    )
    assert rows, "the sample 311 extract has closed-before-created requests"
    assert set(rows) == {(None, True, None, None)}
    # and the flag is set nowhere else
    [(others,)] = query(
        f"SELECT count(*) FROM {FACT} WHERE has_invalid_dates AND completed_at >= started_at"
    )
    assert others == 0


def test_an_open_request_has_no_completion_and_no_processing_time(query):
    rows = query(
        f"SELECT t.completed_at, t.processing_days, t.has_invalid_dates, t.is_within_standard "
        f"FROM {FACT} t JOIN core.fct_service_requests r "
        "ON t.transaction_id = 'crm311:' || r.request_id WHERE r.status IN ('Open', 'In Progress')"
    )
    assert rows
    assert set(rows) == {(None, None, False, None)}


def test_foi_legislated_days_are_each_requests_own_deadline(query):
    rows = query(
        f"SELECT t.legislated_days, f.deadline_days, t.is_within_legislated, "
        f"f.is_within_deadline FROM {FACT} t JOIN core.fct_foi_requests f "
        "ON t.transaction_id = 'foi_requests:' || f.request_number"
    )
    assert rows
    assert any(deadline > 30 for _, deadline, _, _ in rows), "some requests were extended"
    for legislated, deadline, within, fact_within in rows:
        assert legislated == deadline
        assert within == fact_within


def test_building_inspection_processing_days_by_hand(query):
    rows = query(
        f"SELECT i.requested_date, i.inspection_date, t.processing_days, t.standard_days, "
        f"t.is_within_standard, t.legislated_days FROM {FACT} t "
        "JOIN core.fct_building_inspections i "
        "ON t.transaction_id = 'permit_inspections:' || i.inspection_id "
        "WHERE i.inspection_date >= i.requested_date ORDER BY i.inspection_id LIMIT 5"
    )
    assert len(rows) == 5
    for requested, inspected, days, standard, within, legislated in rows:
        assert isinstance(requested, date)
        by_hand = (inspected - requested).days
        assert days == by_hand
        assert standard == legislated == 2  # Building Code Div. C 1.3.5.3
        assert within == (by_hand <= 2)


def test_a_licence_is_timed_from_its_application_where_the_new_system_recorded_it(query):
    rows = query(
        f"SELECT l.application_date, l.issue_date, t.month, t.completed_at IS NOT NULL, "
        f"t.processing_days, t.is_within_standard FROM {FACT} t "
        "JOIN core.fct_business_licences l "
        "ON t.transaction_id = 'business_licences:' || l.licence_number"
    )
    timed = [r for r in rows if r[0] is not None and r[1] is not None]
    pending = [r for r in rows if r[1] is None]
    old_system_only = [r for r in rows if r[0] is None]
    # a licence revoked early in 2024 left the system before 2025: only the old one knew it
    assert timed and old_system_only
    for applied, issued, month, _, days, within in timed:
        assert month == applied.replace(day=1)
        assert days == (issued - applied).days
        assert within == (days <= 15)  # services.yml: issued within 15 days
    for _, _, _, completed, days, within in pending:  # received, not yet issued: open
        assert (completed, days, within) == (False, None, None)
    for _, issued, month, _, days, within in old_system_only:  # counted when issued
        assert (month, days, within) == (issued.replace(day=1), None, None)


def test_a_requested_fire_inspection_is_timed_from_the_request_since_the_rms_upgrade(query):
    rows = query(
        f"SELECT i.requested_date, i.inspection_date, t.month, t.processing_days, "
        f"t.is_within_standard FROM {FACT} t JOIN core.fct_fire_inspections i "
        "ON t.transaction_id = 'fire_inspections:' || i.inspection_number"
    )
    timed = [r for r in rows if r[0] is not None]
    untimed = [r for r in rows if r[0] is None]
    assert timed and untimed
    # (a late-2024 inspection re-sent in a 2025 file has its request date too)
    for requested, inspected, month, days, within in timed:
        assert month == requested.replace(day=1)
        assert days == (inspected - requested).days
        assert within == (days <= 14)  # services.yml: inspected within 14 days
    for _, inspected, month, days, within in untimed:  # 2024: the inspection date alone
        assert (month, days, within) == (inspected.replace(day=1), None, None)


def test_a_burn_permit_is_timed_from_its_application_since_the_rms_upgrade(query):
    rows = query(
        f"SELECT p.application_date, p.issued_date, t.month, t.processing_days, "
        f"t.is_within_standard, t.has_invalid_dates FROM {FACT} t "
        "JOIN open_data.pub_open_air_burn_permits p "
        "ON t.transaction_id = 'burn_permits:' || p.permit_number"
    )
    timed = [r for r in rows if r[0] is not None and r[0] <= r[1]]
    slipped = [r for r in rows if r[0] is not None and r[0] > r[1]]
    untimed = [r for r in rows if r[0] is None]
    assert timed and slipped and untimed
    assert {r[1].year for r in untimed} == {2024} and {r[1].year for r in timed} == {2025}
    for applied, issued, month, days, within, invalid in timed:
        assert month == applied.replace(day=1) and not invalid
        assert days == (issued - applied).days
        assert within == (days <= 5)  # services.yml: issued within 5 days
    for applied, _, month, days, within, invalid in slipped:  # applied after the issue
        assert (month, days, within, invalid) == (applied.replace(day=1), None, None, True)
    for _, issued, month, days, within, invalid in untimed:  # 2024: the issue date alone
        assert (month, days, within, invalid) == (issued.replace(day=1), None, None, False)


def test_the_published_licences_and_inspections_carry_the_dates_they_are_timed_from(query):
    """A resident can redo the scorecard's processing times from the open datasets."""
    licences = query(
        f"SELECT p.application_date, p.issue_date, t.processing_days FROM {FACT} t "
        "JOIN open_data.pub_business_licences p "
        "ON t.transaction_id = 'business_licences:' || p.licence_number"
    )
    inspections = query(
        f"SELECT p.requested_date, p.inspection_date, t.processing_days FROM {FACT} t "
        "JOIN open_data.pub_fire_inspections p "
        "ON t.transaction_id = 'fire_inspections:' || p.inspection_number"
    )
    for rows in (licences, inspections):
        timed = [(s, end, days) for s, end, days in rows if s is not None and days is not None]
        assert timed and len(timed) < len(rows)  # the old systems' rows have one date
        assert all(days == (end - start).days for start, end, days in timed)
    # withheld where it would point to a household or a person: timed all the same
    withheld = query(
        f"SELECT count(*) FROM {FACT} t JOIN open_data.pub_fire_inspections p "
        "ON t.transaction_id = 'fire_inspections:' || p.inspection_number "
        "WHERE t.processing_days IS NOT NULL AND p.requested_date IS NULL "
        "AND p.occupancy_group IN ('Residential', 'Care')"
    )[0][0]
    named = query(
        "SELECT count(*) FILTER (WHERE application_date IS NOT NULL) "
        "FROM open_data.pub_business_licences WHERE is_name_withheld"
    )[0][0]
    assert withheld > 0 and named == 0


def test_payments_carry_their_channel_and_no_processing_time(query):
    rows = query(
        f"SELECT channel_code, bool_or(is_online), bool_and(is_online), count(processing_days) "
        f"FROM {FACT} WHERE source_system IN ('payments', 'tax_instalments') GROUP BY 1"
    )
    by_channel = {code: (any_on, all_on, timed) for code, any_on, all_on, timed in rows}
    assert by_channel["online"][:2] == (True, True)
    assert by_channel["walk_in"][:2] == (False, False)
    assert all(timed == 0 for _, _, timed in by_channel.values())
    assert None not in by_channel  # every payment system records a channel


def test_web_pages_map_to_services(query):
    rows = query("SELECT page_path, service_id FROM core.dim_online_service_pages")
    pages = dict(rows)
    assert pages["/services/foi-request"] == "foi-request"
    assert pages["/services/report-pothole"] == "311-roads"
    # the fee page is shared by the four building permit classes: no single service
    assert [p for p, s in rows if s is None] == ["/services/pay-building-permit-fee"]
    [(register,)] = query("SELECT count(*) FROM core.dim_online_services")
    assert len(rows) == register
