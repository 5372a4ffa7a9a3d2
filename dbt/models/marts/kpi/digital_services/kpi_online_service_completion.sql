-- One row per month and online service: sessions, starts, completions and the completion
-- rate. The rate is the scorecard's KPI web_completion_rate (macro kpi_metric, generated
-- from data_dictionary/metrics.yml): completions beyond a day's starts (sessions begun the
-- day before) are capped at that day's starts, so the rate never exceeds 1.
select
    visit_month as month,
    service_name,
    max(division_id) as division_id,
    sum(sessions) as sessions,
    sum(service_starts) as service_starts,
    sum(service_completions) as service_completions,
    {{ kpi_metric('web_completion_rate') }} as completion_rate
from {{ ref('fct_web_service_page_days') }}
group by visit_month, service_name
