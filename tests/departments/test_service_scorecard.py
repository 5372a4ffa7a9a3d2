"""The service scorecard on the whole sample city: its grain, its edge cases, and the
same KPI from the scorecard table and from MetricFlow (the dbt semantic layer), both
generated from data_dictionary/metrics.yml."""

from __future__ import annotations

import pytest

from tests.departments.metricflow import metricflow_query


def test_one_row_per_service_with_a_system_and_month(department_warehouse):
    (rows, keys, services, months) = department_warehouse(
        "SELECT count(*), count(DISTINCT (service_id, month)), count(DISTINCT service_id), "
        "count(DISTINCT month) FROM kpi.kpi_service_scorecard"
    )[0]
    assert rows == keys == services * months
    (with_system,) = department_warehouse(
        "SELECT count(*) FROM reference.services WHERE coalesce(source_system, '') <> ''"
    )[0]
    assert services == with_system


def test_the_scorecard_counts_every_transaction_and_every_invalid_date(department_warehouse):
    assert department_warehouse(
        "SELECT sum(transactions), sum(transactions_with_invalid_dates) "
        "FROM kpi.kpi_service_scorecard"
    ) == department_warehouse(
        "SELECT count(*), count(*) FILTER (WHERE has_invalid_dates) "
        "FROM core.fct_service_transactions"
    )


def test_cost_per_transaction_is_the_quarters_cost_over_its_transactions(department_warehouse):
    [(service, month, cost_per_transaction)] = department_warehouse(
        "SELECT service_id, month, cost_per_transaction FROM kpi.kpi_service_scorecard "
        "WHERE service_id = 'foi-request' AND month = DATE '2025-02-01'"
    )
    [(cost,)] = department_warehouse(
        "SELECT sum(allocated_cost) FROM kpi.kpi_service_costs WHERE service_id = 'foi-request' "
        "AND channel_code IS NULL AND quarter = DATE '2025-01-01'"
    )
    [(transactions,)] = department_warehouse(
        "SELECT count(*) FROM core.fct_service_transactions WHERE service_id = 'foi-request' "
        "AND month BETWEEN DATE '2025-01-01' AND DATE '2025-03-01'"
    )
    assert cost_per_transaction == pytest.approx(float(cost) / transactions)


def test_metricflow_gives_the_scorecards_numbers(department_warehouse):
    """`mf query` on the semantic layer generated from the same definitions."""
    rows = metricflow_query(
        department_warehouse,
        "--metrics", "transactions,online_share,median_processing_days",
        "--group-by", "service,metric_time__month",
    )  # fmt: skip
    semantic = {(r["service"], r["metric_time__month"][:10]): r for r in rows}
    scorecard = department_warehouse(
        "SELECT service_id, CAST(month AS VARCHAR), transactions, online_share, "
        "median_processing_days FROM kpi.kpi_service_scorecard WHERE transactions > 0"
    )
    assert len(scorecard) == len(semantic) > 0
    for service, month, transactions, online, median in scorecard:
        row = semantic[(service, month)]
        assert int(row["transactions"]) == transactions
        for ours, theirs in (
            (online, row["online_share"]),
            (median, row["median_processing_days"]),
        ):
            assert (ours is None) == (theirs in ("", None)) or ours == pytest.approx(float(theirs))


def test_the_published_cost_per_transaction_agrees_with_the_scorecard(department_warehouse):
    mismatched = department_warehouse("""
        SELECT c.service_id, c.quarter, c.cost_per_transaction, s.cost_per_transaction
        FROM open_data.pub_cost_per_transaction AS c
        JOIN kpi.kpi_service_scorecard AS s
          ON s.service_id = c.service_id AND date_trunc('quarter', s.month) = c.quarter
        WHERE c.channel_code = 'all' AND NOT c.is_suppressed  -- a small quarter is empty
          AND abs(coalesce(c.cost_per_transaction, -1) - coalesce(s.cost_per_transaction, -1))
              > 1e-9""")
    assert mismatched == []


def test_the_inventory_publishes_every_service_and_its_online_stages(department_warehouse):
    assert department_warehouse(
        "SELECT count(*), sum(stages_online), sum(stages_offered) FROM "
        "open_data.pub_service_inventory"
    ) == department_warehouse(
        "SELECT count(*), sum(stages_online), sum(stages_offered) FROM reference.services"
    )


def test_the_share_of_services_online_is_the_inventorys_counted_by_hand(department_warehouse):
    """The published city, division and stage rows against services.yml counted here:
    a service is fully online when every stage it has is online; n/a stages not counted."""
    from dagster_project.lib.dictionary import load_dictionary

    services = [s for s in load_dictionary().services.values() if s.stages_offered]
    rows = department_warehouse(
        "SELECT breakdown, coalesce(division_id, service_stage, 'city'), services, "
        "services_online, stages_offered, stages_online "
        "FROM open_data.pub_online_service_availability"
    )
    published = {(r[0], r[1]): r[2:] for r in rows}

    def counted(group: list) -> tuple[int, int, int, int]:
        return (
            len(group),
            sum(s.online_stages == s.stages_offered for s in group),
            sum(s.stages_offered for s in group),
            sum(s.online_stages for s in group),
        )

    expected = {("city", "city"): counted(services)}
    for division in {s.division for s in services}:
        expected[("division", division)] = counted([s for s in services if s.division == division])
    for stage in {
        stage for s in services for stage, online in s.stages.items() if online is not None
    }:
        having = [s for s in services if s.stages[stage] is not None]
        online = sum(bool(s.stages[stage]) for s in having)
        expected[("stage", stage)] = (len(having), online, len(having), online)
    assert published == expected
    shares = department_warehouse(
        "SELECT count(*) FROM open_data.pub_online_service_availability "
        "WHERE abs(share_of_services_online - round(services_online / services, 4)) > 1e-9 "
        "OR abs(share_of_stages_online - round(stages_online / stages_offered, 4)) > 1e-9"
    )
    assert shares == [(0,)]
