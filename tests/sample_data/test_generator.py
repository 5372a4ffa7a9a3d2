"""The sample extracts: deterministic, in each system's real format, with their mess."""

from __future__ import annotations

import duckdb
import pytest

from dagster_project.lib.warehouse import connect
from sample_data import generate, generate_crm311_csv

SCALE = 0.05


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    folder = tmp_path_factory.mktemp("landing")
    generate(folder, scale=SCALE, seed=11)
    return folder


def test_same_seed_same_bytes_and_existing_files_are_kept(landing, tmp_path):
    generate(tmp_path, scale=SCALE, seed=11)
    for path in landing.rglob("*.*"):
        assert (tmp_path / path.relative_to(landing)).read_bytes() == path.read_bytes(), path
    target = tmp_path / "crm311" / "SR_EXPORT_2025.csv"
    target.write_text("edited by hand")
    generate(tmp_path, scale=SCALE, seed=11)
    assert target.read_text() == "edited by hand"
    generate(tmp_path, scale=SCALE, seed=11, force=True)
    assert target.read_bytes() == (landing / "crm311" / "SR_EXPORT_2025.csv").read_bytes()


def test_the_two_crm_vintages(landing):
    old = (landing / "crm311" / "SR_EXPORT_2024.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        old.decode("utf-8")
    text = old.decode("cp1252")
    assert text.startswith('"SR Number","Created Date","Closed Date","Status","Category"')
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    new = (landing / "crm311" / "SR_EXPORT_2025.csv").read_text(encoding="utf-8")
    assert new.startswith("request_id,created_at,closed_at,status,service_category,")


def test_the_mess_is_there(landing):
    conn = duckdb.connect()
    rows = conn.execute(f"""
        SELECT count(*) - count(DISTINCT request_id) AS duplicates,
               count(*) FILTER (WHERE closed_at < created_at) AS closed_before_created,
               count(*) FILTER (WHERE ward IS NULL) AS blank_wards,
               count(*) FILTER (WHERE status NOT IN ('Open', 'In Progress', 'Closed',
                                                      'Cancelled')) AS messy_status,
               count(*) FILTER (WHERE regexp_matches(description, '555-')) AS phones_in_text
        FROM read_csv('{landing}/crm311/SR_EXPORT_2025.csv', all_varchar=true)""").fetchone()
    assert all(count > 0 for count in rows), rows


def test_the_excel_report_and_the_json_lines(landing):
    conn = connect()
    conn.execute("LOAD excel")
    path = landing / "permits" / "Building_Permits_2024-2025.xlsx"
    title = conn.execute(
        f"SELECT * FROM read_xlsx('{path}', header=false, all_varchar=true, range='A1:A1')"
    ).fetchone()
    assert title[0].startswith("City of Riverton")
    last = conn.execute(
        f"SELECT \"Permit Number\" FROM read_xlsx('{path}', all_varchar=true, "
        f"header=true, range='A3:K100000') WHERE \"Permit Number\" IS NOT NULL"
    ).fetchall()[-1]
    assert last == ("Total",)
    payments = conn.execute(
        f"SELECT count(*), count(DISTINCT json_type(json->'amount')) "
        f"FROM read_ndjson_objects('{landing}/payments/*.jsonl')"
    ).fetchone()
    assert payments[0] > 1000 and payments[1] == 2  # numbers and the odd string


def test_big_csv_for_benchmarks(tmp_path):
    path = tmp_path / "big.csv"
    rows = generate_crm311_csv(path, 5000)  # a few re-exported duplicates included
    assert 5000 <= rows < 5100
    assert duckdb.connect().execute(f"SELECT count(*) FROM '{path}'").fetchone()[0] == rows


def test_permits_beyond_a_worksheet_are_split_across_reports(tmp_path, monkeypatch):
    """A city too big for one worksheet gets several reports, none near the limit, and
    the contract's file pattern reads them all: nothing is cut off."""
    import sample_data.permits as permits

    monkeypatch.setattr(permits, "PERMITS_PER_WORKBOOK", 400)
    written = [f for f in generate(tmp_path, scale=0.15, seed=3) if f.system == "permits"]
    assert [f.path.name for f in written] == [
        "Building_Permits_2024-2025_part1of3.xlsx",
        "Building_Permits_2024-2025_part2of3.xlsx",
        "Building_Permits_2024-2025_part3of3.xlsx",
    ]
    import openpyxl

    # below the title, the blank line and the header: every row and the report's total
    sheets = [openpyxl.load_workbook(f.path, read_only=True)["Permits"] for f in written]
    read = [sum(1 for _ in sheet.iter_rows()) - 3 for sheet in sheets]
    assert read == [f.rows for f in written]
    assert sum(read) > 900
