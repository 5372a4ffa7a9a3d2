-- One row per month and inspection result: Fire Services' inspection workload and
-- outcomes. A count below the small-cell threshold is published empty (inspections
-- of homes stand for the people living there).
select
    inspection_month as month,
    result,
    {{ suppress_small_cell('count(*)', 'count(*)') }} as inspections,
    {{ suppress_small_cell('sum(violation_count)', 'count(*)') }} as violations_found,
    {{ is_small_cell('count(*)') }} as is_suppressed
from {{ ref('fct_fire_inspections') }}
group by inspection_month, result
