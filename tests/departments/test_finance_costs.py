"""Finance: the general-ledger actuals (general_ledger) and the cost allocation through the
contract, dbt and the gates, in the session's warehouse (scale 0.2): the inputs of the
cost-per-transaction KPI."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import yaml

ALLOCATION = Path(__file__).parents[2] / "data_dictionary" / "cost_allocation.yml"


def test_every_row_is_accounted_for(department_warehouse):
    files = department_warehouse(
        "SELECT file_name, encoding, rows_read, rows_loaded, rows_quarantined, rows_dropped "
        "FROM raw._ingest_files WHERE system = 'general_ledger' AND status = 'loaded' "
        "ORDER BY file_name"
    )
    assert len(files) == 24  # one per fiscal month of 2024-2025
    for name, encoding, read, loaded, quarantined, dropped in files:
        assert read == loaded + quarantined + dropped, name
        assert quarantined == 0, name
        assert dropped == 1, name  # the total row
        assert encoding == ("cp1252" if "2024" in name else "utf-8"), name
    (rules,) = department_warehouse(
        "SELECT list(DISTINCT rule) FROM raw._dropped_rows WHERE system = 'general_ledger'"
    )[0]
    assert rules == ["total_trailer"]


def test_amounts_read_right(department_warehouse):
    # "(48,250.00)" (old ledger) and "-..." (new): negatives; "1,234.56": thousands
    rows = department_warehouse(
        "SELECT document_number, amount FROM raw.general_ledger_actuals "
        "WHERE document_number LIKE 'JE24-09%' ORDER BY document_number"
    )
    assert rows == [
        ("JE24-0917", Decimal("48250.00")),
        ("JE24-0917R", Decimal("-48250.00")),
        ("JE24-0918", Decimal("48250.00")),
    ]
    (negative_2025, large) = department_warehouse(
        "SELECT count(*) FILTER (WHERE amount < 0 AND fiscal_period LIKE '2025-%'), "
        "count(*) FILTER (WHERE amount >= 1000) FROM raw.general_ledger_actuals"
    )[0]
    assert negative_2025 > 0 and large > 1000


def test_the_reversal_pair_nets_to_zero(department_warehouse):
    (pair,) = department_warehouse(
        "SELECT sum(amount) FROM staging.stg_general_ledger__ledger_lines "
        "WHERE document_number IN ('JE24-0917', 'JE24-0917R')"
    )[0]
    assert pair == 0
    (reversals,) = department_warehouse(
        "SELECT count(*) FROM staging.stg_general_ledger__ledger_lines WHERE is_reversal"
    )[0]
    assert reversals == 1
    # parking's September contracted services hold the month's summary line only
    parking, summary = department_warehouse(
        "SELECT (SELECT actual_amount FROM core.fct_gl_actuals WHERE cost_centre = '3120' "
        "AND gl_account = '6210' AND month = DATE '2024-09-01'), "
        "(SELECT amount FROM staging.stg_general_ledger__ledger_lines "
        "WHERE cost_centre = '3120' AND gl_account = '6210' AND month = DATE '2024-09-01' "
        "AND NOT is_journal_entry)"
    )[0]
    assert parking == summary


def test_the_leading_zero_cost_centre_is_one(department_warehouse):
    (raw_codes,) = department_warehouse(
        "SELECT list(DISTINCT cost_centre ORDER BY cost_centre) FROM raw.general_ledger_actuals "
        "WHERE cost_centre IN ('410', '0410')"
    )[0]
    assert raw_codes == ["0410", "410"]  # July 2024 lost the zero
    months = department_warehouse(
        "SELECT count(DISTINCT month), count(DISTINCT cost_centre) FROM core.fct_gl_actuals "
        "WHERE cost_centre = '0410'"
    )[0]
    assert months == (24, 1)
    (short,) = department_warehouse(
        "SELECT count(*) FROM core.fct_gl_actuals WHERE length(cost_centre) <> 4"
    )[0]
    assert short == 0


def test_the_resent_line_counts_once(department_warehouse):
    (conflicts,) = department_warehouse(
        "SELECT count(*) FROM raw._key_conflicts WHERE system = 'general_ledger'"
    )[0]
    raw_rows, staged, distinct = department_warehouse(
        "SELECT (SELECT count(*) FROM raw.general_ledger_actuals), "
        "(SELECT count(*) FROM staging.stg_general_ledger__ledger_lines), "
        "(SELECT count(DISTINCT document_number) FROM raw.general_ledger_actuals)"
    )[0]
    assert conflicts >= 1 and staged == distinct == raw_rows - 1
    (grain,) = department_warehouse(
        "SELECT count(*) - count(DISTINCT (cost_centre, gl_account, month)) "
        "FROM core.fct_gl_actuals"
    )[0]
    assert grain == 0


def test_actuals_are_allocated_or_reported_per_quarter(department_warehouse):
    rows = department_warehouse(
        "WITH a AS (SELECT quarter, sum(actual_amount) AS actual FROM core.fct_gl_actuals "
        "GROUP BY quarter), s AS (SELECT quarter, sum(allocated_cost) AS allocated "
        "FROM kpi.kpi_service_costs WHERE channel_code IS NULL GROUP BY quarter), "
        "u AS (SELECT quarter, sum(unallocated_cost) AS unallocated "
        "FROM kpi.kpi_unallocated_costs GROUP BY quarter) "
        "SELECT a.quarter, a.actual, s.allocated, u.unallocated FROM a "
        "JOIN s USING (quarter) JOIN u USING (quarter) ORDER BY a.quarter"
    )
    assert [r[0].isoformat() for r in rows] == [
        f"{year}-{month:02d}-01" for year in (2024, 2025) for month in (1, 4, 7, 10)
    ]  # "P03 FY2024" and "2025-03": both read as months of their year
    for quarter, actual, allocated, unallocated in rows:
        assert actual == allocated + unallocated, quarter  # decimals: to the cent
        assert allocated > 0 and unallocated > 0


def test_one_service_quarter_by_hand(department_warehouse):
    # the FOI service: 0.85 of Clerk - FOI and Privacy (0410), nothing else, no channel
    actual = department_warehouse(
        "SELECT sum(amount) FROM staging.stg_general_ledger__ledger_lines "
        "WHERE cost_centre = '0410' AND month BETWEEN DATE '2024-07-01' AND DATE '2024-09-01'"
    )[0][0]
    by_hand = (actual * Decimal("0.85")).quantize(Decimal("0.01"))
    rows = department_warehouse(
        "SELECT channel_code, allocated_cost FROM kpi.kpi_service_costs "
        "WHERE service_id = 'foi-request' AND quarter = DATE '2024-07-01'"
    )
    assert rows == [(None, by_hand)]
    unallocated = department_warehouse(
        "SELECT unallocated_cost, reason FROM kpi.kpi_unallocated_costs "
        "WHERE cost_centre = '0410' AND quarter = DATE '2024-07-01'"
    )
    assert unallocated == [(actual - by_hand, "shares add up to less than 1")]
    # property tax payment: tax billing (1) plus the cashiers' counter (0.40, walk_in)
    billing, counter = (
        department_warehouse(
            "SELECT sum(amount) FROM staging.stg_general_ledger__ledger_lines "
            f"WHERE cost_centre = '{centre}' AND month BETWEEN DATE '2025-01-01' "
            "AND DATE '2025-03-01'"
        )[0][0]
        for centre in ("3100", "3110")
    )
    walk_in = (counter * Decimal("0.40")).quantize(Decimal("0.01"))
    rows = dict(
        department_warehouse(
            "SELECT coalesce(channel_code, 'all'), allocated_cost FROM kpi.kpi_service_costs "
            "WHERE service_id = 'property-tax-payment' AND quarter = DATE '2025-01-01'"
        )
    )
    assert rows == {"all": billing + walk_in, "walk_in": walk_in}


def test_a_cost_centre_without_allocation_is_reported(department_warehouse):
    allocation = yaml.safe_load(ALLOCATION.read_text(encoding="utf-8"))
    listed = {c["cost_centre"] for c in allocation["cost_centres"]}
    assert "2110" not in listed  # Animal Services: forgotten by the allocation table
    rows = department_warehouse(
        "SELECT count(*), count(cost_centre_name), min(reason), max(reason), "
        "sum(actual_cost) = sum(unallocated_cost) FROM kpi.kpi_unallocated_costs "
        "WHERE cost_centre = '2110'"
    )[0]
    assert rows == (8, 0, "cost centre not in the allocation table",
                    "cost centre not in the allocation table", True)  # fmt: skip
    (not_listed,) = department_warehouse(
        "SELECT list(DISTINCT cost_centre ORDER BY cost_centre) FROM kpi.kpi_unallocated_costs "
        "WHERE reason = 'cost centre not in the allocation table'"
    )[0]
    assert {"0110", "0120", "2110"} <= set(not_listed)
    assert not set(not_listed) & listed


def test_the_311_platform_is_one_row_for_the_web_and_the_app(department_warehouse):
    # the web and app platform (4110) serves both channels together: each 311 service's
    # share of it is one 'web+mobile_app' row over its requests on both channels (not
    # split between them: a split by count would publish each channel's count in its cost)
    (platform,) = department_warehouse(
        "SELECT sum(amount) FROM staging.stg_general_ledger__ledger_lines "
        "WHERE cost_centre = '4110' AND month BETWEEN DATE '2024-04-01' AND DATE '2024-06-01'"
    )[0]
    share = (platform * Decimal("0.25")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    rows = dict(
        department_warehouse(
            "SELECT channel_code, allocated_cost FROM kpi.kpi_service_costs "
            "WHERE service_id = '311-waste' AND quarter = DATE '2024-04-01' "
            "AND channel_code IS NOT NULL"
        )
    )
    assert set(rows) == {"phone", "web|mobile_app"} and rows["web|mobile_app"] == share
    (requests,) = department_warehouse(
        "SELECT count(*) FROM core.fct_service_transactions WHERE service_id = '311-waste' "
        "AND month BETWEEN DATE '2024-04-01' AND DATE '2024-06-01' "
        "AND channel_code IN ('web', 'mobile_app')"
    )[0]
    published = department_warehouse(
        "SELECT channel_code, allocated_cost, transactions, cost_per_transaction, is_suppressed "
        "FROM open_data.pub_cost_per_transaction WHERE service_id = '311-waste' "
        "AND quarter = DATE '2024-04-01' AND channel_code <> 'all' ORDER BY 1"
    )
    assert [r[0] for r in published] == ["phone", "web+mobile_app"]
    online = published[1]
    assert online[1:3] == (share, requests) and not online[4]
    assert online[3] == pytest.approx(float(share) / requests)
    # no channel row counts the service's transactions: a phone row with no phone
    # request counts 0 (and has no cost per transaction)
    empty = department_warehouse(
        "SELECT count(*), count(cost_per_transaction) FROM open_data.pub_cost_per_transaction "
        "WHERE channel_code <> 'all' AND transactions = 0"
    )[0]
    assert empty[1] == 0
