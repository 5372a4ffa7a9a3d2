"""Taxes: the tax roll generator (sample_data/tax_roll.py): deterministic, with its mess."""

from __future__ import annotations

import csv
import io

import pytest

from sample_data import tax_roll

SCALE = 0.1


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tax_roll")
    tax_roll.write_extracts(folder, SCALE, 5, force=False)
    return folder / "tax_roll"


def _rows(path, encoding):
    return list(csv.reader(io.StringIO(path.read_bytes().decode(encoding))))


def test_same_seed_same_bytes_and_existing_files_are_kept(landing, tmp_path):
    written = tax_roll.write_extracts(tmp_path, SCALE, 5, force=False)
    assert [p.name for p, _ in written] == ["TaxRoll_2024.csv", "TaxRoll_2025.csv"]
    for path, rows in written:
        assert path.read_bytes() == (landing / path.name).read_bytes()
        assert rows == len(_rows(path, "cp1252" if "2024" in path.name else "utf-8")) - 1
    (tmp_path / "tax_roll" / "TaxRoll_2025.csv").write_text("edited by hand")
    assert tax_roll.write_extracts(tmp_path, SCALE, 5, force=False) == []
    assert (tmp_path / "tax_roll" / "TaxRoll_2025.csv").read_text() == "edited by hand"


def test_the_two_vintages(landing):
    old_bytes = (landing / "TaxRoll_2024.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):  # accented owner names in cp1252
        old_bytes.decode("utf-8")
    old, new = (
        _rows(landing / "TaxRoll_2024.csv", "cp1252"),
        _rows(landing / "TaxRoll_2025.csv", "utf-8"),
    )
    assert old[0][:3] == ["ROLL_NO", "TAX_YR", "OWNER_NAME"]
    assert new[0][:3] == ["Roll Number", "Tax Year", "Owner Name(s)"]
    # the same property, printed with spaces in 2024 and as plain digits in 2025
    assert old[1][0].count(" ") == 4 and len(old[1][0].replace(" ", "")) == 19
    assert new[1][0].isdigit() and len(new[1][0]) == 19
    old_rolls = {r[0].replace(" ", "") for r in old[1:-1]}
    new_rolls = {r[0] for r in new[1:-1]}
    shared = old_rolls & new_rolls
    assert len(shared) > 0.95 * len(old_rolls)
    assert old_rolls - new_rolls and new_rolls - old_rolls  # removed and added properties


def test_the_mess_is_there(landing):
    rows = (
        _rows(landing / "TaxRoll_2024.csv", "cp1252")
        + _rows(landing / "TaxRoll_2025.csv", "utf-8")[1:]
    )
    data = [r for r in rows[1:] if r[0] != "TOTAL"]
    assert sum(r[0] == "TOTAL" for r in rows) == 2 and rows[-1][0] == "TOTAL"
    assert len(data) - len({(r[0], r[1]) for r in data}) > 0  # properties exported twice
    assert any(r[6] != r[6].upper() for r in data)  # class codes in lower case
    assert {r[6].upper()[:2] for r in data} == {"RT", "MT", "CT", "IT", "FT", "PT"}
    assert any(len(r[6]) > 2 for r in data)  # qualifiers: RTEP...
    assert any(int(r[7]) > tax_roll.MAX_PLAUSIBLE_ASSESSMENT for r in data)  # x1000 typo
    assert {"N/A", "NULL", "-"} <= {v for r in data for v in (r[3], r[5], r[11])}
    assert any("&" in r[2] for r in data)  # "SMITH JOHN & SMITH MARY"


def test_row_counts_at_scale_one(tmp_path):
    written = tax_roll.write_extracts(tmp_path, 1.0, 42, force=True)
    for _, rows in written:
        assert 11_900 <= rows <= 12_100
