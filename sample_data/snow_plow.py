"""Operations (road operations, Transportation): the snow plows' AVL (automatic vehicle
location) GPS pings, one JSON Lines file per storm, ``avl_<first day>_storm<n>.jsonl``.

Each ping: vehicle, local time with its offset, WGS84 position, the road segment the
vendor snapped it to with the segment's O. Reg. 239/02 class (1-6), blade down or up and
speed. The mess, at low rates: the blade state as ``1``/``0`` from older modems instead
of ``true``/``false``; a firmware that reports UTC (``...Z``); pings re-sent by the modem
after a lost connection (the same vehicle and instant twice); GPS jumps (null island,
latitudes out of range); lines cut off when the modem dropped mid-upload.

Lines are built by DuckDB from numpy columns in one statement (millions of rows per
storm at large scales) and written from the Arrow buffer of the result, never a Python
loop per row.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from .winter_storms import storm_table

SYSTEM = "snow_plow"
FOLDER = "snow_plow"
RNG_NUMBER = 20
PINGS_PER_STORM = 25_000  # at scale 1
SEGMENTS = 500  # road segments at scale 1
VEHICLES = 20
CLASS_WEIGHTS = [5, 10, 20, 25, 25, 15]  # share of segments in MMS classes 1-6
# O. Reg. 239/02 snow-accumulation clearing times (hours) per class; class 6 has none,
# the yards plow it within about a day and a half
CLEARING_HOURS = np.array([4, 6, 12, 16, 24, 36])
# blade-down passes per segment while snow falls (main roads are plowed throughout)
PASSES_DURING = np.array([3.0, 2.0, 1.5, 1.0, 0.5, 0.3])
CITY_BOX = (45.30, 45.50, -75.90, -75.55)  # lat min/max, lon min/max of the road network


def road_network(seed: int, scale: float) -> dict[str, np.ndarray]:
    """The segments (the same for every storm of a seed and scale)."""
    rng = np.random.default_rng([seed, RNG_NUMBER, 0])
    count = max(50, int(SEGMENTS * scale))
    road_class = rng.choice(6, count, p=np.array(CLASS_WEIGHTS) / sum(CLASS_WEIGHTS)) + 1
    return {
        "segment": np.char.add("RS-", np.char.zfill(np.arange(1, count + 1).astype(str), 6)),
        "road_class": road_class,
        "lat": rng.uniform(CITY_BOX[0], CITY_BOX[1], count),
        "lon": rng.uniform(CITY_BOX[2], CITY_BOX[3], count),
    }


def storm_pings(
    rng: np.random.Generator, network: dict, start, end, severity: float, target: int, vehicles: int
) -> pa.Table:
    """About ``target`` pings of one storm: blade-down passes over segments while snow
    falls and after it stops (by class priority), and blade-up travel between them."""
    segments = len(network["segment"])
    cls = network["road_class"] - 1
    during = rng.poisson(PASSES_DURING[cls])
    after = 1 + (rng.random(segments) < 0.3)  # a second clean-up pass on some segments
    pass_segment = np.concatenate(
        [np.repeat(np.arange(segments), during), np.repeat(np.arange(segments), after)]
    )
    storm_seconds = (end - start).astype(int)
    during_start = start + (rng.random(during.sum()) * storm_seconds).astype("timedelta64[s]")
    # the clean-up: within the class's standard on a normal storm, later on a severe one
    delay_hours = CLEARING_HOURS[cls[pass_segment[during.sum() :]]] * severity
    delay_hours = delay_hours * rng.uniform(0.05, 1.0, len(delay_hours))
    after_start = end + (delay_hours * 3600).astype("timedelta64[s]")
    pass_start = np.concatenate([during_start, after_start])
    passes = len(pass_segment)
    per_pass = rng.integers(3, 9, passes)
    ping_pass = np.repeat(np.arange(passes), per_pass)
    within = np.arange(len(ping_pass)) - np.repeat(np.cumsum(per_pass) - per_pass, per_pass)
    blade_time = pass_start[ping_pass] + (within * 15).astype("timedelta64[s]")
    blade_vehicle = rng.integers(0, vehicles, passes)[ping_pass]
    blade_segment = pass_segment[ping_pass]
    travel = max(target - len(ping_pass), 0)
    span = storm_seconds + int(CLEARING_HOURS.max() * 3600)
    travel_time = start + (rng.random(travel) * span).astype("timedelta64[s]")
    at = np.concatenate([blade_time, travel_time])
    segment = np.concatenate([blade_segment, rng.integers(0, segments, travel)])
    order = np.argsort(at, kind="stable")
    rows = len(at)
    blade = np.concatenate([np.ones(len(ping_pass), bool), np.zeros(travel, bool)])[order]
    segment = segment[order]
    lat = network["lat"][segment] + rng.normal(0, 0.0004, rows)
    lon = network["lon"][segment] + rng.normal(0, 0.0004, rows)
    jump = rng.random(rows) < 0.0005
    lat[jump] = np.where(rng.random(jump.sum()) < 0.5, 0.0, 91.0 + rng.random(jump.sum()))
    lon[jump] = np.where(lat[jump] == 0.0, 0.0, lon[jump])
    table = pa.table(
        {
            "vehicle": np.char.add(
                "PLOW-",
                np.char.zfill(
                    (101 + np.concatenate([blade_vehicle, rng.integers(0, vehicles, travel)]))[
                        order
                    ].astype(str),
                    3,
                ),
            ),
            "ts_utc": at[order],
            "lat": lat,
            "lon": lon,
            "segment": network["segment"][segment],
            "road_class": network["road_class"][segment],
            "blade": blade,
            "speed": np.round(
                np.where(blade, rng.uniform(15, 40, rows), rng.uniform(25, 70, rows)), 1
            ),
            "blade_as_number": rng.random(rows) < 0.05,
            "utc": rng.random(rows) < 0.01,
            "cut_off": rng.random(rows) < 0.0002,
        }
    )
    resent = 1 + (rng.random(rows) < 0.002).astype(int)
    return table.take(np.repeat(np.arange(rows), resent))


LINE_SQL = """
SELECT '{"vehicle_id":"' || vehicle
    || '","ts":"' || CASE WHEN utc THEN strftime(ts_utc, '%Y-%m-%dT%H:%M:%SZ')
                          ELSE strftime(ts_utc - INTERVAL 5 HOUR, '%Y-%m-%dT%H:%M:%S-05:00') END
    || '","lat":' || printf('%.6f', lat) || ',"lon":' || printf('%.6f', lon)
    || ',"segment_id":"' || segment || '","road_class":' || road_class
    || ',"blade_down":' || CASE WHEN blade_as_number THEN (CASE WHEN blade THEN '1' ELSE '0' END)
                                ELSE (CASE WHEN blade THEN 'true' ELSE 'false' END) END
    || ',"speed_kmh":' || printf('%.1f', speed) || '}' AS line, cut_off
