-- One row per day, service page and device category (a day the bulk export repeated
-- counts once).
with source as (

    select * from {{ source('web_analytics', 'web_analytics_page_days') }}

),

renamed as (

    select
        cast(visit_date as date) as visit_date,
        trim(page_path) as page_path,
        trim(service_name) as service_name,
        device_category,
        cast(sessions as integer) as sessions,
        cast(service_starts as integer) as service_starts,
        cast(service_completions as integer) as service_completions,
        -- latest_version takes one key column: the contract's three, joined
        cast(visit_date as varchar) || '|' || trim(page_path) || '|' || device_category
            as page_day_key,
        {{ lineage_columns() }}
    from source

)

{{ latest_version('renamed', 'page_day_key') }}
