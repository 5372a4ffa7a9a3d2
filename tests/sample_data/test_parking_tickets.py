"""By-law Enforcement's legacy parking file: fixed width, deterministic, fast, the mess."""

from __future__ import annotations

import time

import numpy as np
import pytest

from sample_data import parking_tickets

SCALE = 0.2


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    folder = tmp_path_factory.mktemp("parking")
    parking_tickets.write_extracts(folder, SCALE, 11, force=False)
    return folder / parking_tickets.FOLDER


def test_same_seed_same_bytes_and_existing_files_are_kept(landing, tmp_path):
    written = parking_tickets.write_extracts(tmp_path, SCALE, 11, force=False)
    assert len(written) == 24  # one file per month of 2024-2025
    for path, _ in written:
        assert path.read_bytes() == (landing / path.name).read_bytes()
    first = written[0][0]
    first.write_text("edited by hand")
    assert parking_tickets.write_extracts(tmp_path, SCALE, 11, force=False) == []
    parking_tickets.write_extracts(tmp_path, SCALE, 11, force=True)
    assert first.read_bytes() == (landing / first.name).read_bytes()


def _lines(landing) -> list[str]:
    return [
        line
        for path in sorted(landing.glob("PKT*.TXT"))
        for line in path.read_bytes().decode("ascii").split("\r\n")
        if line
    ]


def test_every_record_is_fixed_width_and_each_file_ends_with_its_trailer(landing):
    for path in landing.glob("PKT*.TXT"):
        lines = path.read_bytes().decode("ascii").split("\r\n")
        assert lines[-1] == ""  # CRLF after the last record
        tickets, trailer = lines[:-2], lines[-2]
        assert {len(line) for line in tickets} == {parking_tickets.RECORD_WIDTH}
        assert all(line.startswith("TKT") for line in tickets)
        assert trailer == "TRL" + str(len(tickets)).zfill(10)


def test_the_fields_and_the_mess_are_there(landing):
    tickets = [line for line in _lines(landing) if line.startswith("TKT")]
    field = {name: (start - 1, start - 1 + width) for name, start, width in parking_tickets.LAYOUT}

    def values(name):
        start, stop = field[name]
        return [line[start:stop] for line in tickets]

    assert set(values("set_fine")) >= {"00004000", "00007500"}  # implied cents
    assert "    " in values("issue_time")  # a time not keyed
    assert "00000000" in values("issue_date")
    locations = values("location")
    assert any(v.strip() == "N/A" for v in locations)
    assert any(" & " in v for v in locations)  # intersections: no house number
    assert all(v == v.upper() for v in locations + values("infraction_description"))
    numbers = values("ticket_number")
    assert len(numbers) > len(set(numbers))  # a ticket keyed twice


def test_the_writer_is_vectorised(tmp_path):
    table = parking_tickets.tickets_table(np.random.default_rng(1), 400_000)  # scale 20
    started = time.perf_counter()
    lines = parking_tickets.records(table)
    assert time.perf_counter() - started < 3
    assert lines.shape[0] >= 400_000
