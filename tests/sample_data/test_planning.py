"""Planning's development-applications export: deterministic bytes, both vintages, and
the mess the contract handles."""

from __future__ import annotations

import csv
import io

import pytest

from sample_data import planning

SCALE = 0.2


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("planning")
    written = planning.write_extracts(folder, SCALE, seed=11)
    return folder, {path.name: (path, rows) for path, rows in written}


def _records(path) -> list[dict]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_same_seed_same_bytes_and_existing_files_kept(files, tmp_path):
    folder, written = files
    again = planning.write_extracts(tmp_path, SCALE, seed=11)
    for path, _ in again:
        assert path.read_bytes() == written[path.name][0].read_bytes(), path.name
    target = again[0][0]
    target.write_text("edited by hand")
    assert planning.write_extracts(tmp_path, SCALE, seed=11) == []
    assert target.read_text() == "edited by hand"
    planning.write_extracts(tmp_path, SCALE, seed=11, force=True)
    assert target.read_bytes() == written[target.name][0].read_bytes()


def test_two_vintages_utf8_with_bom_and_their_headers(files):
    _, written = files
    old = written["DevApps_StatusHistory_2024.csv"][0].read_bytes()
    new = written["DevApps_StatusHistory_2025.csv"][0].read_bytes()
    assert old.startswith(planning.BOM + b"Folder Number,Folder Type,Property Address")
    assert new.startswith(planning.BOM + b"Application Number,Application Type,Address")
    old.decode("utf-8")  # UTF-8 throughout (accented names)
    assert "é".encode() in old + new


def test_rows_at_scale_and_the_trailer(files):
    _, written = files
    total = 0
    for name, (path, rows) in written.items():
        records = _records(path)
        assert len(records) == rows, name
        total += rows
    assert 0.8 * 7000 * SCALE < total < 1.3 * 7000 * SCALE
    last = _records(written["DevApps_StatusHistory_2024.csv"][0])[-1]
    assert last["Folder Number"].startswith("** END OF REPORT")


def test_the_mess_is_there(files):
    _, written = files
    old = _records(written["DevApps_StatusHistory_2024.csv"][0])[:-1]
    new = _records(written["DevApps_StatusHistory_2025.csv"][0])
    statuses = {r["Status Desc"] for r in old}
    assert statuses - set(planning.STAGES)  # RECD, Circ, W/D...
    assert any(s.endswith(";") for s in statuses)
    assert any(r["Ward No"] == "-" for r in old)
    assert old[0]["In Date"][2] == "-" and old[0]["In Date"][3:6].isupper()  # 14-MAR-2024
    comments = [r["COMMENTS"] for r in old] + [r["Comments"] for r in new]
    assert any("\n" in c and "," in c and '"' in c for c in comments)
    assert any("555-" in c for c in comments)  # a neighbour's phone number
    # the 2025 export re-sends December 2024 rows, and rows repeat within a file
    assert any(r["Status Date"].startswith("2024-12") for r in new)
    keys = [tuple(r.values())[:7] for r in old] + [tuple(r.values())[:7] for r in new]
    assert len(keys) > len(set(keys))
    before = [r for r in new if r["Status Date"] < r["Date Received"]]
    assert before  # a status date keyed before the received date
