"""Digital Services' web-analytics exports (web_analytics) in the session's warehouse:
every row accounted for, the tool's mess handled as the contract says, the fact's grain,
the completion-rate KPI by hand, and the published monthly shape."""

from __future__ import annotations

import datetime as dt

from sample_data import web_analytics

from .conftest import SCALE

SYSTEM = "web_analytics"
RAW = "raw.web_analytics_page_days"


def test_every_row_is_loaded_quarantined_or_dropped(department_warehouse, tmp_path):
    sent = {p.name: n for p, n in web_analytics.write_extracts(tmp_path, SCALE, 7, force=True)}
    files = department_warehouse(
        "SELECT file_name, rows_read, rows_loaded, rows_quarantined, rows_dropped "
        "FROM raw._ingest_files WHERE system = ? AND status = 'loaded'",
        [SYSTEM],
    )
    assert {name: read for name, read, *_ in files} == sent
    for name, read, loaded, quarantined, dropped in files:
        assert read == loaded + quarantined + dropped
        # one (other) row a day and the Totals row
        assert dropped == (639 + 1 if name == web_analytics.BACKFILL else 2), name
    (loaded,) = department_warehouse(f"SELECT count(*) FROM {RAW}")[0]
    assert loaded == sum(row[2] for row in files)


def test_the_mess_is_handled_as_the_contract_says(department_warehouse):
    rules = department_warehouse(
        "SELECT rule, count(*) FROM raw._dropped_rows WHERE system = ? GROUP BY 1 ORDER BY 1",
        [SYSTEM],
    )
    assert rules == [("long_tail_aggregate", 639 + 92), ("report_totals_row", 93)]
    # the backfill's own header spellings and 20240131 dates, read through the aliases
    first, last, days = department_warehouse(
        f"SELECT min(visit_date), max(visit_date), count(DISTINCT visit_date) FROM {RAW}"
    )[0]
    assert (first, last, days) == (dt.date(2024, 1, 1), dt.date(2025, 12, 31), 731)
    devices = department_warehouse(f"SELECT DISTINCT device_category FROM {RAW} ORDER BY 1")
    assert devices == [("desktop",), ("mobile",), ("tablet",)]
    # (not set) is a null sentinel; the page register names the service instead
    (unset,) = department_warehouse(f"SELECT count(*) FROM {RAW} WHERE service_name IS NULL")[0]
    assert unset > 0
    (unnamed,) = department_warehouse(
        "SELECT count(*) FROM core.fct_web_service_page_days WHERE service_name IS NULL"
    )[0]
    assert unnamed == 0
    # more completions than starts: loaded as sent and flagged, row by row
    over, flagged = department_warehouse(f"""
        SELECT (SELECT count(*) FROM {RAW} WHERE service_completions > service_starts),
               (SELECT count(*) FROM raw._flagged_values
                WHERE system = '{SYSTEM}' AND rule LIKE '%completions_within_starts%')""")[0]
    assert over == flagged > 0


def test_the_repeated_day_counts_once(department_warehouse):
    (conflicts,) = department_warehouse(
        "SELECT count(*) FROM raw._key_conflicts WHERE system = ?", [SYSTEM]
    )[0]
    assert conflicts > 0
    raw_rows, raw_keys, fact_rows, fact_keys = department_warehouse(f"""
        SELECT (SELECT count(*) FROM {RAW}),
               (SELECT count(DISTINCT (visit_date, page_path, device_category)) FROM {RAW}),
               count(*), count(DISTINCT page_day_key)
        FROM core.fct_web_service_page_days""")[0]
    assert raw_rows > raw_keys == fact_rows == fact_keys


def test_completion_rate_by_hand(department_warehouse):
    rows = department_warehouse(
        "SELECT sessions, service_starts, service_completions "
        "FROM core.fct_web_service_page_days "
        "WHERE visit_month = DATE '2025-03-01' AND service_name = 'Parking ticket'"
    )
    starts = sum(r[1] for r in rows)
    capped = sum(min(r[2], r[1]) for r in rows)
    published = department_warehouse(
        "SELECT sessions, service_starts, service_completions, completion_rate, division_id "
        "FROM open_data.pub_online_service_usage "
        "WHERE month = DATE '2025-03-01' AND service_name = 'Parking ticket'"
    )[0]
    assert published[:3] == tuple(sum(r[i] for r in rows) for i in range(3))
    assert abs(published[3] - capped / starts) < 1e-12
    assert published[4] == "bylaw-enforcement"


def test_one_published_row_per_month_and_service(department_warehouse):
    rows, keys, months, services, top = department_warehouse("""
        SELECT count(*), count(DISTINCT (month, service_name)), count(DISTINCT month),
               count(DISTINCT service_name), max(completion_rate)
        FROM open_data.pub_online_service_usage""")[0]
    assert rows == keys == months * services and months == 24
    assert services == len(web_analytics.SERVICES) and top <= 1
