"""The KPIs of metrics.yml, computed by the generated scorecard SQL on a fixture whose
answers were worked out by hand (below, next to each row); the cost per transaction also
from ledger lines through finance's own models, with a cost centre the allocation table
does not list (reported, not dropped) and a split that rounds to the cent; the share of
services and of stages online from the inventory's stages."""

from __future__ import annotations

import duckdb
import pytest

from dagster_project.lib.dictionary import load_dictionary
from dagster_project.lib.dictionary.render.kpi import INVENTORY_SQL, scorecard_sql
from dagster_project.lib.dictionary.render.kpi_semantic import semantic_layer_yaml

FIXTURE = """
CREATE TABLE services AS SELECT * FROM (VALUES
    ('svc-a', 'Service A', 'planning', 'x', 5.0, 0.8, 10.0),
    ('svc-b', 'Service B', 'clerk', 'y', NULL, NULL, NULL),
    ('svc-c', 'Service C (no system)', 'clerk', NULL, NULL, NULL, NULL))
AS t(service_id, service_name, division_id, source_system, standard_days,
     standard_target_share, legislated_days);
CREATE TABLE dim_dates AS SELECT CAST(d AS DATE) AS date_day,
    CAST(date_trunc('month', d) AS DATE) AS month_start
FROM generate_series(DATE '2024-12-01', DATE '2025-06-30', INTERVAL 1 DAY) AS s(d);
CREATE TABLE fct_service_transactions AS SELECT * FROM (VALUES
  -- id    service  month         completed   online  days  invalid  in std  in law
  ('t1', 'svc-a', DATE '2025-01-01', true,    true,   2.0,  false,   true,   true),
  ('t2', 'svc-a', DATE '2025-01-01', true,    false,  6.0,  false,   false,  true),
  ('t3', 'svc-a', DATE '2025-01-01', false,   NULL,   NULL, false,   NULL,   NULL),  -- open
  -- t4: closed before it was created
  ('t4', 'svc-a', DATE '2025-01-01', true,    true,   NULL, true,    NULL,   NULL),
  ('t5', 'svc-a', DATE '2025-03-01', true,    true,   1.0,  false,   true,   true),
  ('t6', 'svc-b', DATE '2025-01-01', true,    false,  3.0,  false,   NULL,   NULL))
AS t(transaction_id, service_id, month, is_completed, is_online, processing_days,
     has_invalid_dates, is_within_standard, is_within_legislated);
ALTER TABLE fct_service_transactions ADD COLUMN completed_at TIMESTAMP;
UPDATE fct_service_transactions SET completed_at = TIMESTAMP '2025-01-20' WHERE is_completed;
CREATE TABLE kpi_service_costs AS SELECT * FROM (VALUES
    ('svc-a', 'phone', DATE '2025-01-01', 300.00),  -- a part of the whole below
    ('svc-a', NULL, DATE '2025-01-01', 500.00))
AS t(service_id, channel_code, quarter, allocated_cost);
CREATE TABLE fct_web_service_page_days AS SELECT * FROM (VALUES
  -- page        service  month             starts  completions
  ('/a-form',    'svc-a', DATE '2025-01-01', 10,     7),
  ('/a-form',    'svc-a', DATE '2025-01-01', 5,      4),
  ('/a-renewal', 'svc-a', DATE '2025-01-01', 5,      1),  -- a second page of svc-a
  ('/a-form',    'svc-a', DATE '2025-02-01', 0,      2),  -- no start: finished from January
  ('/a-form',    'svc-a', DATE '2025-03-01', 4,      6),  -- 2 more than the day's starts
  ('/fees',      NULL,    DATE '2025-01-01', 100,    100),  -- a page of several services
  ('/a-form',    'svc-a', DATE '2024-11-01', 9,      9))  -- before the first transaction
AS t(page_path, service_id, visit_month, service_starts, service_completions);
"""

COLUMNS = (
    "service_id, month, transactions, completed_transactions, transactions_with_invalid_dates, "
    "online_share, median_processing_days, p90_processing_days, share_within_standard, "
    "share_within_legislated_timeline, cost_per_transaction, web_completion_rate"
)


@pytest.fixture(scope="module")
def scorecard():
    metrics = list(load_dictionary().metrics.values())
    conn = duckdb.connect()
    conn.execute(FIXTURE)
    rows = conn.execute(
        f"SELECT {COLUMNS} FROM ({scorecard_sql(metrics, dbt=False)}) ORDER BY 1, 2"
    ).fetchall()
    conn.close()
    return {(r[0], r[1].isoformat()[:7]): r[2:] for r in rows}


