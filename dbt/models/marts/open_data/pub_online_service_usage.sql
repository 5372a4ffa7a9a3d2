-- What the portal publishes of the website's service pages: monthly totals per service.
-- Counts of sessions, not of people: no small-cell suppression needed.
select
    cast(month as date) as month,
    cast(service_name as varchar) as service_name,
    cast(division_id as varchar) as division_id,
    cast(sessions as bigint) as sessions,
    cast(service_starts as bigint) as service_starts,
    cast(service_completions as bigint) as service_completions,
    cast(completion_rate as double) as completion_rate
from {{ ref('kpi_online_service_completion') }}