FROM pings
"""


def write_storm(table: pa.Table, path: Path) -> int:
    """Write the pings as JSON Lines; cut-off lines lose their second half."""
    conn = duckdb.connect()
    conn.register("pings", table)
    lines = conn.execute(
        f"SELECT CASE WHEN cut_off THEN left(line, length(line) // 2) ELSE line END "
        f"|| chr(10) AS line FROM ({LINE_SQL})"
    ).fetch_arrow_table()
    conn.close()
    array = lines.column("line").combine_chunks()
    # every line ends with a newline: the string buffer between the first and last
    # offsets is the file, byte for byte
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int32)[array.offset :]
    data = array.buffers()[2]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.to_pybytes()[offsets[0] : offsets[len(array)]])
    return len(array)


def write_extracts(
    out_dir: Path, scale: float = 1.0, seed: int = 42, force: bool = False, storms=None
) -> list[tuple[Path, int]]:
    """One file per storm (``storms``: only these storm numbers, for benchmarks)."""
    rng = np.random.default_rng([seed, RNG_NUMBER])
    network = road_network(seed, scale)
    log = storm_table(seed)
    vehicles = max(4, int(VEHICLES * scale))
    written = []
    for i, number in enumerate(log["storm"]):
        target = int(PINGS_PER_STORM * scale * rng.uniform(0.75, 1.25))
        storm_rng = np.random.default_rng([seed, RNG_NUMBER, int(number)])
        day = np.datetime_as_string(log["start"][i] - np.timedelta64(5, "h"), unit="D")
        path = Path(out_dir) / FOLDER / f"avl_{day}_storm{number}.jsonl"
        if storms is not None and number not in storms:
            continue
        if not force and path.exists():
            written.append((path, sum(1 for _ in path.open("rb"))))
            continue
        table = storm_pings(
            storm_rng, network, log["start"][i], log["end"][i], log["severity"][i], target, vehicles
        )
        written.append((path, write_storm(table, path)))
    return written
