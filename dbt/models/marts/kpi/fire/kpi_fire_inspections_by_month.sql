-- One row per month and inspection result: Fire Services' inspection workload and
-- outcomes. Not suppressed (internal); pub_fire_inspections_by_month publishes it with
-- small cells suppressed (inspections of homes stand for the people living there).
select
    inspection_month as month,
    result,
    count(*) as inspections,
    sum(violation_count) as violations_found
from {{ ref('fct_fire_inspections') }}
group by inspection_month, result