def test_every_kpi_of_a_month_matches_the_hand_worked_answer(scorecard):
    # svc-a, January: 4 transactions, 3 completed (t1, t2, t4), 1 with invalid dates (t4);
    # online: t1 yes, t2 no, t4 yes, t3 unknown -> 2/3; processing days of the valid
    # completed ones [2, 6]: median 4, p90 2 + 0.9 * (6 - 2) = 5.6; within the standard
    # 1 of 2; within the law 2 of 2; cost: 500 in Q1 over 5 transactions in Q1 = 100.
    # web: both pages of svc-a, (7 + 4 + 1) completed of (10 + 5 + 5) started = 0.6.
    assert scorecard[("svc-a", "2025-01")] == pytest.approx(
        (4, 3, 1, 2 / 3, 4.0, 5.6, 0.5, 1.0, 100.0, 0.6)
    )
    # svc-a, March: t5 alone; web: 6 completions counted up to the 4 starts -> 1.0.
    assert scorecard[("svc-a", "2025-03")] == pytest.approx(
        (1, 1, 0, 1.0, 1.0, 1.0, 1.0, 1.0, 100.0, 1.0)
    )


def test_a_service_with_no_transactions_in_a_month_has_a_row_of_zero(scorecard):
    # (svc-a's February web page had no start: its completion rate is empty, not 0)
    assert scorecard[("svc-a", "2025-02")] == (
        0, 0, 0, None, None, None, None, None, 100.0, None
    )  # fmt: skip
    assert scorecard[("svc-b", "2025-03")] == (
        0, 0, 0, None, None, None, None, None, None, None
    )  # fmt: skip


def test_shares_are_empty_where_nothing_is_known_not_zero(scorecard):
    # svc-b has no standard and no legislated timeline: its shares are unknown, not 0;
    # and no cost was allocated to it: no cost per transaction (not 0); it has no web
    # page: no web completion rate (not 0).
    assert scorecard[("svc-b", "2025-01")] == (1, 1, 0, 0.0, 3.0, 3.0, None, None, None, None)


def test_only_services_with_a_system_and_only_months_in_range(scorecard):
    assert {service for service, _ in scorecard} == {"svc-a", "svc-b"}
    assert {month for _, month in scorecard} == {"2025-01", "2025-02", "2025-03"}


def test_each_kpi_is_a_metric_of_the_semantic_layer_with_its_definition():
    import yaml

    metrics = list(load_dictionary().metrics.values())
    document = yaml.safe_load(semantic_layer_yaml(metrics))
    rendered = {m["name"]: m for m in document["metrics"]}
    metrics = [m for m in metrics if m.kind not in INVENTORY_SQL]  # no month (below)
    assert {m.name for m in metrics} <= set(rendered)  # and the parts of the ratios
    for metric in metrics:
        assert metric.formula in rendered[metric.name]["description"]
    assert rendered["online_share"]["type_params"] == {
        "numerator": "is_online_true",
        "denominator": "is_online_known",
    }
    assert rendered["web_completion_rate"]["type_params"] == {
        "numerator": "web_completions_counted",
        "denominator": "web_starts",
    }


# The inventory's KPIs over its stages (service_stages: a stage a service does not have
# has no row), grouped as kpi_online_service_availability groups them.
INVENTORY_FIXTURE = """
CREATE TABLE service_stages AS SELECT * FROM (VALUES
    ('svc-a', 'planning', 'information', true),
    ('svc-a', 'planning', 'application', true),
    ('svc-a', 'planning', 'payment', true),
    ('svc-a', 'planning', 'decision', false),     -- svc-a: 3 of 4 stages, not fully online
    ('svc-b', 'clerk', 'information', true),
    ('svc-b', 'clerk', 'application', true),      -- svc-b: no payment, no decision: fully
    ('svc-c', 'clerk', 'information', true),
    ('svc-c', 'clerk', 'application', false),
    ('svc-c', 'clerk', 'payment', false))         -- svc-c: 1 of 3
AS t(service_id, division_id, stage, is_online);
"""


@pytest.fixture(scope="module")
def inventory_kpis():
    metrics = load_dictionary().metrics
    measures = ", ".join(
        f"{INVENTORY_SQL[m.kind]} AS {name}"
        for name, m in metrics.items()
        if m.kind in INVENTORY_SQL
    )
    conn = duckdb.connect()
    conn.execute(INVENTORY_FIXTURE)

    def by(group: str | None) -> dict:
        if group is None:
            return conn.execute(f"SELECT {measures} FROM service_stages").fetchall()[0]
        rows = conn.execute(
            f"SELECT {group}, {measures} FROM service_stages GROUP BY {group}"
        ).fetchall()
        return {row[0]: row[1:] for row in rows}

    yield by
    conn.close()


