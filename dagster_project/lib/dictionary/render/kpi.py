"""The KPI definitions (metrics.yml) rendered for their dbt consumers: the scorecard model's
SQL and the ``kpi_metric`` macro (dbt's semantic layer: ``kpi_semantic.py``).

One function per target, each reading the same ``Metric`` entries: change a definition
in the dictionary and both the published scorecard and the analysts' MetricFlow queries
change with it (``make dictionary-generate``; ``make dictionary-check`` fails on drift).
"""

from __future__ import annotations

from ..metrics import INVENTORY_KINDS, Metric

GENERATED = (
    "GENERATED from data_dictionary/metrics.yml by `make dictionary-generate`. "
    "Do not edit: change the dictionary and regenerate."
)


def _measure_sql(metric: Metric) -> str | None:
    """The metric as an aggregate over one service and month's transactions."""
    if metric.kind == "count":
        return "count(*)"
    if metric.kind == "share":  # among the transactions where the flag is known
        return f"avg(case when {metric.of} then 1e0 when {metric.of} is not null then 0e0 end)"
    if metric.kind == "percentile":
        return (
            f"cast(percentile_cont({metric.percentile:g}) within group "
            f"(order by {metric.of}) as double)"
        )
    return None  # cost_ratio: from the quarter's costs; web_completion: from the web pages


# The inventory's KPIs over rows of service_stages (one per service and stage it offers):
# a service is fully online when none of its stages is offline.
INVENTORY_SQL = {
    "stage_share": "avg(case when is_online then 1e0 else 0e0 end)",
    "service_share": (
        "1e0 - cast(count(distinct case when is_online is not true then service_id end) "
        "as double) / nullif(count(distinct service_id), 0)"
    ),
}

# The web completion rate over rows of core.fct_web_service_page_days: a day's
# completions count up to its starts (a form begun the day before finishes today).
WEB_COMPLETION_SQL = (
    "cast(sum(least(service_completions, service_starts)) as double) "
    "/ nullif(sum(service_starts), 0)"
)


def metric_macros_sql(metrics: list[Metric]) -> str:
    """A dbt macro, ``kpi_metric('<name>')``, that gives a KPI's aggregate over rows of
    core.fct_service_transactions (the web completion rate: of
    core.fct_web_service_page_days; the inventory's KPIs: of service_stages): the KPI
    marts other than the scorecard (311 response time by ward, digital adoption, online
    service usage, online availability) group the same rows by their own dimensions with
    the very formula the scorecard uses."""
    formulas = {m.name: sql for m in metrics if (sql := _measure_sql(m)) is not None}
    formulas.update({m.name: WEB_COMPLETION_SQL for m in metrics if m.kind == "web_completion"})
    formulas.update({m.name: INVENTORY_SQL[m.kind] for m in metrics if m.kind in INVENTORY_SQL})
    branches = "".join(
        f"    {'{%- if' if i == 0 else '{%- elif'} name == '{name}' %}}{sql}\n"
        for i, (name, sql) in enumerate(formulas.items())
    )
    return f"""{{#- {GENERATED}
    The KPIs of metrics.yml as aggregates over the rows their grain names (transactions:
    core.fct_service_transactions or a relation with its columns; the web completion
    rate: core.fct_web_service_page_days; the inventory's: service_stages), grouped as
    the caller groups them:
        select service_id, month, {{{{ kpi_metric('online_share') }}}} as online_share
        from {{{{ ref('fct_service_transactions') }}}} group by service_id, month
-#}}
{{% macro kpi_metric(name) -%}}
{branches}    {{%- else -%}}
    {{{{ exceptions.raise_compiler_error(
        "kpi_metric: " ~ name ~ " is not a KPI of "
        ~ "data_dictionary/metrics.yml (one of: {", ".join(formulas)})"
    ) }}}}
    {{%- endif %}}
{{%- endmacro %}}
"""


def _target_sql(metric: Metric) -> str | None:
    """The KPI's target on each row: the dictionary's value, or the service's own."""
    if not metric.target:
        return None
    if metric.target.get("per_service"):
        return f"services.{metric.target['per_service']}"
    return f"cast({metric.target['value']!r} as double)"


