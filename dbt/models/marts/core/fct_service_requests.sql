-- One row per 311 service request. No personal columns. Incremental (see staging).
{{
    config(
        materialized='incremental',
        unique_key='request_id',
        incremental_strategy='delete+insert',
        pre_hook="{{ record_build_window('request_id') }}"
    )
}}

select
    request_id,
    created_at,
    cast(created_at as date) as created_date,
    closed_at,
    status,
    service_category,
    service_type,
    division_id,
    intake_channel,
    is_online_request,
    ward_number,
    address_block,
    days_to_close,
    target_days,
    is_closed_within_target,
    has_invalid_close_time,
    data_quality_note,
    _loaded_at
from {{ ref('int_service_requests_classified') }}
{{ loaded_since_last_build() }}