def test_the_share_of_services_and_of_stages_online_match_the_hand_worked_answer(
    inventory_kpis,
):
    # (share of services fully online, share of stages online)
    # city: svc-b alone is fully online, 1 of 3; stages 3 + 2 + 1 = 6 of 4 + 2 + 3 = 9
    assert inventory_kpis(None) == pytest.approx((1 / 3, 6 / 9))
    # divisions: planning svc-a (0 of 1, 3 of 4); clerk svc-b and svc-c (1 of 2, 3 of 5)
    assert inventory_kpis("division_id") == {
        "planning": pytest.approx((0.0, 3 / 4)),
        "clerk": pytest.approx((1 / 2, 3 / 5)),
    }
    # by stage, a service is counted where it has the stage: both shares are "of the
    # services with this stage, those offering it online" (payment: svc-a yes, svc-c no;
    # svc-b has no payment and is not counted)
    assert inventory_kpis("stage") == {
        "information": pytest.approx((1.0, 1.0)),
        "application": pytest.approx((2 / 3, 2 / 3)),
        "payment": pytest.approx((1 / 2, 1 / 2)),
        "decision": pytest.approx((0.0, 0.0)),
    }


def test_the_inventorys_kpis_are_not_in_the_monthly_scorecard_nor_the_semantic_layer():
    # they have no month (the inventory has no history): the KPI mart holds them
    import yaml

    metrics = list(load_dictionary().metrics.values())
    inventory = {m.name for m in metrics if m.kind in INVENTORY_SQL}
    assert inventory == {"share_of_services_online", "share_of_stages_online"}
    assert not any(name in scorecard_sql(metrics) for name in inventory)
    document = yaml.safe_load(semantic_layer_yaml(metrics))
    assert inventory.isdisjoint(m["name"] for m in document["metrics"])


# Cost per transaction from the ledger: finance's models (kpi_service_costs,
# kpi_unallocated_costs) on ledger lines and an allocation table, then the scorecard on
# their result. Worked out by hand next to each row.
COSTS_FIXTURE = """
CREATE TABLE fct_gl_actuals AS SELECT cost_centre, quarter,
    CAST(amount AS DECIMAL(14, 2)) AS actual_amount FROM (VALUES
    ('100', DATE '2025-01-01', 200.00),  -- the call centre: two lines, 300.00
    ('100', DATE '2025-01-01', 100.00),
    ('200', DATE '2025-01-01', 10.00),   -- a service desk split in three
    ('300', DATE '2025-01-01', 77.77),   -- a cost centre the table does not list
    ('400', DATE '2025-01-01', 50.00),   -- a counter allocated at 60%
    ('500', DATE '2025-01-01', 10.01),   -- a web and app platform: one row for both
    ('600', DATE '2025-01-01', 5.00),    -- the same for a service with no web or app use
    ('700', DATE '2025-01-01', 4.00))    -- a phone and e-mail desk
AS t(cost_centre, quarter, amount);
-- the transactions' channels: svc-a's Q1 has 3 on the web (t1, t4, t5), 1 in the app (t3)
-- and 1 by phone (t2); svc-b's t6 has none recorded
ALTER TABLE fct_service_transactions ADD COLUMN channel_code VARCHAR;
UPDATE fct_service_transactions SET channel_code = CASE transaction_id
    WHEN 't1' THEN 'web' WHEN 't4' THEN 'web' WHEN 't5' THEN 'web'
    WHEN 't3' THEN 'mobile_app' WHEN 't2' THEN 'phone' END;
CREATE TABLE cost_allocation AS SELECT cost_centre, cost_centre_name, service_id,
    channel_code, CAST(share AS DOUBLE) AS share FROM (VALUES
    ('100', 'Call centre', 'svc-a', 'phone', 1.0),
    ('200', 'Service desk', 'svc-a', '', 0.333334),
    ('200', 'Service desk', 'svc-b', '', 0.333333),
    ('200', 'Service desk', 'svc-c', '', 0.333333),
    ('400', 'Permit counter', 'svc-b', 'walk_in', 0.6),
    ('500', 'Web platform', 'svc-a', 'web|mobile_app', 0.5),  -- in two halves
    ('500', 'Web platform', 'svc-a', 'web|mobile_app', 0.5),
    ('700', 'Phone and e-mail desk', 'svc-a', 'phone|email', 1.0),
    ('600', 'Web platform B', 'svc-b', 'web|mobile_app', 1.0))
AS t(cost_centre, cost_centre_name, service_id, channel_code, share);
"""