def scorecard_sql(metrics: list[Metric], *, dbt: bool = True) -> str:
    """One row per service of the inventory that has a source system and per month from
    the first to the last month with transactions: a service with no transaction in a
    month has a row (transactions 0, the rest empty), never a missing one. ``dbt=False``
    gives plain SQL over tables of the same names (for tests on a hand-made fixture)."""
    ref = (lambda name: f"{{{{ ref('{name}') }}}}") if dbt else (lambda name: name)
    # the inventory's KPIs have no month: kpi_online_service_availability holds them
    metrics = [m for m in metrics if m.kind not in INVENTORY_KINDS]

    def quarter(column: str) -> str:  # the first day of the column's quarter
        if dbt:
            return f"{{{{ period_start('quarter', '{column}') }}}}"
        return f"cast(date_trunc('quarter', {column}) as date)"

    measured = ",\n".join(
        f"        {sql} as {m.name}"
        for m in metrics
        if (sql := _measure_sql(m)) is not None and m.name != "transactions"
    )
    shown = ",\n".join(
        f"    measured.{m.name}"
        for m in metrics
        if m.kind not in ("count", "cost_ratio", "web_completion")
    )
    targets = "".join(
        f",\n    {sql} as {m.name}_target" for m in metrics if (sql := _target_sql(m))
    )
    has_cost = any(m.kind == "cost_ratio" for m in metrics)
    cost_column = (
        ",\n    cast(costs.allocated_cost / nullif(quarters.transactions, 0) as double)\n"
        "        as cost_per_transaction"
        if has_cost
        else ""
    )
    cost_ctes = (
        f""",

costs as (
    -- the service's whole cost: its all-channel row (a channel row holds only the cost
    -- centres that serve that channel, alone or with a few others, a part of the whole)
    select service_id, quarter, sum(allocated_cost) as allocated_cost
    from {ref("kpi_service_costs")}
    where channel_code is null
    group by service_id, quarter
),

quarters as (
    select service_id, quarter, sum(transactions) as transactions
    from (
        select service_id, {quarter("month")} as quarter, coalesce(transactions, 0) as transactions
        from measured
    ) as monthly
    group by service_id, quarter
)"""
        if has_cost
        else ""
    )
    cost_joins = (
        f"""
left join quarters
    on
        spine.service_id = quarters.service_id
        and {quarter("spine.month")} = quarters.quarter
left join costs
    on
        spine.service_id = costs.service_id
        and quarters.quarter = costs.quarter"""
        if has_cost
        else ""
    )
    web = next((m for m in metrics if m.kind == "web_completion"), None)
    web_column = f",\n    web.{web.name}" if web else ""
    web_cte = (
        f""",

web as (
    -- the service's web pages (a page the register ties to no service is left out)
    select
        service_id,
        visit_month as month,
        {WEB_COMPLETION_SQL} as {web.name}
    from {ref("fct_web_service_page_days")}
    where service_id is not null
    group by service_id, visit_month
)"""
        if web
        else ""
    )
    web_join = (
        """
left join web
    on
        spine.service_id = web.service_id
        and spine.month = web.month"""
        if web
        else ""
    )
    return f"""-- {GENERATED}
-- The service scorecard: one row per service and month (the month its transactions
-- started), every KPI of the dictionary with its target (but the inventory's own shares
-- online, which have no month: kpi.kpi_online_service_availability).
with transactions as (

    select * from {ref("fct_service_transactions")}

),

services as (

    select * from {ref("services")}
    where coalesce(source_system, '') <> ''

),

months as (

    -- every month from the first to the last with transactions (the calendar's), and
    -- any month with transactions the calendar does not cover
    select distinct month_start as month
    from {ref("dim_dates")}
    where month_start between (select min(month) from transactions)
        and (select max(month) from transactions)
    union
    select distinct month from transactions

),

spine as (

    select services.service_id, months.month
    from services
    cross join months

),

measured as (

    select
        service_id,
        month,
        count(*) as transactions,
        count(completed_at) as completed_transactions,
        sum(case when has_invalid_dates then 1 else 0 end) as transactions_with_invalid_dates,
{measured}
    from transactions
    group by service_id, month

){cost_ctes}{web_cte}

select
    spine.service_id,
    services.service_name,
    services.division_id,
    spine.month,
    coalesce(measured.transactions, 0) as transactions,
    coalesce(measured.completed_transactions, 0) as completed_transactions,
    coalesce(measured.transactions_with_invalid_dates, 0) as transactions_with_invalid_dates,
{shown}{cost_column}{web_column}{targets},
    services.standard_days,
    services.legislated_days
from spine
inner join services on spine.service_id = services.service_id
left join measured
    on
        spine.service_id = measured.service_id
        and spine.month = measured.month{cost_joins}{web_join}
"""
