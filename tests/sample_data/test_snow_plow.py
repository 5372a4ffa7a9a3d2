"""Operations' snow plow AVL pings and storm log (sample_data.snow_plow, winter_storms):
deterministic, JSON Lines with their mess, storms matching the log."""

from __future__ import annotations

import json
import time

from sample_data import snow_plow, winter_storms


def test_same_seed_same_bytes(tmp_path):
    first = snow_plow.write_extracts(tmp_path / "a", 0.05, 5)
    second = snow_plow.write_extracts(tmp_path / "b", 0.05, 5)
    for (a, rows_a), (b, rows_b) in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes() and rows_a == rows_b
    log_a = winter_storms.write_extracts(tmp_path / "a", 0.05, 5)[0][0]
    log_b = winter_storms.write_extracts(tmp_path / "b", 0.05, 5)[0][0]
    assert log_a.read_bytes() == log_b.read_bytes()


def test_one_file_per_storm_of_the_log_with_the_mess(tmp_path):
    started = time.perf_counter()
    written = snow_plow.write_extracts(tmp_path, 1.0, 42)
    assert time.perf_counter() - started < 10
    assert len(written) == 12
    log = winter_storms.write_extracts(tmp_path, 1.0, 42)[0][0].read_text().splitlines()
    assert log[0] == "Storm No,Snowfall Start,Snowfall End,Accumulation (cm)"
    assert len(log) == 13 and any(line.endswith(",-") for line in log)
    for (path, rows), line in zip(written, log[1:], strict=True):
        number, start = line.split(",")[:2]
        assert path.name == f"avl_{start[:10]}_storm{number}.jsonl"
        assert 0.7 * 25_000 < rows < 1.3 * 25_000
    lines = written[0][0].read_text().splitlines()
    assert len(lines) == written[0][1]
    broken, pings = 0, []
    for line in lines:
        try:
            pings.append(json.loads(line))
        except json.JSONDecodeError:
            broken += 1
    assert 0 < broken < 20
    assert pings[0]["ts"].endswith("-05:00") and any(p["ts"].endswith("Z") for p in pings)
    assert {type(p["blade_down"]) for p in pings} == {bool, int}
    assert any(p["lat"] == 0.0 for p in pings) or any(p["lat"] > 90 for p in pings)
    keys = [(p["vehicle_id"], p["ts"]) for p in pings]
    assert len(keys) > len(set(keys))  # pings re-sent by the modem
    assert {p["road_class"] for p in pings} == {1, 2, 3, 4, 5, 6}