def _finance_model(name: str) -> str:
    """A finance KPI model's SQL with its refs pointing at the fixture's tables."""
    import re

    from dagster_project.settings import PROJECT_DIR

    sql = (PROJECT_DIR / "dbt" / "models" / "marts" / "kpi" / "finance" / f"{name}.sql").read_text()
    return re.sub(r"\{\{\s*ref\('(\w+)'\)\s*\}\}", r"\1", sql)


@pytest.fixture(scope="module")
def costs():
    conn = duckdb.connect()
    conn.execute(FIXTURE)
    conn.execute(COSTS_FIXTURE)
    # the service costs from the ledger, in place of the fixture's ready-made ones
    conn.execute("DROP TABLE kpi_service_costs")
    conn.execute(f"CREATE TABLE kpi_service_costs AS {_finance_model('kpi_service_costs')}")
    allocated = conn.execute(
        "SELECT service_id, channel_code, allocated_cost FROM kpi_service_costs ORDER BY 1, 2"
    ).fetchall()
    unallocated = conn.execute(
        f"SELECT cost_centre, cost_centre_name, actual_cost, unallocated_cost, reason "
        f"FROM ({_finance_model('kpi_unallocated_costs')}) ORDER BY 1"
    ).fetchall()
    metrics = list(load_dictionary().metrics.values())
    per_transaction = dict(
        conn.execute(
            f"SELECT service_id, cost_per_transaction FROM ({scorecard_sql(metrics, dbt=False)}) "
            "WHERE month = DATE '2025-01-01'"
        ).fetchall()
    )
    conn.close()
    return allocated, unallocated, per_transaction


def test_costs_are_split_to_the_cent_and_what_is_not_allocated_is_reported(costs):
    from decimal import Decimal

    allocated, unallocated, _ = costs
    # The service desk's 10.00 in thirds: 3.33 each rounded, the largest share (svc-a,
    # 0.333334) takes the remainder: 3.34. svc-a: 300.00 (call centre, all by phone) +
    # 3.34 + 10.01 (web platform); svc-b: 3.33 + 30.00 (60% of the counter's 50.00,
    # walk-in) + 5.00 (platform B); svc-c: 3.33; and svc-a the desk's 4.00.
    # A cost centre serving a few channels together gives one row for them: the web
    # platform's 10.01 (allocated in two halves, 5.01 and the rest, 5.00) is svc-a's
    # 'web|mobile_app' row; the desk's 4.00 its 'phone|email' row (the call centre's phone
    # row stays its own 300.00); platform B's 5.00 svc-b's.
    assert allocated == [
        ("svc-a", "phone", Decimal("300.00")),
        ("svc-a", "phone|email", Decimal("4.00")),
        ("svc-a", "web|mobile_app", Decimal("10.01")),
        ("svc-a", None, Decimal("317.35")),
        ("svc-b", "walk_in", Decimal("30.00")),
        ("svc-b", "web|mobile_app", Decimal("5.00")),
        ("svc-b", None, Decimal("38.33")),
        ("svc-c", None, Decimal("3.33")),
    ]
    # The unlisted cost centre is reported whole, the counter's other 40% too: never
    # dropped. Ledger 456.78 = allocated 359.01 (all channels) + unallocated 97.77.
    unlisted, partly = "cost centre not in the allocation table", "shares add up to less than 1"
    assert unallocated == [
        ("300", None, Decimal("77.77"), Decimal("77.77"), unlisted),
        ("400", "Permit counter", Decimal("50.00"), Decimal("20.00"), partly),
    ]
    total = sum(cost for _, channel, cost in allocated if channel is None)
    assert total + sum(row[3] for row in unallocated) == Decimal("456.78")


def test_cost_per_transaction_is_the_quarters_cost_over_its_transactions(costs):
    _, _, per_transaction = costs
    # svc-a: 317.35 over its 5 transactions of Q1 (t1-t4 in January, t5 in March);
    # svc-b: 38.33 over t6 alone; svc-c has no system: no transactions, no scorecard row
    # (its 3.33 stays in kpi_service_costs, above).
    assert per_transaction == pytest.approx({"svc-a": 317.35 / 5, "svc-b": 38.33})
