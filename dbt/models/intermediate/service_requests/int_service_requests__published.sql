-- The rows open_data.pub_service_requests publishes, kept here with the load time of
-- each request's current version (_loaded_at), so a build recomputes only what changed:
-- the published model is a view of these columns without _loaded_at (a contract fixes
-- its columns to the dictionary's). See that model for what is removed and why.
--
-- Incremental. A build recomputes the requests loaded since its last build, and the
-- requests whose published service_type may change with them: a type is published only
-- when at least 5 requests share it (macro shared_value), so a new or changed request
-- can move its type (and its previous type) across that line. Those are the requests
-- whose type is now shared by fewer than 5, and those published as 'Other' so far (but
-- for a type named 'Other').
{{
    config(
        materialized='incremental',
        unique_key='request_id',
        incremental_strategy='delete+insert'
    )
}}

with type_counts as (

    select service_type, count(*) as requests_of_type
    from {{ ref('fct_service_requests') }}
    group by service_type

),

requests as (

    select requests.*, type_counts.requests_of_type
    from {{ ref('fct_service_requests') }} as requests
    left join type_counts using (service_type)
    {%- if is_incremental() %}
        where
            requests._loaded_at > (
                select coalesce(max(published._loaded_at), timestamptz '1900-01-01 00:00:00+00')
                from {{ this }} as published
            )
            or type_counts.requests_of_type < 5
            or (
                requests.request_id in (
                    select published.request_id from {{ this }} as published
                    where published.service_type = 'Other'
                )
                -- a request whose own type is 'Other' shows 'Other' whatever the count
                and requests.service_type != 'Other'
            )
    {%- endif %}

)

select
    cast(requests.request_id as varchar) as request_id,
    cast(requests.created_at as timestamp) as created_at,
    cast(requests.closed_at as timestamp) as closed_at,
    cast(requests.status as varchar) as status,
    cast(requests.service_category as varchar) as service_category,
    cast(
        {{ shared_value_counted('requests.service_type', 'requests.requests_of_type') }}
        as varchar
    ) as service_type,
    cast(divisions.division_name as varchar) as responsible_division,
    cast(requests.intake_channel as varchar) as intake_channel,
    cast(requests.is_online_request as boolean) as is_online_request,
    cast(requests.ward_number as integer) as ward_number,
    cast(requests.address_block as varchar) as address_block,
    cast(round(requests.days_to_close, 3) as double) as days_to_close,
    cast(requests.target_days as integer) as target_days,
    cast(requests.is_closed_within_target as boolean) as is_closed_within_target,
    cast(requests.data_quality_note as varchar) as data_quality_note,
    requests._loaded_at
from requests
left join {{ ref('dim_divisions') }} as divisions using (division_id)
