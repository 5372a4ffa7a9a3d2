-- Fire Services' inspection KPI as published: one row per month and result.
select
    cast(month as date) as month,
    cast(result as varchar) as result,
    cast(inspections as bigint) as inspections,
    cast(violations_found as bigint) as violations_found,
    cast(is_suppressed as boolean) as is_suppressed
from {{ ref('kpi_fire_inspections_by_month') }}
