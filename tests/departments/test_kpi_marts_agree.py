"""The KPI marts that predate metrics.yml (311 response time by ward, digital adoption)
agree with the service scorecard on the sample city: same transactions, same formulas
(macro kpi_metric, generated from the same definitions as the scorecard)."""

from __future__ import annotations

import pytest

from tests.departments.metricflow import metricflow_query

# 311 categories and their services of the inventory
CATEGORY_SERVICE = """
    (VALUES ('Roads', '311-roads'), ('Waste', '311-waste'), ('Parks', '311-parks'),
            ('Water', '311-water'), ('By-law', '311-bylaw'),
            ('Animal Services', '311-animal-services'), ('Snow', '311-snow'),
            ('Transit', '311-transit')) AS c(service_category, service_id)
"""


def test_a_categorys_wards_add_up_to_its_services_scorecard_counts(department_warehouse):
    mismatched = department_warehouse(f"""
        WITH wards AS (
            SELECT c.service_id, p.month, sum(p.requests_received) AS received,
                   sum(p.requests_closed) AS closed
            FROM kpi.kpi_service_request_performance AS p
            JOIN {CATEGORY_SERVICE} USING (service_category)
            GROUP BY ALL)
        SELECT s.service_id, s.month, s.transactions, s.completed_transactions,
               wards.received, wards.closed
        FROM kpi.kpi_service_scorecard AS s
        LEFT JOIN wards USING (service_id, month)
        WHERE s.service_id LIKE '311-%'
          AND (s.transactions <> coalesce(wards.received, 0)
               OR s.completed_transactions <> coalesce(wards.closed, 0))""")
    assert mismatched == []


# The response-time KPIs worked out here with plain SQL (median, share among the known)
# over the 311 transactions, grouped by `{by}`.
BY_HAND = """
    SELECT {by}, median(t.processing_days) AS median_days,
           avg(CAST(t.is_within_standard AS INTEGER)) AS share_within_standard,
           max(t.standard_days) AS standard_days
    FROM core.fct_service_transactions AS t
    JOIN core.fct_service_requests AS r ON t.transaction_id = 'crm311:' || r.request_id
    JOIN {categories} USING (service_category)
    WHERE t.source_system = 'crm311'
    GROUP BY {by}
"""


def _same(ours, theirs) -> bool:
    return ours is theirs is None or (
        None not in (ours, theirs) and ours == pytest.approx(theirs, abs=1e-9)
    )


def test_each_ward_row_is_the_median_and_share_of_its_own_requests(department_warehouse):
    by_hand = BY_HAND.format(by="t.month, c.service_category, r.ward_number",
                             categories=CATEGORY_SERVICE)  # fmt: skip
    rows = department_warehouse(f"""
        SELECT p.median_days_to_close, h.median_days, p.share_closed_within_target,
               h.share_within_standard, p.target_days, h.standard_days
        FROM kpi.kpi_service_request_performance AS p
        FULL JOIN ({by_hand}) AS h
          ON h.month = p.month AND h.service_category = p.service_category
         AND h.ward_number IS NOT DISTINCT FROM p.ward_number""")
    assert len(rows) > 100
    for median, hand_median, share, hand_share, target, standard in rows:
        assert _same(median, hand_median) and _same(share, hand_share)
        assert target == standard


def test_the_same_sums_over_wards_give_the_scorecards_figures(department_warehouse):
    """With the ward left out, the very computation of the ward rows above gives each 311
    service's scorecard figures: the two datasets share their transactions and formulas."""
    by_hand = BY_HAND.format(by="t.month, c.service_id", categories=CATEGORY_SERVICE)
    rows = department_warehouse(f"""
        SELECT s.median_processing_days, h.median_days, s.share_within_standard,
               h.share_within_standard
        FROM kpi.kpi_service_scorecard AS s
        JOIN ({by_hand}) AS h USING (service_id, month)""")
    assert len(rows) > 10
    for median, hand_median, share, hand_share in rows:
        assert _same(median, hand_median) and _same(share, hand_share)


