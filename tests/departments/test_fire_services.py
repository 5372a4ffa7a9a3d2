"""Fire Services (fire records system: inspections and open-air burn permits) in the
session's warehouse: every row of its files accounted for, each mess handled as the
contracts say, the facts' grain, the KPI by hand, and no personal value published."""

from __future__ import annotations

from pathlib import Path

import pytest

from dagster_project.lib.gates.results import GateResults
from sample_data import burn_permits, fire_inspections

from .conftest import SCALE

SYSTEMS = {"fire_inspections": fire_inspections, "burn_permits": burn_permits}


@pytest.mark.parametrize("system", list(SYSTEMS))
def test_every_row_of_every_file_is_accounted_for(department_warehouse, tmp_path, system):
    # the fixture's files, written again: the generator is deterministic (seed 7)
    lines = {path.name: rows for path, rows in SYSTEMS[system].write_extracts(tmp_path, SCALE, 7)}
    files = department_warehouse(
        "SELECT file_name, status, encoding, rows_read, rows_loaded, rows_quarantined, "
        "rows_dropped FROM raw._ingest_files WHERE system = ?",
        [system],
    )
    assert {f[0] for f in files} == set(lines)
    for name, status, encoding, read, loaded, quarantined, dropped in files:
        assert (status, encoding) == ("loaded", "cp1252"), name
        assert read == lines[name] == loaded + quarantined + dropped, name
        assert dropped == 1, name  # the TOTAL line, and nothing else


def test_inspection_mess_handled_as_the_contract_says(department_warehouse):
    q = department_warehouse
    # codes and casing mapped at ingest: nothing outside the lists, no trailing ';'
    assert q(
        "SELECT count(*) FROM raw._flagged_values WHERE system = 'fire_inspections' "
        "AND rule LIKE 'value%'"
    ) == [(0,)]
    groups = {
        g for (g,) in q("SELECT DISTINCT occupancy_group FROM raw.fire_inspections_inspections")
    }
    assert groups == {"Assembly", "Care", "Residential", "Business", "Mercantile", "Industrial"}
    results = {r for (r,) in q("SELECT DISTINCT result FROM raw.fire_inspections_inspections")}
    assert results == {"Compliant", "Violations Found", "Order Issued", "Closed - No Access"}
    # null sentinels loaded empty; accents and curly apostrophes decoded from cp1252
    (sentinels, no_access, apostrophes, accents) = q(
        "SELECT count(*) FILTER (WHERE contact_phone IN ('N/A', '-')), "
        "count(*) FILTER (WHERE result = 'Closed - No Access' AND violation_count IS NULL), "
        "count(*) FILTER (WHERE occupant_name LIKE '%’%'), "
        "count(*) FILTER (WHERE regexp_matches(occupant_name, '[éèçô]')) "
        "FROM raw.fire_inspections_inspections"
    )[0]
    assert sentinels == 0 and no_access > 0 and apostrophes > 0 and accents > 0
    # a year typed 2204 is quarantined; a re-inspection before the inspection is flagged
    assert q(
        "SELECT count(*) > 0, bool_and(raw_value LIKE '%220%') FROM raw._quarantined_rows "
        "WHERE system = 'fire_inspections' AND column_name = 'inspection_date'"
    ) == [(True, True)]
    (flagged,) = q(
        "SELECT count(*) FROM raw._flagged_values WHERE system = 'fire_inspections' "
        "AND rule LIKE '%reinspection_not_before_inspection%'"
    )[0]
    (early,) = q(
        "SELECT count(*) FROM raw.fire_inspections_inspections "
        "WHERE next_reinspection_date < inspection_date"
    )[0]
    assert flagged == early > 0
    assert q(
        "SELECT count(*) FROM core.fct_fire_inspections "
        "WHERE next_reinspection_date < inspection_date AND days_to_reinspection IS NOT NULL"
    ) == [(0,)]
    # repeated keys (a row exported twice, re-sent next quarter): staging keeps the latest
    kinds = {
        k
        for (k,) in q(
            "SELECT DISTINCT kind FROM raw._key_conflicts WHERE system = 'fire_inspections'"
        )
    }
    assert kinds == {"in file", "across files"}
    resent = q(
        "SELECT s.inspection_number, s._source_file, max(r._source_file) "
        "FROM staging.stg_fire_inspections__inspections AS s "
        "JOIN raw.fire_inspections_inspections AS r USING (inspection_number) "
        "GROUP BY ALL HAVING count(DISTINCT r._source_file) > 1"
    )
    assert resent and all(kept == latest for _, kept, latest in resent)


