"""Operations (road operations, Transportation): work orders, snow plow AVL pings and the
winter storm log, through the contracts, dbt and the gates of the session's warehouse."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timedelta

import pytest

from sample_data import snow_plow, winter_storms, work_orders

from .conftest import SCALE

SEED = 7  # the fixture's


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    """The same extracts the fixture loaded (same seed and scale), to compare with."""
    folder = tmp_path_factory.mktemp("operations")
    for module in (work_orders, winter_storms, snow_plow):
        module.write_extracts(folder, SCALE, SEED)
    return folder


def test_every_row_is_accounted_for(department_warehouse, landing):
    files = department_warehouse(
        "SELECT system, file_name, status, rows_read, rows_loaded, rows_quarantined, "
        "rows_dropped FROM raw._ingest_files "
        "WHERE system IN ('work_orders', 'snow_plow', 'winter_storms')"
    )
    assert {f[1] for f in files} == {
        p.name for p in landing.rglob("*") if p.is_file() and p.suffix in (".csv", ".jsonl")
    }
    for _system, name, status, read, loaded, quarantined, dropped in files:
        assert status == "loaded", name
        assert read == loaded + quarantined + dropped, name
    # the TOTAL row of every work order file is dropped by its rule, nothing else is
    dropped = [f[6] for f in files if f[0] == "work_orders"]
    assert dropped == [1] * 24


def test_work_order_mess(department_warehouse, landing):
    raw = "raw.work_orders_work_orders"
    # both header vintages load (old "Date Created"/US times, new "CreatedDate"/ISO)
    for month in ("2024-06", "2024-07"):
        (missing,) = department_warehouse(
            f"SELECT count(*) FILTER (WHERE created_at IS NULL OR activity IS NULL) "
            f"FROM {raw} WHERE _source_file = 'WorkOrders_{month}.csv'"
        )[0]
        assert missing == 0
    # mixed-case codes become names; the stray ";" and the upper case of statuses go
    assert department_warehouse(f"SELECT DISTINCT activity FROM {raw} ORDER BY 1") == [
        (name,) for name in sorted(work_orders.ACTIVITIES)
    ]
    statuses = {r[0] for r in department_warehouse(f"SELECT DISTINCT status FROM {raw}")}
    assert statuses == {"Open", "In Progress", "Completed", "Cancelled"}
    text = "".join(p.read_text() for p in (landing / "work_orders").glob("*.csv"))
    assert ";\n" in text and ",pth," in text and "COMPLETED" in text
    # a created year typed with its digits swapped (2052) is quarantined
    (typos,) = department_warehouse(
        "SELECT count(*) FROM raw._quarantined_rows WHERE system = 'work_orders' "
        "AND column_name = 'created_at' AND rule LIKE 'range:%'"
    )[0]
    assert typos == text.count("/2042 ") + text.count("2052-")
    assert typos > 0
    # a completion before creation is loaded empty and flagged
    (nulled,) = department_warehouse(
        "SELECT count(*) FROM raw._flagged_values WHERE system = 'work_orders' "
        "AND column_name = 'completed_at'"
    )[0]
    assert nulled > 0
    # a work order exported again when completed: staging keeps the later file's version
    repeated = department_warehouse(
        f"SELECT work_order_id, max(_source_file) FROM {raw} GROUP BY 1 HAVING count(*) > 1"
    )
    assert repeated
    order_id, latest_file = repeated[0]
    assert department_warehouse(
        "SELECT status, _source_file FROM staging.stg_work_orders__work_orders "
        "WHERE work_order_id = ?",
        [order_id],
    ) == [("Completed", latest_file)]


def test_published_work_orders_hold_nothing_personal(department_warehouse):
    columns = {r[0] for r in department_warehouse("DESCRIBE open_data.pub_road_work_orders")}
    assert not columns & {"street_address", "location", "notes", "crew_id", "requester"}
    (leaks,) = department_warehouse(
        "SELECT count(*) FROM open_data.pub_road_work_orders p "
        "JOIN raw.work_orders_work_orders r USING (work_order_id) "
        "WHERE p.address_block = r.street_address OR contains(r.notes, p.address_block)"
    )[0]
    assert leaks == 0
    # a requester's name from the notes appears in no published text column
    names = [
        r[0]
        for r in department_warehouse(
            "SELECT DISTINCT regexp_extract(notes, 'Requested by ([^,]+),', 1) "
            "FROM raw.work_orders_work_orders WHERE notes LIKE 'Requested by %' LIMIT 50"
        )
    ]
    published = " ".join(
        " ".join(str(v) for v in row)
        for row in department_warehouse("SELECT * FROM open_data.pub_road_work_orders")
    )
    assert names and not [n for n in names if n in published]
    (hours,) = department_warehouse(
        "SELECT round(hours_to_complete, 2) FROM open_data.pub_road_work_orders p "
        "WHERE completed_at IS NOT NULL ORDER BY work_order_id LIMIT 1"
    )[0]
    created, completed = department_warehouse(
        "SELECT created_at, completed_at FROM open_data.pub_road_work_orders "
        "WHERE completed_at IS NOT NULL ORDER BY work_order_id LIMIT 1"
    )[0]
    assert hours == pytest.approx((completed - created).total_seconds() // 60 / 60, abs=0.01)


def test_snow_plow_mess(department_warehouse, landing):
    lines = [line for p in sorted((landing / "snow_plow").glob("*.jsonl")) for line in p.open()]
    broken, parsed = 0, []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except json.JSONDecodeError:
            broken += 1
    assert broken > 0
    quarantined = dict(
        department_warehouse(
            "SELECT coalesce(column_name, 'line'), count(DISTINCT (file_name, source_row)) "
            "FROM raw._quarantined_rows WHERE system = 'snow_plow' GROUP BY 1"
        )
    )
    # cut-off lines cost their row, GPS jumps (0,0 or latitude > 90) are quarantined
    assert quarantined["line"] == broken
    jumps = sum(1 for p in parsed if not 45.0 <= p["lat"] <= 45.8)
    assert jumps > 0 and quarantined["latitude"] == jumps
    # the blade as 1/0 loads as a boolean like true/false
    numeric = sum(1 for p in parsed if p["blade_down"] in (0, 1) and type(p["blade_down"]) is int)
    assert numeric > 0
    (nulls,) = department_warehouse(
        "SELECT count(*) FROM raw.snow_plow_pings WHERE blade_down IS NULL"
    )[0]
    assert nulls == 0
    # a UTC ("Z") time and an offset time are the same kind of instant
    utc = next(p for p in parsed if p["ts"].endswith("Z") and 45.0 <= p["lat"] <= 45.8)
    instant = datetime.fromisoformat(utc["ts"].replace("Z", "+00:00"))
    assert (
        department_warehouse(
            "SELECT count(*) FROM raw.snow_plow_pings WHERE vehicle_id = ? AND recorded_at = ?",
            [utc["vehicle_id"], instant],
        )[0][0]
        >= 1
    )
    # a ping the modem re-sent counts once in staging
    (raw_rows,) = department_warehouse("SELECT count(*) FROM raw.snow_plow_pings")[0]
    (pings, keys) = department_warehouse(
        "SELECT count(*), count(DISTINCT ping_id) FROM staging.stg_snow_plow__pings"
    )[0]
    assert pings == keys < raw_rows


def test_passes_and_the_clearing_kpi(department_warehouse):
    (rows, keys) = department_warehouse(
        "SELECT count(*), count(DISTINCT (storm_number, segment_id, vehicle_id, started_at)) "
        "FROM core.fct_snow_plow_passes"
    )[0]
    assert rows == keys > 0
    (rows, keys) = department_warehouse(
        "SELECT count(*), count(DISTINCT (storm_number, road_class)) "
        "FROM open_data.pub_snow_clearing_times"
    )[0]
    assert rows == keys == 12 * 6
    # one storm and class by hand, from the pings: runs of blade-down pings per segment
    # and vehicle (gap <= 5 min), the first run started after snowfall ended, its end
    storm, road_class = 3, 2
    (end,) = department_warehouse(
        "SELECT snowfall_end_at FROM staging.stg_winter_storms__storms WHERE storm_number = ?",
        [storm],
    )[0]
    pings = department_warehouse(
        "SELECT segment_id, vehicle_id, recorded_at FROM staging.stg_snow_plow__pings "
        "WHERE storm_number = ? AND road_class = ? AND is_blade_down "
        "ORDER BY segment_id, vehicle_id, recorded_at",
        [storm, road_class],
    )
    runs = defaultdict(list)
    for segment, vehicle, at in pings:
        current = runs[(segment, vehicle)]
        if current and at - current[-1][1] <= timedelta(minutes=5):
            current[-1][1] = at
        else:
            current.append([at, at])
    cleared = defaultdict(list)
    for (segment, _), passes in runs.items():
        cleared[segment] += [stop for start, stop in passes if start >= end]
    (segments,) = department_warehouse(
        "SELECT count(*) FROM core.dim_road_segments WHERE road_class = ?", [road_class]
    )[0]
    assert len([s for s in cleared if cleared[s]]) == segments
    hours = (max(min(v) for v in cleared.values() if v) - end).total_seconds() // 60 / 60
    published = department_warehouse(
        "SELECT hours_to_clear, standard_hours, is_standard_met, segments_cleared "
        "FROM open_data.pub_snow_clearing_times WHERE storm_number = ? AND road_class = ?",
        [storm, road_class],
    )
    assert published == [(pytest.approx(hours, abs=0.01), 6, hours <= 6, segments)]
    # class 6 has no standard: neither met nor missed
    assert department_warehouse(
        "SELECT DISTINCT standard_hours, is_standard_met FROM open_data.pub_snow_clearing_times "
        "WHERE road_class = 6"
    ) == [(None, None)]
