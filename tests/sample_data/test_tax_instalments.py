"""Taxes: the instalments generator (sample_data/tax_instalments.py): deterministic, the
same properties as the tax roll, with its mess."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from sample_data import tax_instalments, tax_roll

SCALE = 0.1


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tax_instalments")
    tax_instalments.write_extracts(folder, SCALE, 5, force=False)
    tax_roll.write_extracts(folder, SCALE, 5, force=False)
    return folder


def _rows(path):
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_same_seed_same_bytes(landing, tmp_path):
    for path, rows in tax_instalments.write_extracts(tmp_path, SCALE, 5, force=False):
        assert path.read_bytes() == (landing / "tax_instalments" / path.name).read_bytes()
        assert rows == len(_rows(path)) - 1


def test_the_instalments_bill_the_roll(landing):
    roll = _rows(landing / "tax_roll" / "TaxRoll_2025.csv")[1:-1]
    rows = _rows(landing / "tax_instalments" / "Instalments_2025.csv")
    assert rows[0][:3] == ["Roll Number", "Tax Year", "Instalment"]
    assert {r[0] for r in rows[1:]} == {r[0] for r in roll}
    levy = {r[0]: float(r[10]) for r in roll}
    some_roll = roll[0][0]
    four = [r for r in rows[1:] if r[0] == some_roll][:4]
    assert [r[2] for r in four] == ["1", "2", "3", "4"]
    assert sum(float(r[5]) for r in four) == pytest.approx(levy[some_roll], abs=0.011)


def test_the_mess_is_there(landing):
    old = _rows(landing / "tax_instalments" / "Instalments_2024.csv")
    new = _rows(landing / "tax_instalments" / "Instalments_2025.csv")
    assert old[0][:3] == ["ROLL_NO", "TAX_YR", "INST_NO"]
    assert old[1][0].count(" ") == 4 and old[1][3] == "01/15/2024"
    keys = [(r[0], r[2]) for r in new[1:]]
    assert len(keys) > len(set(keys))  # instalments re-sent with a later payment
    assert any(r[8].endswith(";") for r in old[1:])  # trailing separator
    assert any(r[5].startswith("$") for r in old[1:])  # amounts as text
    assert any(r[7] == "N/A" for r in old[1:]) and any(r[7] == "" for r in new[1:])
    assert len({r[8] for r in new[1:] if r[8]}) >= 12  # channel spellings
    late = [r for r in new[1:] if r[7] and r[7] > r[4]]
    partial = [r for r in new[1:] if 0 < float(r[6]) < float(r[5])]
    assert late and partial
    before_bill = [
        r for r in new[1:] if r[7] and dt.date.fromisoformat(r[7]) < dt.date.fromisoformat(r[3])
    ]
    assert before_bill


def test_row_counts_at_scale_one(tmp_path):
    written = tax_instalments.write_extracts(tmp_path, 1.0, 42, force=True)
    assert 95_000 <= sum(rows for _, rows in written) <= 97_500
