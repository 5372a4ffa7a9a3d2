"""Fire Services' inspections export (fire records system): same bytes for the same seed,
and the mess the contract handles is in the files."""

from __future__ import annotations

import re

import pytest

from sample_data import fire_inspections

SCALE = 0.3


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("landing")
    written = fire_inspections.write_extracts(folder, scale=SCALE, seed=5)
    return folder, written


def test_one_file_per_quarter_same_seed_same_bytes_existing_kept(files, tmp_path):
    folder, written = files
    names = [path.name for path, _ in written]
    assert names == [f"FireInspections_{y}Q{q}.csv" for y in (2024, 2025) for q in (1, 2, 3, 4)]
    again = fire_inspections.write_extracts(tmp_path, scale=SCALE, seed=5)
    for (first, rows), (second, rows_again) in zip(written, again, strict=True):
        assert first.read_bytes() == second.read_bytes() and rows == rows_again
    target = again[0][0]
    target.write_bytes(b"edited by hand")
    fire_inspections.write_extracts(tmp_path, scale=SCALE, seed=5)
    assert target.read_bytes() == b"edited by hand"
    fire_inspections.write_extracts(tmp_path, scale=SCALE, seed=5, force=True)
    assert target.read_bytes() == written[0][0].read_bytes()
    # about 900 inspections at scale 0.3, plus re-sent and repeated rows and 8 TOTAL lines
    assert 900 <= sum(rows for _, rows in written) <= 960


def test_cp1252_two_header_vintages_and_the_total_line(files):
    folder, written = files
    raw = written[0][0].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    old = raw.decode("cp1252")
    new = written[-1][0].read_bytes().decode("cp1252")
    assert old.startswith("Insp #,Insp Date,Insp Type,Occ Group,")
    assert new.startswith("Inspection Number,Inspection Date,Inspection Type,Occupancy Type,")
    assert old.splitlines()[-1].startswith("TOTAL,")
    text = "".join(path.read_bytes().decode("cp1252") for path, _ in written)
    assert "’" in text and re.search("[éèçô]", text)


def test_the_mess_is_there(files):
    folder, written = files
    rows = [
        line.split(",")
        for path, _ in written
        for line in path.read_bytes().decode("cp1252").splitlines()[1:-1]
    ]
    occupancy = {r[3] for r in rows}
    assert {"GRP A", "Group-A"} <= occupancy and any(o.islower() for o in occupancy)
    assert any(o in "ABCDEF" for o in occupancy)  # a bare group letter
    assert any(r[-1].endswith(";") for r in rows)  # trailing separator
    assert any(r[-1].isupper() for r in rows) and any(r[2].isupper() for r in rows)
    assert {"N/A", "-"} <= {r[10] for r in rows} and {"N/A", "-"} <= {r[9] for r in rows}
    assert any("2204" in r[1] or "2205" in r[1] for r in rows)  # a year typed wrong
    numbers = [r[0] for r in rows]
    assert len(numbers) > len(set(numbers))  # repeated rows and re-sent inspections
    iso = [r for r in rows if re.fullmatch(r"\d{4}-\d\d-\d\d", r[10]) and r[1] < "2100"]
    assert any(r[10] < r[1] for r in iso)  # a re-inspection booked before the inspection