def test_burn_permit_mess_handled_as_the_contract_says(department_warehouse):
    q = department_warehouse
    kinds = {k for (k,) in q("SELECT DISTINCT burn_type FROM raw.burn_permits_permits")}
    assert kinds == {"Campfire", "Brush Pile", "Agricultural", "Special Event"}
    statuses = {s for (s,) in q("SELECT DISTINCT status FROM raw.burn_permits_permits")}
    assert statuses == {"Active", "Expired", "Revoked"}
    # an end before the start: loaded empty, the original listed (row rule, action null)
    nulled = q(
        "SELECT f.raw_value, r.valid_to FROM raw._flagged_values AS f "
        "JOIN raw.burn_permits_permits AS r "
        "ON r._source_file = f.file_name AND r._source_row = f.source_row "
        "WHERE f.system = 'burn_permits' AND f.rule LIKE '%valid_to_not_before_valid_from%'"
    )
    assert nulled and all(raw_value and valid_to is None for raw_value, valid_to in nulled)
    # an application dated after the issue: listed, the permit loaded as it is (flag)
    late = q(
        "SELECT r.application_date, r.issued_date FROM raw._flagged_values AS f "
        "JOIN raw.burn_permits_permits AS r "
        "ON r._source_file = f.file_name AND r._source_row = f.source_row "
        "WHERE f.system = 'burn_permits' AND f.rule LIKE '%issued_not_before_application%'"
    )
    assert late and all(applied > issued for applied, issued in late)
    # a free campfire permit's empty fee ("N/A", "-") is a fee of 0 in staging
    (empty_raw, empty_staged, charged) = q(
        "SELECT (SELECT count(*) FROM raw.burn_permits_permits "
        "        WHERE burn_type = 'Campfire' AND permit_fee IS NULL), "
        "count(*) FILTER (WHERE permit_fee IS NULL), "
        "count(*) FILTER (WHERE burn_type = 'Campfire' AND permit_fee <> 0) "
        "FROM staging.stg_burn_permits__burn_permits"
    )[0]
    assert empty_raw > 0 and empty_staged == 0 and charged == 0
    # "Apr 05, 2024" (old vintage) and ISO dates both read; the spring and fall peaks
    (rows, spring_fall) = q(
        "SELECT count(*), count(*) FILTER (WHERE month(issued_date) IN (4, 5, 10, 11)) "
        "FROM core.fct_burn_permits"
    )[0]
    assert spring_fall > rows / 2
    assert q("SELECT count(DISTINCT year(issued_date)) FROM core.fct_burn_permits") == [(2,)]


@pytest.mark.parametrize(
    "model, key",
    [
        ("core.fct_fire_inspections", "inspection_number"),
        ("core.fct_burn_permits", "permit_number"),
        ("open_data.pub_fire_inspections", "inspection_number"),
        ("open_data.pub_open_air_burn_permits", "permit_number"),
    ],
)
def test_grain_is_one_row_per_key(department_warehouse, model, key):
    rows, keys = department_warehouse(f"SELECT count(*), count(DISTINCT {key}) FROM {model}")[0]
    assert rows == keys > 0


