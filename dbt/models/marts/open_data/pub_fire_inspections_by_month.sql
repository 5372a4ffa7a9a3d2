-- Fire Services' inspection KPI as published: one row per month and result, with small
-- cells (and their complements) suppressed as the dictionary entry declares.
with cells as (

    select month, result, inspections, violations_found
    from {{ ref('kpi_fire_inspections_by_month') }}

),

published as ({{ small_cell_suppression('cells') }})

select
    cast(month as date) as month,
    cast(result as varchar) as result,
    cast(inspections as bigint) as inspections,
    cast(violations_found as bigint) as violations_found,
    cast(is_suppressed as boolean) as is_suppressed
from published
