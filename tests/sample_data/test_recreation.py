"""Parks and Recreation's registration export (sample_data.recreation): deterministic
bytes, the workbook's shape, and the mess its contract must handle."""

from __future__ import annotations

import pytest

from dagster_project.lib.warehouse import connect
from sample_data import recreation

SCALE = 0.1


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("recreation")
    return folder, recreation.write_extracts(folder, SCALE, 5, force=False)


def test_same_seed_same_bytes_and_existing_files_are_kept(written, tmp_path):
    folder, files = written
    assert [p.name for p, _ in files] == ["Registrations_2024.xlsx", "Registrations_2025.xlsx"]
    again = recreation.write_extracts(tmp_path, SCALE, 5, force=False)
    for (first, _), (second, _) in zip(files, again, strict=True):
        assert first.read_bytes() == second.read_bytes(), first.name
    assert recreation.write_extracts(tmp_path, SCALE, 5, force=False) == []  # kept
    assert recreation.write_extracts(tmp_path, SCALE, 6, force=True)[0][0].read_bytes() != (
        files[0][0].read_bytes()
    )


def test_the_mess_is_there(written):
    folder, files = written
    conn = connect()
    conn.execute("LOAD excel")
    rows = sum(n for _, n in files)
    assert 0.1 * recreation.REGISTRATIONS <= rows < 0.1 * recreation.REGISTRATIONS * 1.05
    source = f"read_xlsx('{files[0][0]}', sheet='Registrations', all_varchar=true)"
    counts = conn.execute(f"""
        SELECT count(*), count(*) - count(DISTINCT "Registration ID"),
               count(*) FILTER (WHERE "Birth Date" LIKE '__-___-____'),
               count(*) FILTER (WHERE "Channel" NOT IN ('Online', 'Phone', 'In Person')),
               count(*) FILTER (WHERE "Guardian Email" = 'N/A'),
               count(*) FILTER (WHERE "Status" = 'Waitlisted')
        FROM {source}""").fetchone()
    assert counts[0] == files[0][1]  # the file's rows, total row included
    assert all(c > 0 for c in counts[1:]), counts  # repeats, text dates, case, N/A, lists
    last = conn.execute(f'SELECT "Registration ID" FROM {source}').fetchall()[-1]
    assert last == ("Total",)
