-- One row per month of permit issue: how many issued permits have been inspected and
-- the median days from issue to the first inspection carried out (the median processing
-- time of data_dictionary/metrics.yml, kpi_metric, over those days).
with first_inspections as (

    select
        permit_number,
        min(days_since_permit_issue) as processing_days  -- to the first inspection
    from {{ ref('fct_building_inspections') }}
    where is_completed
    group by permit_number

),

issued as (

    select
        permit_number,
        cast({{ month_start('issue_date') }} as date) as issue_month
    from {{ ref('fct_building_permits') }}
    where issue_date is not null

)

select
    issued.issue_month,
    count(*) as permits_issued,
    count(first_inspections.processing_days) as permits_inspected,
    {{ kpi_metric('median_processing_days') }} as median_days_to_first_inspection
from issued
left join first_inspections on first_inspections.permit_number = issued.permit_number
group by issued.issue_month
