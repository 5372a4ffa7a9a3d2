-- One row per month, service category and ward: the 311 response-time KPI.
select
    cast(date_trunc('month', created_at) as date) as month,
    service_category,
    ward_number,
    count(*) as requests_received,
    count(*) filter (where status = 'Closed') as requests_closed,
    median(days_to_close) as median_days_to_close,
    any_value(target_days) as target_days,
    count(*) filter (where is_closed_within_target) / count(*) as share_closed_within_target
from {{ ref('fct_service_requests') }}
group by all
