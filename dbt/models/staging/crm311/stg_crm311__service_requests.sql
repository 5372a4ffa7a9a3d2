-- One row per service request, as the CRM last exported it (a request re-exported in a
-- later file keeps its latest version). Personal columns stay here, in the restricted
-- staging schema; nothing downstream of the intermediate layer carries them.
-- Incremental: a build adds the rows loaded since the last one and replaces their keys.
{{
    config(
        materialized='incremental',
        unique_key='request_id',
        incremental_strategy='delete+insert',
        pre_hook="{{ record_build_window('request_id') }}"
    )
}}

with source as (

    select * from {{ source('crm311', 'crm311_service_requests') }}
    {{ loaded_since_last_build() }}

),

renamed as (

    select
        request_id,
        created_at,
        closed_at,
        case lower(trim(status))
            when 'open' then 'Open'
            when 'in progress' then 'In Progress'
            when 'closed' then 'Closed'
            when 'cancelled' then 'Cancelled'
            when 'canceled' then 'Cancelled'
            else 'Unknown'
        end as status,
        trim(service_category) as service_category,
        trim(service_type) as service_type,
        lower(trim(intake_channel)) as intake_channel_label,
        {{ ward_number('ward') }} as ward_number,
        trim(street_address) as street_address,
        {{ address_block('street_address') }} as address_block,
        caller_name,
        caller_phone,
        caller_email,
        description,
        {{ lineage_columns() }}
    from source

)

{{ latest_version('renamed', 'request_id') }}
