-- One row per application type and year received: how many applications reached (or
-- ran past) their Planning Act timeline, and the share that met it. An application
-- still within its days, or withdrawn before its milestone, is not yet counted.
select
    application_type,
    cast(date_trunc('year', received_date) as date) as received_year,
    any_value(legislated_days) as legislated_days,
    count(*) as applications_received,
    count(within_legislated_timeline) as applications_measured,
    sum(case when within_legislated_timeline then 1 else 0 end) as applications_within_timeline,
    sum(case when within_legislated_timeline then 1 else 0 end) * 1.0
    / nullif(count(within_legislated_timeline), 0) as share_within_timeline,
    median(days_to_decision) as median_days_to_decision
from {{ ref('fct_development_applications') }}
group by application_type, cast(date_trunc('year', received_date) as date)
