-- One row per day, service page and device category of the city website.
select
    page_days.page_day_key,
    page_days.visit_date,
    {{ month_start('page_days.visit_date') }} as visit_month,
    page_days.page_path,
    -- the page register's name first: the tool sometimes loses it ("(not set)")
    coalesce(services.service_name, page_days.service_name) as service_name,
    services.division_id,
    -- the inventory's service (empty for a page that serves several, e.g. permit fees)
    pages.service_id,
    page_days.device_category,
    page_days.sessions,
    page_days.service_starts,
    page_days.service_completions,
    page_days.service_completions > page_days.service_starts
        as has_more_completions_than_starts
from {{ ref('stg_web_analytics__page_days') }} as page_days
left join {{ ref('dim_online_services') }} as services
    on services.page_path = page_days.page_path
left join {{ ref('dim_online_service_pages') }} as pages
    on pages.page_path = page_days.page_path
