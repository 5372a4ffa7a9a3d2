"""The licensing division's business licences generator: quarterly CSV snapshots."""

from __future__ import annotations

import csv
import io

import pytest

from sample_data import business_licences

SCALE = 0.25  # 1,000 licences: every mess shows, in well under a second


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("licences")
    return folder, business_licences.write_extracts(folder, SCALE, seed=5, force=False)


def _rows(path, encoding):
    return list(csv.reader(io.StringIO(path.read_bytes().decode(encoding), newline="")))


def test_same_seed_same_bytes_and_existing_files_are_kept(written, tmp_path):
    folder, files = written
    assert [p.name for p, _ in files][0] == "BusinessLicences_20240331.csv" and len(files) == 8
    again = business_licences.write_extracts(tmp_path, SCALE, seed=5, force=False)
    for (first, _), (second, _) in zip(files, again, strict=True):
        assert first.read_bytes() == second.read_bytes(), first.name
    assert business_licences.write_extracts(tmp_path, SCALE, seed=5, force=False) == []
    other = business_licences.write_extracts(tmp_path, SCALE, seed=6, force=True)
    assert other[-1][0].read_bytes() != files[-1][0].read_bytes()


def test_two_systems_two_encodings_two_headers(written):
    folder, files = written
    old, new = files[3][0], files[4][0]  # 2024-12-31 (old system), 2025-03-31 (new)
    with pytest.raises(UnicodeDecodeError):
        old.read_bytes().decode("utf-8")  # accented owner names in cp1252
    old_rows, new_rows = _rows(old, "cp1252"), _rows(new, "utf-8")
    assert old_rows[0][:3] == ["Licence No", "Business Name", "Operating As"]
    assert new_rows[0][:3] == ["LicenceNumber", "LegalName", "OperatingName"]
    assert b"\r\n" in old.read_bytes() and b"\r\n" not in new.read_bytes()
    for rows, count in ((old_rows, files[3][1]), (new_rows, files[4][1])):
        assert rows[-1][0] == "TOTAL" and len(rows) - 1 == count  # header + data + total
    # only the new system records when the application was received: for every licence,
    # pending ones too, never after the issue
    assert "ApplicationDate" in new_rows[0] and "Application Date" not in old_rows[0]
    applied, issued = new_rows[0].index("ApplicationDate"), new_rows[0].index("IssuedDate")
    assert all(r[applied] for r in new_rows[1:-1])
    assert all(r[applied] <= r[issued] for r in new_rows[1:-1] if r[issued][:2] == "20")


def test_the_mess_is_there(written):
    folder, files = written
    old = _rows(files[3][0], "cp1252")[1:-1]
    new_rows = _rows(files[-1][0], "utf-8")
    new = new_rows[1:-1]
    fee, status = new_rows[0].index("FeeAmount"), new_rows[0].index("LicenceStatus")
    categories = {r[5] for r in old}
    assert {"FOOD", "food", "Food"} <= categories  # codes in any case
    assert any(r[5].isupper() and " " in r[5] for r in new)  # "FOOD PREMISES"
    assert any(r[7] == "N/A" for r in old) and any(r[7].startswith("Ward ") for r in old)
    assert any(r[fee] == "-" for r in new) and any(r[fee].startswith("$") for r in new)
    assert any(r[status].endswith(";") for r in new)
    assert any("2204" in r[8] for r in old)  # an issue year typed wrong
    numbers = [r[0] for r in new]
    assert len(numbers) > len(set(numbers))  # a licence exported twice in one file
    # full snapshots: a licence of the first one is re-sent in the last one, unless it
    # was revoked (it leaves the export 90 days after its revocation)
    first = _rows(files[0][0], "cp1252")[1:-1]
    gone = {r[0] for r in first} - set(numbers)
    revoked = {
        r[0]
        for path, _ in files
        for r in _rows(path, "cp1252" if "2024" in path.name else "utf-8")[1:-1]
        if r[-2].rstrip(";").lower() == "revoked"
    }
    assert gone and gone <= revoked
    # a sole proprietor trades under the owner's name; drivers and rentals are people
    assert any(r[3] and r[3] in r[1] and r[5] == "Food Premises" for r in new)
    assert all(r[1] == r[3] for r in new if r[5] in ("Short-term Rental", "Taxi/Rideshare Driver"))
