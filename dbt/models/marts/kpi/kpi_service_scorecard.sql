-- GENERATED from data_dictionary/metrics.yml by `make dictionary-generate`. Do not edit: change the dictionary and regenerate.
-- The service scorecard: one row per service and month (the month its transactions
-- started), every KPI of the dictionary with its target (but the inventory's own shares
-- online, which have no month: kpi.kpi_online_service_availability).
with transactions as (

    select * from {{ ref('fct_service_transactions') }}

),

services as (

    select * from {{ ref('services') }}
    where coalesce(source_system, '') <> ''

),

months as (

    -- every month from the first to the last with transactions (the calendar's), and
    -- any month with transactions the calendar does not cover
    select distinct month_start as month
    from {{ ref('dim_dates') }}
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
        avg(case when is_online then 1e0 when is_online is not null then 0e0 end) as online_share,
        cast(percentile_cont(0.5) within group (order by processing_days) as double) as median_processing_days,
        cast(percentile_cont(0.9) within group (order by processing_days) as double) as p90_processing_days,
        avg(case when is_within_standard then 1e0 when is_within_standard is not null then 0e0 end) as share_within_standard,
        avg(case when is_within_legislated then 1e0 when is_within_legislated is not null then 0e0 end) as share_within_legislated_timeline
    from transactions
    group by service_id, month

),

costs as (
    -- the service's whole cost: its all-channel row (a channel row holds only the cost
    -- centres that serve that channel, alone or with a few others, a part of the whole)
    select service_id, quarter, sum(allocated_cost) as allocated_cost
    from {{ ref('kpi_service_costs') }}
    where channel_code is null
    group by service_id, quarter
),

quarters as (
    select service_id, quarter, sum(transactions) as transactions
    from (
        select service_id, {{ period_start('quarter', 'month') }} as quarter, coalesce(transactions, 0) as transactions
        from measured
    ) as monthly
    group by service_id, quarter
),

web as (
    -- the service's web pages (a page the register ties to no service is left out)
    select
        service_id,
        visit_month as month,
        cast(sum(least(service_completions, service_starts)) as double) / nullif(sum(service_starts), 0) as web_completion_rate
    from {{ ref('fct_web_service_page_days') }}
    where service_id is not null
    group by service_id, visit_month
)

select
    spine.service_id,
    services.service_name,
    services.division_id,
    spine.month,
    coalesce(measured.transactions, 0) as transactions,
    coalesce(measured.completed_transactions, 0) as completed_transactions,
    coalesce(measured.transactions_with_invalid_dates, 0) as transactions_with_invalid_dates,
    measured.online_share,
    measured.median_processing_days,
    measured.p90_processing_days,
    measured.share_within_standard,
    measured.share_within_legislated_timeline,
    cast(costs.allocated_cost / nullif(quarters.transactions, 0) as double)
        as cost_per_transaction,
    web.web_completion_rate,
    cast(0.6 as double) as online_share_target,
    services.standard_target_share as share_within_standard_target,
    cast(1.0 as double) as share_within_legislated_timeline_target,
    services.standard_days,
    services.legislated_days
from spine
inner join services on spine.service_id = services.service_id
left join measured
    on
        spine.service_id = measured.service_id
        and spine.month = measured.month
left join quarters
    on
        spine.service_id = quarters.service_id
        and {{ period_start('quarter', 'spine.month') }} = quarters.quarter
left join costs
    on
        spine.service_id = costs.service_id
        and quarters.quarter = costs.quarter
left join web
    on
        spine.service_id = web.service_id
        and spine.month = web.month
