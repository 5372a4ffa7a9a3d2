-- What the portal publishes of the service scorecard: every KPI of the dictionary's
-- metrics.yml per service and month, with its target (the definitions are on the
-- dataset's page, generated from the same entries). Small counts of transactions are
-- suppressed with their complements, as the dictionary entry declares.
with published as ({{ small_cell_suppression(ref('kpi_service_scorecard')) }})

select
    cast(service_id as varchar) as service_id,
    cast(service_name as varchar) as service_name,
    cast(division_id as varchar) as division_id,
    cast(month as date) as month,
    cast(transactions as bigint) as transactions,
    cast(completed_transactions as bigint) as completed_transactions,
    cast(transactions_with_invalid_dates as bigint) as transactions_with_invalid_dates,
    cast(online_share as double) as online_share,
    cast(median_processing_days as double) as median_processing_days,
    cast(p90_processing_days as double) as p90_processing_days,
    cast(share_within_standard as double) as share_within_standard,
    cast(share_within_legislated_timeline as double) as share_within_legislated_timeline,
    cast(cost_per_transaction as double) as cost_per_transaction,
    cast(web_completion_rate as double) as web_completion_rate,
    cast(online_share_target as double) as online_share_target,
    cast(share_within_standard_target as double) as share_within_standard_target,
    -- the law's timeline is to be met every time; none where the law sets no timeline
    cast(
        case when legislated_days is not null then share_within_legislated_timeline_target end
        as double
    ) as share_within_legislated_timeline_target,
    cast(standard_days as double) as standard_days,
    cast(legislated_days as double) as legislated_days,
    cast(is_suppressed as boolean) as is_suppressed
from published