def test_digital_adoption_counts_the_scorecards_311_transactions(department_warehouse):
    mismatched = department_warehouse("""
        WITH scorecard AS (
            SELECT month, sum(transactions) AS transactions FROM kpi.kpi_service_scorecard
            WHERE service_id LIKE '311-%' GROUP BY month)
        SELECT month, a.service_requests, scorecard.transactions
        FROM scorecard LEFT JOIN kpi.kpi_digital_adoption AS a USING (month)
        WHERE coalesce(a.service_requests, 0) <> scorecard.transactions""")
    assert mismatched == []


def test_digital_adoptions_311_share_online_is_the_semantic_layers(department_warehouse):
    """MetricFlow's online_share (the same metrics.yml entry, rendered for the semantic
    layer) over the 311 transactions, by month, is the dataset's share."""
    rows = metricflow_query(
        department_warehouse,
        "--metrics", "online_share", "--group-by", "metric_time__month",
        "--where", "{{ Dimension('transaction__source_system') }} = 'crm311'",
    )  # fmt: skip
    semantic = {r["metric_time__month"][:10]: r["online_share"] for r in rows}
    adoption = department_warehouse(
        "SELECT CAST(month AS VARCHAR), share_service_requests_online "
        "FROM kpi.kpi_digital_adoption WHERE service_requests > 0"
    )
    assert len(adoption) == len(semantic) > 0
    for month, share in adoption:
        theirs = semantic[month]
        assert (share is None) == (theirs in ("", None)) or share == pytest.approx(float(theirs))


def test_the_scorecards_web_completion_rate_is_online_service_usages(department_warehouse):
    """A service with one web page: the scorecard's rate is that page's rate in the
    online service usage dataset (the same formula, kpi_metric('web_completion_rate'));
    a service without a page has none."""
    compared = department_warehouse("""
        WITH one_page AS (
            SELECT service_id, any_value(service_name) AS service_name
            FROM core.dim_online_service_pages WHERE service_id IS NOT NULL
            GROUP BY service_id HAVING count(*) = 1)
        SELECT s.service_id, s.month, s.web_completion_rate, u.completion_rate
        FROM kpi.kpi_service_scorecard AS s
        JOIN one_page USING (service_id)
        JOIN kpi.kpi_online_service_completion AS u
          ON u.service_name = one_page.service_name AND u.month = s.month""")
    assert len(compared) > 100
    for service, month, ours, theirs in compared:
        assert ours == pytest.approx(theirs, abs=1e-12), (service, month)
    assert (
        department_warehouse("""
        SELECT DISTINCT service_id FROM kpi.kpi_service_scorecard
        WHERE web_completion_rate IS NOT NULL AND service_id NOT IN (
            SELECT service_id FROM core.dim_online_service_pages
            WHERE service_id IS NOT NULL)""")
        == []
    )


def test_the_semantic_layers_web_completion_rate_counts_only_pages_of_one_service(
    department_warehouse,
):
    """Asked for all services together (by month only), MetricFlow's web completion
    rate leaves out the pages the register ties to no single service (the building
    permit fee page), as the KPI's definition says; the sample city has such a page, so
    counting it would change the figures."""
    rows = metricflow_query(
        department_warehouse, "--metrics", "web_completion_rate", "--group-by", "metric_time__month"
    )
    semantic = {r["metric_time__month"][:10]: r["web_completion_rate"] for r in rows}
    by_hand = department_warehouse("""
        SELECT CAST(visit_month AS VARCHAR),
               sum(least(service_completions, service_starts))
                   FILTER (WHERE service_id IS NOT NULL)
               / sum(service_starts) FILTER (WHERE service_id IS NOT NULL),
               sum(least(service_completions, service_starts)) / sum(service_starts)
        FROM core.fct_web_service_page_days
        GROUP BY visit_month
        HAVING sum(service_starts) FILTER (WHERE service_id IS NOT NULL) > 0""")
    assert len(by_hand) > 0
    assert any(ours != pytest.approx(with_every_page) for _, ours, with_every_page in by_hand)
    for month, ours, _ in by_hand:
        assert float(semantic[month]) == pytest.approx(ours), month
