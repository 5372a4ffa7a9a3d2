-- The building inspection KPI as published: one row per month and inspection type, with
-- small cells (and their complements) suppressed as the dictionary entry declares.
with cells as (

    select
        month,
        inspection_type,
        inspections,
        inspections_passed,
        pass_rate,
        median_days_request_to_inspection,
        share_within_two_days
    from {{ ref('kpi_building_inspection_performance') }}

),

published as ({{ small_cell_suppression('cells') }})

select
    cast(month as date) as month,
    cast(inspection_type as varchar) as inspection_type,
    cast(inspections as bigint) as inspections,
    cast(inspections_passed as bigint) as inspections_passed,
    cast(round(pass_rate, 4) as double) as pass_rate,
    cast(round(median_days_request_to_inspection, 3) as double)
        as median_days_request_to_inspection,
    cast(round(share_within_two_days, 4) as double) as share_within_two_days,
    cast(is_suppressed as boolean) as is_suppressed
from published
