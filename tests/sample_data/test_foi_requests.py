"""The City Clerk's FOI request log generator: one hand-kept workbook per year."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from sample_data import foi_requests

SCALE = 1.0  # 300 requests: a workbook row at a time, still well under a second


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("foi")
    return foi_requests.write_extracts(folder, SCALE, seed=5, force=False)


def _sheet(path):
    rows = list(openpyxl.load_workbook(path, read_only=True)["Log"].values)
    return rows[0], rows[1], rows[2:]


def test_same_seed_same_bytes_and_existing_files_are_kept(written, tmp_path):
    again = foi_requests.write_extracts(tmp_path, SCALE, seed=5, force=False)
    assert [p.name for p, _ in again] == ["FOI_Log_2024.xlsx", "FOI_Log_2025.xlsx"]
    for (first, _), (second, _) in zip(written, again, strict=True):
        assert first.read_bytes() == second.read_bytes()
    assert foi_requests.write_extracts(tmp_path, SCALE, seed=5, force=False) == []


def test_title_header_and_total_rows(written):
    (old, old_count), (new, new_count) = written
    title, header, rows = _sheet(old)
    assert title[0].startswith("Freedom of Information Requests Log") and header[0] == "Request No."
    assert rows[-1][0] == "Total" and len(rows) == old_count
    _, header, rows = _sheet(new)
    assert header[:4] == ("Request Number", "Received", "Type", "Requester Type")
    assert len(rows) == new_count


def test_the_mess_is_there(written):
    rows = [r for path, _ in written for r in _sheet(path)[2][:-1]]
    typed = {r[3] for r in rows}
    assert {"Individual ", "Indiv.", "Govt", "media"} & typed and len(typed) > 10
    text_dates = [r[1] for r in rows if isinstance(r[1], str)]
    assert any("," in d for d in text_dates) and any("/" in d for d in text_dates)
    assert all(isinstance(r[1], dt.datetime | str) for r in rows)

    def day(value):
        if isinstance(value, dt.datetime):
            return value.date()
        for fmt in foi_requests.TEXT_DATE_FORMATS:
            try:
                return dt.datetime.strptime(value, fmt).date()
            except ValueError:
                continue
        raise AssertionError(value)

    assert any(r[9] is not None and day(r[9]) < day(r[1]) for r in rows)  # decided before
    numbers = [r[0] for r in rows]
    assert len(numbers) > len(set(numbers))  # a request pasted twice
    assert any(n.startswith("P-") for n in numbers) and any(n.startswith("A-") for n in numbers)
    assert any(isinstance(r[11], str) and r[11].startswith("$") for r in rows)
    assert all(r[4] and r[4] in r[5] for r in rows)  # summaries name the requester