def test_days_to_reinspection_and_the_kpi_by_hand(department_warehouse):
    q = department_warehouse
    for date, booked, days in q(
        "SELECT inspection_date, next_reinspection_date, days_to_reinspection "
        "FROM core.fct_fire_inspections WHERE next_reinspection_date IS NOT NULL "
        "ORDER BY inspection_number LIMIT 20"
    ):
        assert days == ((booked - date).days if booked >= date else None)
    # inspections per month by result: March 2025, counted from the fact row by row
    facts = q(
        "SELECT result, violation_count FROM core.fct_fire_inspections "
        "WHERE inspection_date >= DATE '2025-03-01' AND inspection_date < DATE '2025-04-01'"
    )
    kpi = {
        result: (inspections, violations, suppressed)
        for result, inspections, violations, suppressed in q(
            "SELECT result, inspections, violations_found, is_suppressed "
            "FROM open_data.pub_fire_inspections_by_month WHERE month = DATE '2025-03-01'"
        )
    }
    assert set(kpi) == {r for r, _ in facts}
    for result, (inspections, violations, suppressed) in kpi.items():
        count = sum(1 for r, _ in facts if r == result)
        found = sum(v or 0 for r, v in facts if r == result)
        if count < 5:
            assert (inspections, violations, suppressed) == (None, None, True)
        else:  # published as counted, or suppressed as a complement of a small cell
            assert (inspections, violations, suppressed) in {
                (count, found, False),
                (None, None, True),
            }
    # the month's total cannot give one suppressed cell back: none, or two or more
    assert sum(1 for _, _, suppressed in kpi.values() if suppressed) != 1


def test_no_personal_value_is_published(department_warehouse):
    q = department_warehouse
    personal = {
        v
        for (v,) in q(
            "SELECT DISTINCT unnest([occupant_name, contact_phone, property_address, inspector]) "
            "FROM raw.fire_inspections_inspections "
            "UNION SELECT DISTINCT unnest([applicant_name, applicant_phone, burn_address]) "
            "FROM raw.burn_permits_permits"
        )
        if v
    }
    assert len(personal) > 100
    for model in ("pub_fire_inspections", "pub_open_air_burn_permits"):
        columns = [
            c
            for (c,) in q(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = 'open_data' AND table_name = ?",
                [model],
            )
        ]
        assert not set(columns) & {
            "occupant_name",
            "contact_phone",
            "property_address",
            "inspector",
            "applicant_name",
            "applicant_phone",
            "burn_address",
        }
        for (text,) in q(
            f"SELECT DISTINCT unnest([{', '.join(f'cast({c} AS varchar)' for c in columns)}]) "
            f"FROM open_data.{model}"
        ):
            assert text not in personal, (model, text)


def test_homes_are_published_without_their_block(department_warehouse):
    # a home's inspection date, block and result would name its household (and rebuild
    # the suppressed cells of fire_inspections_by_month): no block for Residential or Care
    rows = department_warehouse(
        "SELECT p.occupancy_group, p.address_block, f.address_block "
        "FROM open_data.pub_fire_inspections p "
        "JOIN core.fct_fire_inspections f USING (inspection_number)"
    )
    homes = [r for r in rows if r[0] in ("Residential", "Care")]
    assert homes and any(internal for *_, internal in homes)
    assert all(published is None for _, published, _ in homes)
    others = [r for r in rows if r[0] not in ("Residential", "Care")]
    assert others and all(published == internal for _, published, internal in others)


@pytest.mark.parametrize(
    "dataset", ["fire_inspections", "open_air_burn_permits", "fire_inspections_by_month"]
)
def test_both_gates_passed(department_warehouse, dataset):
    """The quality and privacy gates passed on the built data (their store is the data
    folder's gate_reports/, beside the warehouse file)."""
    (path,) = department_warehouse(
        "SELECT path FROM duckdb_databases() WHERE path IS NOT NULL AND NOT internal"
    )[0]
    record = GateResults(Path(path).parent / "gate_reports").get(dataset)
    assert record is not None and set(record.gates) == {"quality_gate", "privacy_gate"}
    assert not record.failed_gates, [g.summary for g in record.failed_gates]
