-- One row per month received, complaint type, ward and outcome: the by-law case KPI,
-- cases received and the median calendar days to close the closed ones.
select
    cast(date_trunc('month', received_date) as date) as month,
    complaint_type,
    ward_number,
    outcome,
    count(*) as cases_received,
    count(days_to_close) as cases_closed_with_valid_times,
    percentile_cont(0.5) within group (order by days_to_close) as median_days_to_close
from {{ ref('fct_bylaw_cases') }}
group by 1, 2, 3, 4
