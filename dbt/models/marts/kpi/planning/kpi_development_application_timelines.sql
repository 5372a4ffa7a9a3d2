-- One row per application type and year received: how many applications reached (or
-- ran past) their Planning Act timeline, and the share that met it. An application
-- still within its days, or withdrawn before its milestone, is not yet counted.
-- The share and the median are the KPIs of data_dictionary/metrics.yml (kpi_metric),
-- over the applications named as its transactions are (days to decision as processing
-- days, the Planning Act's timeline as the legislated one).
with applications as (

    select
        *,
        days_to_decision as processing_days,
        within_legislated_timeline as is_within_legislated
    from {{ ref('fct_development_applications') }}

)

select
    application_type,
    cast(date_trunc('year', received_date) as date) as received_year,
    any_value(legislated_days) as legislated_days,
    count(*) as applications_received,
    count(within_legislated_timeline) as applications_measured,
    sum(case when within_legislated_timeline then 1 else 0 end) as applications_within_timeline,
    {{ kpi_metric('share_within_legislated_timeline') }} as share_within_timeline,
    {{ kpi_metric('median_processing_days') }} as median_days_to_decision
from applications
group by application_type, cast(date_trunc('year', received_date) as date)
