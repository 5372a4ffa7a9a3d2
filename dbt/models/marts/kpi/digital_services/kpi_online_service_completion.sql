-- One row per month and online service: sessions, starts, completions and the completion
-- rate. Completions beyond a day's starts (sessions begun the day before) are capped at
-- that day's starts for the rate, so the rate never exceeds 1.
select
    visit_month as month,
    service_name,
    max(division_id) as division_id,
    sum(sessions) as sessions,
    sum(service_starts) as service_starts,
    sum(service_completions) as service_completions,
    cast(sum(least(service_completions, service_starts)) as double)
    / nullif(sum(service_starts), 0) as completion_rate
from {{ ref('fct_web_service_page_days') }}
group by visit_month, service_name
