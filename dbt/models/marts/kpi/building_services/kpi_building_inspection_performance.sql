-- One row per month (of the visit) and inspection type, over inspections carried out:
-- pass rate, and timeliness against the Ontario Building Code, Div. C, 1.3.5.3 (the
-- inspector inspects within two days after the notice).
select
    cast({{ month_start('inspection_date') }} as date) as month,
    inspection_type,
    count(*) as inspections,
    sum(case when result = 'Passed' then 1 else 0 end) as inspections_passed,
    sum(case when result = 'Passed' then 1.0 else 0.0 end) / count(*) as pass_rate,
    percentile_cont(0.5) within group (
        order by days_request_to_inspection
    ) as median_days_request_to_inspection,
    sum(case when is_within_two_days then 1.0 else 0.0 end)
    / nullif(count(days_request_to_inspection), 0) as share_within_two_days
from {{ ref('fct_building_inspections') }}
where is_completed
group by 1, 2
