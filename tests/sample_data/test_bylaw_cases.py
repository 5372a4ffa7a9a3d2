"""By-law Enforcement's case-management export: deterministic, two vintages, the mess."""

from __future__ import annotations

import duckdb
import pytest

from sample_data import bylaw_cases

SCALE = 0.2


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bylaw_cases")
    bylaw_cases.write_extracts(folder, SCALE, 11, force=False)
    return folder / bylaw_cases.FOLDER


def test_same_seed_same_bytes_and_existing_files_are_kept(landing, tmp_path):
    written = bylaw_cases.write_extracts(tmp_path, SCALE, 11, force=False)
    assert [p.name for p, _ in written] == ["BylawCases_2024.csv", "BylawCases_2025.csv"]
    for path, _ in written:
        assert path.read_bytes() == (landing / path.name).read_bytes()
    written[0][0].write_text("edited by hand")
    assert bylaw_cases.write_extracts(tmp_path, SCALE, 11, force=False) == []
    assert written[0][0].read_text() == "edited by hand"
    bylaw_cases.write_extracts(tmp_path, SCALE, 11, force=True)
    assert written[0][0].read_bytes() == (landing / "BylawCases_2024.csv").read_bytes()


def test_the_two_vintages_and_their_note(landing):
    old = (landing / "BylawCases_2024.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        old.decode("utf-8")  # cp1252: accented names (Zoë, José)
    old_lines = old.decode("cp1252").split("\r\n")
    assert old_lines[0].startswith("City of Riverton - By-law Enforcement")
    assert old_lines[2].startswith('"Case No","Complaint Type","Date Received"')
    new_lines = (landing / "BylawCases_2025.csv").read_text(encoding="utf-8").split("\n")
    assert new_lines[2].startswith("case_number,complaint_type,received_at")


def _cases(landing, name: str, encoding: str) -> duckdb.DuckDBPyRelation:
    return duckdb.sql(
        f"SELECT * FROM read_csv('{landing / name}', skip=2, header=true, all_varchar=true, "
        f"encoding='{encoding}')"
    )


def test_the_mess_is_there(landing):
    old = _cases(landing, "BylawCases_2024.csv", "latin-1").fetchdf()
    new = _cases(landing, "BylawCases_2025.csv", "utf-8").fetchdf()
    assert {"NOISE", "PROP STD"} <= set(old["Complaint Type"])  # the old system's codes
    assert set(old["Ward"].dropna()) >= {"Ward 3", "N/A"}
    assert old["Date Received"].str.contains("/2042 ").any()  # a year typed wrong
    types = set(new["complaint_type"])
    assert {"Noise", "NOISE", "noise"} <= types  # the new system keeps what was typed
    assert new["received_at"].str.startswith("2204-").any()
    assert old["Case No"].duplicated().any() and new["case_number"].duplicated().any()
    # open at the end of 2024, sent again (closed) in 2025
    carried = set(old["Case No"]) & set(new["case_number"])
    assert carried and (old[old["Case No"].isin(carried)]["Outcome"] == "OPEN").all()
    closed = new.dropna(subset=["closed_at"])
    assert (closed["closed_at"] < closed["received_at"]).any()  # closed before received
    anonymous = new[new["is_anonymous"] == "true"]
    assert anonymous["complainant_name"].isna().all()
    assert new["complainant_phone"].str.contains("555-").any()
