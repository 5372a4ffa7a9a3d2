"""Fire Services' open-air burn permits export (fire records system): same bytes for the
same seed, the burning seasons, and the mess the contract handles."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from sample_data import burn_permits

SCALE = 1.0  # 800 permits: the generator is fast


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("landing")
    return burn_permits.write_extracts(folder, scale=SCALE, seed=5)


def _rows(path):
    return list(csv.reader(io.StringIO(path.read_bytes().decode("cp1252"))))


def test_one_file_per_year_same_bytes(files, tmp_path):
    assert [p.name for p, _ in files] == [
        "OpenAirBurnPermits_2024.csv",
        "OpenAirBurnPermits_2025.csv",
    ]
    again = burn_permits.write_extracts(tmp_path, scale=SCALE, seed=5)
    assert [p.read_bytes() for p, _ in again] == [p.read_bytes() for p, _ in files]
    assert 800 <= sum(rows for _, rows in files) <= 830  # + repeated rows and Total lines


def _records(path) -> list[dict[str, str]]:
    """The data lines (not the Total) by the vintage's own column names."""
    header, *body = _rows(path)
    return [dict(zip(header, row, strict=True)) for row in body[:-1]]


def test_vintages_encoding_total_and_seasons(files):
    old, new = (_rows(path) for path, _ in files)
    assert old[0][:2] == ["Permit #", "Date Issued"]
    assert new[0][:3] == ["Permit Number", "Application Date", "Issued Date"]
    assert old[1][1][:3].isalpha() and ", 20" in old[1][1]  # "Jan 03, 2024", quoted
    old_records, new_records = (_records(path) for path, _ in files)
    assert any(r["Fee"].startswith("$") for r in old_records)
    assert not any("$" in r["Permit Fee"] for r in new_records)
    assert old[-1][0] == "Total" and new[-1][0] == "Total"
    with pytest.raises(UnicodeDecodeError):
        files[0][0].read_bytes().decode("utf-8")
    months = [r["Issued Date"][5:7] for r in new_records]
    spring_and_fall = sum(m in ("04", "05", "10", "11") for m in months)
    assert spring_and_fall > 0.5 * len(months)  # 4 months of 12 hold most permits


def test_the_upgraded_rms_sends_the_application_date(files):
    records = _records(files[1][0])  # 2025
    lags = [
        (date.fromisoformat(r["Issued Date"]) - date.fromisoformat(r["Application Date"])).days
        for r in records
    ]
    # a campfire permit the same day, online (or typed after the issue: below)
    campfire = [
        lag
        for r, lag in zip(records, lags, strict=True)
        if r["Type of Burn"].replace(" ", "").lower() == "campfire"  # CAMPFIRE, camp fire
    ]
    assert campfire and all(lag <= 0 for lag in campfire)
    assert max(lags) <= 21 and any(lag > 0 for lag in lags)
    assert any(lag < 0 for lag in lags)  # a few typed after the issue


def test_the_mess_is_there(files):
    old, new = (_records(path) for path, _ in files)
    kinds = {r.get("Burn Type") or r["Type of Burn"] for r in old + new}
    assert "CAMPFIRE" in kinds or "BRUSH PILE" in kinds
    assert kinds & {"BRUSH", "camp fire", "Ag"}
    statuses = [r["Status"] for r in old + new]
    assert any(s.endswith(";") for s in statuses) and any(s.isupper() for s in statuses)
    fees = {r["Fee"] for r in old if r["Burn Type"] == "Campfire"}
    fees |= {r["Permit Fee"] for r in new if r["Type of Burn"] == "Campfire"}
    assert {"N/A", "-"} & fees  # a free permit's fee
    numbers = [r.get("Permit #") or r["Permit Number"] for r in old + new]
    assert len(numbers) > len(set(numbers))
    assert any(r["Valid To"] < r["Valid From"] for r in new)  # valid until before it starts
    assert any("’" in (r.get("Applicant") or r["Applicant Name"]) for r in old + new)
