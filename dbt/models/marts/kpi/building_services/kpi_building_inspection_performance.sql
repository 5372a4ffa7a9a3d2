-- One row per month (of the visit) and inspection type, over inspections carried out:
-- pass rate, and timeliness against the Ontario Building Code, Div. C, 1.3.5.3 (the
-- inspector inspects within two days after the notice). The median and the share are the
-- KPIs of data_dictionary/metrics.yml (kpi_metric), over the inspections named as its
-- transactions are (days from the request as processing days, two days as the
-- legislated timeline).
with inspections as (

    select
        *,
        days_request_to_inspection as processing_days,
        is_within_two_days as is_within_legislated
    from {{ ref('fct_building_inspections') }}
    where is_completed

)

select
    cast({{ month_start('inspection_date') }} as date) as month,
    inspection_type,
    count(*) as inspections,
    sum(case when result = 'Passed' then 1 else 0 end) as inspections_passed,
    sum(case when result = 'Passed' then 1.0 else 0.0 end) / count(*) as pass_rate,
    {{ kpi_metric('median_processing_days') }} as median_days_request_to_inspection,
    {{ kpi_metric('share_within_legislated_timeline') }} as share_within_two_days
from inspections
group by 1, 2
