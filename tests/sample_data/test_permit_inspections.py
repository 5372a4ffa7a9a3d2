"""Building Services' inspections report generator: same bytes for the same seed, the
permits it inspects are the permits report's, and the report's mess is there."""

from __future__ import annotations

import datetime as dt

import numpy as np
import openpyxl
import pytest

from sample_data import permit_inspections, permits

SCALE = 0.2
SEED = 5


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inspections")
    [(path, rows)] = permit_inspections.write_extracts(folder, SCALE, SEED)
    sheet = openpyxl.load_workbook(path, read_only=True)["Inspections"]
    return folder, path, rows, list(sheet.iter_rows(values_only=True))


def test_same_seed_same_bytes_and_existing_files_are_kept(report, tmp_path):
    _, path, _, _ = report
    [(again, _)] = permit_inspections.write_extracts(tmp_path, SCALE, SEED)
    assert again.read_bytes() == path.read_bytes()
    again.write_bytes(b"edited by hand")
    permit_inspections.write_extracts(tmp_path, SCALE, SEED)
    assert again.read_bytes() == b"edited by hand"
    permit_inspections.write_extracts(tmp_path, SCALE, SEED, force=True)
    assert again.read_bytes() == path.read_bytes()


def test_layout_counts_and_total_row(report):
    _, _, rows, sheet = report
    assert sheet[0][0].startswith("City of Riverton") and sheet[2] == tuple(
        permit_inspections.HEADER
    )
    data = sheet[3:]
    assert len(data) == rows  # the rows it reports writing, total row included
    assert data[-1][0] == "Total"
    assert 0.8 * 15_000 * SCALE < rows < 1.2 * 15_000 * SCALE


def test_only_issued_permits_after_their_issue(report):
    _, _, _, sheet = report
    permit = permits.permit_columns(np.random.default_rng([SEED, 2]), int(6_000 * SCALE))
    issued = {
        n: d.astype("datetime64[D]").astype(dt.date)
        for n, d, has in zip(permit["number"], permit["issued"], permit["has_issue"], strict=True)
        if has
    }
    for row in sheet[3:-1]:
        assert row[1] in issued
        assert row[3].date() > issued[row[1]]


def test_the_mess_is_there(report):
    _, _, _, sheet = report
    data = sheet[3:-1]
    results = [r[5] for r in data]
    assert {r.strip().upper() for r in results} == set(permit_inspections.RESULTS)
    assert any(r != r.upper() for r in results)  # mixed case
    assert any(r.endswith(" ") for r in results)  # trailing space
    assert any(r[4] == "N/A" for r in data)  # null sentinel
    assert any(isinstance(r[4], str) and r[4][:2] == "22" for r in data)  # year typo
    ids = [r[0] for r in data]
    assert len(set(ids)) < len(ids)  # rows printed twice
    # notes naming people (read-only openpyxl leaves off empty trailing cells)
    assert any(len(r) > 7 and r[7] and "Met owner" in r[7] for r in data)
