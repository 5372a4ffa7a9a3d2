-- The 311 response-time KPI as published: one row per month, category and ward, with
-- small cells (and their complements) suppressed as the dictionary entry declares.
with cells as (

    select
        month,
        service_category,
        ward_number,
        requests_received,
        requests_closed,
        median_days_to_close,
        target_days,
        share_closed_within_target
    from {{ ref('kpi_service_request_performance') }}

),

published as ({{ small_cell_suppression('cells') }})

select
    cast(month as date) as month,
    cast(service_category as varchar) as service_category,
    cast(ward_number as integer) as ward_number,
    cast(requests_received as bigint) as requests_received,
    cast(requests_closed as bigint) as requests_closed,
    cast(round(median_days_to_close, 3) as double) as median_days_to_close,
    cast(target_days as integer) as target_days,
    cast(round(share_closed_within_target, 4) as double) as share_closed_within_target,
    cast(is_suppressed as boolean) as is_suppressed
from published
