"""Fire Services' open-air burn permits export (fire records system): same bytes for the
same seed, the burning seasons, and the mess the contract handles."""

from __future__ import annotations

import csv
import io

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


def test_vintages_encoding_total_and_seasons(files):
    old, new = (_rows(path) for path, _ in files)
    assert old[0][:2] == ["Permit #", "Date Issued"] and new[0][:2] == [
        "Permit Number",
        "Issued Date",
    ]
    assert old[1][1][:3].isalpha() and ", 20" in old[1][1]  # "Jan 03, 2024", quoted
    assert any(r[9].startswith("$") for r in old[1:]) and not any("$" in r[9] for r in new)
    assert old[-1][0] == "Total" and new[-1][0] == "Total"
    with pytest.raises(UnicodeDecodeError):
        files[0][0].read_bytes().decode("utf-8")
    months = [r[1][5:7] for r in new[1:-1]]
    spring_and_fall = sum(m in ("04", "05", "10", "11") for m in months)
    assert spring_and_fall > 0.5 * len(months)  # 4 months of 12 hold most permits


def test_the_mess_is_there(files):
    rows = [r for path, _ in files for r in _rows(path)[1:-1]]
    kinds = {r[4] for r in rows}
    assert "CAMPFIRE" in kinds or "BRUSH PILE" in kinds
    assert kinds & {"BRUSH", "camp fire", "Ag"}
    assert any(r[10].endswith(";") for r in rows) and any(r[10].isupper() for r in rows)
    assert {"N/A", "-"} & {r[9] for r in rows if r[4] == "Campfire"}  # a free permit's fee
    numbers = [r[0] for r in rows]
    assert len(numbers) > len(set(numbers))
    iso = [r for r in rows if r[2][:2] == "20"]
    assert any(r[3] < r[2] for r in iso)  # valid until before it starts
    assert any("’" in r[7] for r in rows)
