"""The KPIs of metrics.yml, computed by the generated scorecard SQL on a fixture whose
answers were worked out by hand (below, next to each row)."""

from __future__ import annotations

import duckdb
import pytest

from dagster_project.lib.dictionary import load_dictionary
from dagster_project.lib.dictionary.render.kpi import scorecard_sql
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
