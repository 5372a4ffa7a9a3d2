-- One row per service request, with the city's vocabulary attached: channel code and
-- whether it is online, the responsible division, the category's target, and the
-- measures the KPIs need. Invalid close times are flagged, never silently dropped.
-- Incremental on the staging rows loaded since the last build.
{{
    config(
        materialized='incremental',
        unique_key='request_id',
        incremental_strategy='delete+insert',
        pre_hook="{{ record_build_window('request_id') }}"
    )
}}

with requests as (

    select * from {{ ref('stg_crm311__service_requests') }}
    {{ loaded_since_last_build() }}

),

channels as (

    select a.source_label, c.channel_code, c.is_online
    from {{ ref('channel_aliases') }} as a
    inner join {{ ref('intake_channels') }} as c using (channel_code)

),

categories as (

    select * from {{ ref('service_categories') }}

),

classified as (

    select
        requests.request_id,
        requests.created_at,
        requests.closed_at,
        requests.status,
        requests.service_category,
        requests.service_type,
        coalesce(channels.channel_code, 'unknown') as intake_channel,
        coalesce(channels.is_online, false) as is_online_request,
        requests.ward_number,
        requests.address_block,
        categories.division_id,
        categories.target_days,
        (
            requests.closed_at is not null
            and requests.closed_at < requests.created_at
        ) as has_invalid_close_time,
        requests._loaded_at
    from requests
    left join channels on channels.source_label = requests.intake_channel_label
    left join categories on categories.service_category = requests.service_category

)

select
    *,
    case
        when status = 'Closed' and not has_invalid_close_time and closed_at is not null
            then date_diff('second', created_at, closed_at) / 86400.0
    end as days_to_close,
    case
        when status = 'Cancelled' then null
        else coalesce(
            status = 'Closed' and not has_invalid_close_time
            and date_diff('second', created_at, closed_at) / 86400.0 <= target_days,
            false
        )
    end as is_closed_within_target,
    case
        when has_invalid_close_time
            then 'The CRM records a closed time before the created time; days_to_close is empty.'
    end as data_quality_note
from classified
