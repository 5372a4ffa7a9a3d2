"""Licensing division, business licences system, through contract, dbt and gates."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import jinja2

from dagster_project.settings import DBT_PROJECT_DIR

from .planted import run_with_planted_row

SYSTEM = "business_licences"
CATEGORIES = {
    "Food Premises", "Taxi/Rideshare Driver", "Contractor", "Second-hand Goods",
    "Short-term Rental", "Pet Shop", "Body Art",
}  # fmt: skip
PLACEHOLDER = "Withheld: names an individual"


def test_every_row_read_is_loaded_quarantined_or_dropped(department_warehouse):
    files = department_warehouse(
        "SELECT file_name, encoding, rows_read, rows_loaded, rows_quarantined, rows_dropped "
        "FROM raw._ingest_files WHERE system = ? AND status = 'loaded' ORDER BY file_name",
        [SYSTEM],
    )
    assert len(files) == 8
    for name, encoding, read, loaded, quarantined, dropped in files:
        assert read == loaded + quarantined + dropped, name
        assert dropped == 1, name  # the TOTAL row, and nothing else
        # the old system writes cp1252 (accented names), the new one UTF-8
        assert encoding == ("cp1252" if "2024" in name else "utf-8"), name
    (rules,) = department_warehouse(
        "SELECT list(DISTINCT rule) FROM raw._dropped_rows WHERE system = ?", [SYSTEM]
    )[0]
    assert rules == ["total_trailer"]


def test_an_issue_year_typed_22xx_is_quarantined_and_nothing_else(department_warehouse):
    rows = department_warehouse(
        "SELECT column_name, raw_value, rule FROM raw._quarantined_rows WHERE system = ?",
        [SYSTEM],
    )
    assert rows and all(c == "issue_date" and "220" in v and "range" in r for c, v, r in rows)


def test_codes_case_and_separators_become_the_citys_labels(department_warehouse):
    staged = dict(
        department_warehouse(
            "SELECT licence_category, count(*) FROM staging.stg_business_licences__licences "
            "GROUP BY ALL"
        )
    )
    assert set(staged) == CATEGORIES
    (raw_spellings, statuses) = department_warehouse(
        "SELECT count(DISTINCT licence_category), list(DISTINCT status) "
        "FROM raw.business_licences_licences"
    )[0]
    assert raw_spellings == len(CATEGORIES)  # FOOD, food, FOOD PREMISES -> Food Premises
    assert not [s for s in statuses if ";" in s or s != s.title()]
    flagged = department_warehouse(
        "SELECT count(*) FROM raw._flagged_values WHERE system = ? AND column_name <> "
        "'expiry_date'",
        [SYSTEM],
    )[0][0]
    assert flagged == 0
    # "Ward 3" (old system) and "3" (new) are the same ward; "N/A" is empty
    wards = department_warehouse(
        "SELECT count(*) FILTER (WHERE ward = 'N/A'), count(*) FILTER (WHERE ward LIKE "
        "'Ward %') FROM raw.business_licences_licences"
    )[0]
    assert wards[0] == 0 and wards[1] > 0
    (bad,) = department_warehouse(
        "SELECT count(*) FROM core.fct_business_licences WHERE ward_number NOT BETWEEN 1 AND 15"
    )[0]
    assert bad == 0


def test_the_latest_snapshot_wins(department_warehouse):
    (repeated, licences, staged, unique) = department_warehouse(
        "SELECT count(*) - count(DISTINCT licence_number), count(DISTINCT licence_number), "
        "(SELECT count(*) FROM staging.stg_business_licences__licences), "
        "(SELECT count(DISTINCT licence_number) FROM core.fct_business_licences) "
        "FROM raw.business_licences_licences"
    )[0]
    assert repeated > licences  # re-sent every quarter
    assert staged == licences == unique  # one row per licence: the fact's grain
    mismatched = department_warehouse("""
        WITH latest AS (
            SELECT licence_number, status, expiry_date FROM raw.business_licences_licences
            QUALIFY row_number() OVER (PARTITION BY licence_number
                ORDER BY _loaded_at DESC, _source_file DESC, _source_row DESC) = 1)
        SELECT count(*) FROM latest JOIN staging.stg_business_licences__licences s
            USING (licence_number)
        WHERE s.status IS DISTINCT FROM latest.status
            OR s.expiry_date IS DISTINCT FROM latest.expiry_date""")[0][0]
    assert mismatched == 0


def test_names_that_identify_a_person_are_withheld(department_warehouse):
    rows = department_warehouse("""
        SELECT s.licence_category, s.business_name, s.operating_name, s.owner_name,
               p.business_name, p.operating_name, p.address_block, p.is_name_withheld
        FROM staging.stg_business_licences__licences s
        JOIN open_data.pub_business_licences p USING (licence_number)""")
    people = ("Short-term Rental", "Taxi/Rideshare Driver")
    sole_proprietors = 0
    for category, name, operating, owner, *published, withheld in rows:
        words = {w.lower() for w in owner.split()}
        own_name = any(w.lower().strip(".,'") in words for w in f"{name} {operating}".split())
        if category in people or own_name:
            assert withheld and published == [PLACEHOLDER] * 3, (category, name)
            sole_proprietors += category not in people
        else:
            assert not withheld and published[0] == name
    assert sole_proprietors > 0
    # without the rule the gate would refuse the dataset: those names are personal values
    (caught,) = department_warehouse("""
        SELECT count(*) FROM staging.stg_business_licences__licences s
        WHERE s.is_name_withheld AND lower(s.business_name) LIKE '%' || lower(s.owner_name) || '%'
          AND s.licence_category IN ('Food Premises', 'Contractor', 'Body Art')
          AND lower(s.owner_name) IN (SELECT value FROM raw._personal_values)""")[0]
    assert caught > 0


def test_no_personal_value_is_published_and_the_gates_passed(department_warehouse):
    (leaks,) = department_warehouse("""
        SELECT count(*) FROM open_data.pub_business_licences p,
            (SELECT DISTINCT lower(owner_name) AS v FROM raw.business_licences_licences
             UNION SELECT DISTINCT lower(owner_phone) FROM raw.business_licences_licences
             UNION SELECT DISTINCT lower(business_address) FROM raw.business_licences_licences
            ) AS personal
        WHERE personal.v IS NOT NULL AND (contains(lower(p.business_name), personal.v)
            OR contains(lower(p.operating_name), personal.v)
            OR contains(lower(p.address_block), personal.v))""")[0]
    assert leaks == 0
    (path,) = department_warehouse("SELECT path FROM duckdb_databases() WHERE NOT internal")[0]
    report = json.loads((Path(path).parent / "gate_reports" / f"{SYSTEM}.json").read_text())
    assert report["privacy_gate"]["passed"] and report["quality_gate"]["passed"], report


def test_a_name_is_found_whatever_its_accents():
    """The mentions_name macro, rendered as dbt would and run on DuckDB: an owner
    'Bélanger' is named by 'Belanger Roofing' and 'BÉLANGER & Fils' alike."""
    macros = (DBT_PROJECT_DIR / "macros" / "mentions_name.sql").read_text()
    environment = jinja2.Environment(autoescape=False)  # noqa: S701 (SQL, not HTML)
    call = environment.from_string(macros + "{{ mentions_name('business', 'owner') }}")
    conn = duckdb.connect()
    try:
        for business, owner, expected in [
            ("Belanger Roofing", "Luc Bélanger", True),
            ("BÉLANGER & Fils", "Luc Belanger", True),
            ("Côté Bakery", "Marie Cote", True),
            ("Maple Roofing Inc.", "Luc Bélanger", False),
            ("Belanger Roofing", None, False),
            ("Maple Roofing Inc.", "", False),  # no name: no word of it
            ("Maple Roofing Inc.", " - ", False),
            ("Smith's Bakery", "Jane Smith", True),
            ("Smithson Bakery", "Jane Smith", False),  # a whole word only
            ("J&M Smith-Jones Ltd.", "Mary Jones", True),
        ]:
            (found,) = conn.execute(
                f"SELECT {call.render()} FROM (SELECT ?::varchar AS business, ?::varchar AS owner)",
                [business, owner],
            ).fetchone()
            assert found is expected, (business, owner)
    finally:
        conn.close()


def test_a_sole_proprietor_without_an_owner_name_is_withheld(department_warehouse):
    """The sample city always names the owner: four licences lose theirs here (no name, or
    a placeholder with no letter in it), two of a person's business, two of a corporation
    (only the persons' names are withheld)."""
    (warehouse,) = department_warehouse(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    )[0]
    expected = {
        "Marie Tremblay Renovations": True,
        "Riverside Holdings Inc.": False,
        "Jean Roy Painting": True,
        "Summit Builders Ltd.": False,
    }
    staged = run_with_planted_row(
        warehouse,
        "staging/business_licences/stg_business_licences__licences.sql",
        ["raw.business_licences_licences", "reference.street_types", "reference.wards"],
        "UPDATE raw.business_licences_licences AS r SET owner_name = p.owner, "
        "licence_category = 'Contractor', business_name = p.business FROM (SELECT "
        "licence_number, row_number() OVER (ORDER BY licence_number) AS n FROM (SELECT "
        "DISTINCT licence_number FROM raw.business_licences_licences ORDER BY licence_number "
        "LIMIT 4)) AS k JOIN (VALUES (1, NULL, 'Marie Tremblay Renovations'), (2, NULL, "
        "'Riverside Holdings Inc.'), (3, ' - ', 'Jean Roy Painting'), (4, '0', "
        "'Summit Builders Ltd.')) AS p(n, owner, business) USING (n) "
        "WHERE r.licence_number = k.licence_number",
    )
    withheld = {
        row["business_name"]: row["is_name_withheld"]
        for row in staged
        if row["business_name"] in expected
    }
    assert withheld == expected
