"""Human Resources' job postings (the ATS's monthly JSON export) in the warehouse: the
export's mess handled as its contract says, one row per posting, and no hiring manager's
name or e-mail (nor any e-mail or HTML) in what is published."""

from __future__ import annotations

import duckdb

from dagster_project.settings import DBT_PROJECT_DIR

SYSTEM = "job_postings"


def test_every_record_of_every_month_is_accounted_for(department_warehouse):
    files = department_warehouse(
        "SELECT file_name, rows_read, rows_loaded, rows_quarantined, rows_dropped "
        "FROM raw._ingest_files WHERE system = ? AND status = 'loaded'",
        [SYSTEM],
    )
    assert len(files) == 24  # one per month of 2024-2025
    assert all(
        read == loaded + quarantined + dropped for _, read, loaded, quarantined, dropped in files
    )
    (raw_rows,) = department_warehouse("SELECT count(*) FROM raw.job_postings_postings")[0]
    assert raw_rows == sum(f[2] for f in files)


def test_a_reposted_job_counts_once_with_its_latest_status(department_warehouse):
    assert department_warehouse(
        "SELECT count(*) > 0 FROM raw._key_conflicts WHERE system = ? AND kind = 'across files'",
        [SYSTEM],
    ) == [(True,)]
    mismatches = department_warehouse(
        "WITH latest AS (SELECT posting_id, status FROM raw.job_postings_postings "
        "QUALIFY row_number() OVER (PARTITION BY posting_id ORDER BY _source_file DESC) = 1) "
        "SELECT count(*) FROM latest JOIN open_data.pub_job_postings p USING (posting_id) "
        "WHERE p.status <> latest.status"
    )
    assert mismatches == [(0,)]
    postings, distinct, raw_keys = department_warehouse(
        "SELECT count(*), count(DISTINCT posting_id), "
        "(SELECT count(DISTINCT posting_id) FROM raw.job_postings_postings) "
        "FROM open_data.pub_job_postings"
    )[0]
    assert postings == distinct == raw_keys


def test_codes_divisions_and_sentinels_are_the_citys(department_warehouse):
    assert {
        r[0] for r in department_warehouse("SELECT DISTINCT status FROM raw.job_postings_postings")
    } <= {"Open", "Closed", "Filled", "Cancelled"}
    assert {
        r[0]
        for r in department_warehouse("SELECT DISTINCT pay_basis FROM raw.job_postings_postings")
    } == {"Hourly", "Annual"}
    # several ATS spellings of one division become its id; every id is a city division
    spellings = department_warehouse(
        "SELECT division_id, count(DISTINCT ats_division) FROM staging.stg_job_postings__postings "
        "GROUP BY 1"
    )
    assert max(n for _, n in spellings) > 1
    unknown = department_warehouse(
        "SELECT count(*) FROM open_data.pub_job_postings p ANTI JOIN core.dim_divisions d "
        "USING (division_id)"
    )
    assert unknown == [(0,)]
    # "N/A" closing date: loaded empty, not quarantined; salaries typed "$72,500.00" load
    assert department_warehouse(
        "SELECT count(*) FILTER (WHERE closing_date IS NULL) > 0, "
        "count(*) FILTER (WHERE salary_min IS NULL) FROM raw.job_postings_postings"
    ) == [(True, 0)]
    # the title's key renamed in July 2025 (postingTitle) is read by its alias
    assert (
        department_warehouse(
            "SELECT count(*) FILTER (WHERE title IS NULL), count(*) "
            "FROM raw.job_postings_postings WHERE _source_file >= 'postings_2025-07'"
        )[0][0]
        == 0
    )


def test_descriptions_are_plain_text(department_warehouse):
    rows = department_warehouse("SELECT description FROM open_data.pub_job_postings")
    assert rows and all(r[0] for r in rows)
    for (text,) in rows:
        assert "<" not in text and ">" not in text
        assert "&amp;" not in text and "&nbsp;" not in text and "&#39;" not in text
    assert any("&" in r[0] for r in rows)  # &amp; decoded, not dropped


def test_no_hiring_manager_reaches_the_portal(department_warehouse):
    columns = {
        r[0]
        for r in department_warehouse(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'open_data' AND table_name = 'pub_job_postings'"
        )
    }
    assert not columns & {"hiring_manager", "hiring_manager_name", "hiring_manager_email"}
    # the raw descriptions do name managers: the published ones do not
    named = department_warehouse(
        "SELECT count(*) FROM raw.job_postings_postings "
        "WHERE contains(description_html, hiring_manager) "
        "OR contains(description_html, hiring_manager_email)"
    )[0][0]
    assert named > 0
    leaked = department_warehouse(
        "WITH personal AS (SELECT DISTINCT hiring_manager AS v FROM raw.job_postings_postings "
        "UNION SELECT DISTINCT hiring_manager_email FROM raw.job_postings_postings) "
        "SELECT count(*) FROM open_data.pub_job_postings p, personal "
        "WHERE contains(p.description, personal.v) OR contains(p.title, personal.v)"
    )
    assert leaked == [(0,)]
    assert department_warehouse(
        "SELECT count(*) FROM open_data.pub_job_postings WHERE description LIKE '%@%'"
    ) == [(0,)]
    acting = department_warehouse(
        "SELECT count(*) FROM open_data.pub_job_postings "
        "WHERE description LIKE '%Reporting to [name removed]%'"
    )[0][0]
    assert acting > 0


REDACTION_CASES = [
    # (description, hiring manager, e-mail, expected)
    ("Apply now. Reporting to Jane Doe.", None, None, "Apply now. Reporting to [name removed]."),
    ("reporting to: Marie de la Cruz, then", None, None, "reporting to: [name removed], then"),
    ("Reporting to Ludwig van Beethoven daily", None, None, "Reporting to [name removed] daily"),
    ("Reporting to Cher.", None, None, "Reporting to [name removed]."),
    ("Reporting to Anne-Marie Dubois.", None, None, "Reporting to [name removed]."),
    (
        "Reporting to the Director, Jane Doe, you",
        None,
        None,
        "Reporting to the Director, [name removed], you",
    ),
    (
        "Ask JANE SMITH at js@city.ca or (555) 123-4567 x 12 or 555.123.4567.",
        "Jane Smith",
        "js@city.ca",
        "Ask the hiring manager at [e-mail removed] or [phone removed] or [phone removed].",
    ),
    ("No manager named here.", None, None, "No manager named here."),
    ("No manager named here.", "", "", "No manager named here."),
]


def test_the_description_redaction_on_planted_text():
    """The staging model's redaction expression, run on DuckDB: a posting without a
    manager keeps its text, names in any case, 'Reporting to' variants and phones go."""
    model = (
        DBT_PROJECT_DIR / "models/staging/job_postings/stg_job_postings__postings.sql"
    ).read_text()
    redacted = model[model.index("redacted as (") :]
    expression = redacted[
        redacted.index("trim(regexp_replace(") : redacted.index(" as description\n")
    ]
    conn = duckdb.connect()
    try:
        for text, name, email, expected in REDACTION_CASES:
            (got,) = conn.execute(
                f"SELECT {expression} FROM (SELECT ?::varchar AS description_decoded, "
                "?::varchar AS hiring_manager_name, ?::varchar AS hiring_manager_email)",
                [text, name, email],
            ).fetchone()
            assert got == expected, text
    finally:
        conn.close()
