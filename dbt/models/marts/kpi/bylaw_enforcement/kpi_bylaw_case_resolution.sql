-- One row per month received, complaint type, ward and outcome: the by-law case KPI,
-- cases received and the median calendar days to close the closed ones (the median
-- processing time of data_dictionary/metrics.yml, kpi_metric, over days to close).
with cases as (

    select
        *,
        days_to_close as processing_days
    from {{ ref('fct_bylaw_cases') }}

)

select
    cast(date_trunc('month', received_date) as date) as month,
    complaint_type,
    ward_number,
    outcome,
    count(*) as cases_received,
    count(days_to_close) as cases_closed_with_valid_times,
    {{ kpi_metric('median_processing_days') }} as median_days_to_close
from cases
group by 1, 2, 3, 4
