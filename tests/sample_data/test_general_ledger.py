"""Finance: the general-ledger generator (sample_data/general_ledger.py): deterministic
bytes, one file per fiscal month, and the mess the contract handles."""

from __future__ import annotations

import csv
import io

import pytest

from sample_data import general_ledger

SEED = 5


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    folder = tmp_path_factory.mktemp("general_ledger")
    general_ledger.write_extracts(folder, 1.0, SEED, force=False)
    return folder / "general_ledger"


def _rows(path):
    encoding = "cp1252" if "2024" in path.name else "utf-8"
    return list(csv.reader(io.StringIO(path.read_text(encoding=encoding))))


def test_same_seed_same_bytes(landing, tmp_path):
    written = general_ledger.write_extracts(tmp_path, 1.0, SEED, force=False)
    assert len(written) == 24
    for path, rows in written:
        assert path.read_bytes() == (landing / path.name).read_bytes()
        assert rows == len(_rows(path)) - 1  # data rows and the total row
    # existing files are kept unless forced
    assert general_ledger.write_extracts(tmp_path, 1.0, SEED, force=False) == []


def test_two_vintages(landing):
    old, new = _rows(landing / "GL_Actuals_2024-03.csv"), _rows(landing / "GL_Actuals_2025-03.csv")
    assert old[0][:4] == ["Period", "Business Unit", "BU Description", "Object Account"]
    assert new[0][:4] == ["Fiscal Period", "Cost Center", "Cost Center Name", "G/L Account"]
    assert {r[0] for r in old[1:-1]} == {"P03 FY2024"}
    assert {r[0] for r in new[1:-1]} == {"2025-03"}
    # cp1252 in the old ledger: the en dash of "Clerk – FOI and Privacy" is one byte
    assert b"Clerk \x96 FOI" in (landing / "GL_Actuals_2024-03.csv").read_bytes()


def test_amounts_and_the_total_row(landing):
    for name in ("GL_Actuals_2024-09.csv", "GL_Actuals_2025-05.csv"):
        rows = _rows(landing / name)
        assert rows[-1][1] == "TOTAL"
        amounts = [r[6] for r in rows[1:-1]]
        assert any("," in a for a in amounts)  # thousands separators

        def value(text):
            sign = -1 if text.startswith(("(", "-")) else 1
            return sign * round(float(text.strip("()-").replace(",", "")) * 100)

        assert sum(value(a) for a in amounts) == value(rows[-1][6])
    every = [r[6] for p in sorted(landing.glob("GL_Actuals_2024-*.csv")) for r in _rows(p)[1:-1]]
    assert any(a.startswith("(") and a.endswith(")") for a in every)  # credits


def test_the_reversal_pair(landing):
    rows = _rows(landing / "GL_Actuals_2024-09.csv")
    je = {r[5]: (r[1], r[6]) for r in rows if r[5].startswith("JE")}
    assert je == {
        "JE24-0917": ("3120", "48,250.00"),
        "JE24-0917R": ("3120", "(48,250.00)"),
        "JE24-0918": ("2600", "48,250.00"),
    }


def test_leading_zeros_lost_in_one_month(landing):
    july = {r[1] for r in _rows(landing / "GL_Actuals_2024-07.csv")[1:-1]}
    june = {r[1] for r in _rows(landing / "GL_Actuals_2024-06.csv")[1:-1]}
    assert "410" in july and "0410" not in july
    assert "0410" in june and "410" not in june


def test_the_resent_month_repeats_a_line(landing):
    for name, repeated in (("GL_Actuals_2025-06.csv", 1), ("GL_Actuals_2025-05.csv", 0)):
        documents = [r[5] for r in _rows(landing / name)[1:-1]]
        assert len(documents) - len(set(documents)) == repeated, name
