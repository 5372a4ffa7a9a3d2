-- What the portal publishes of the 311 requests: one row per service request, no
-- names, phones, e-mails or free text, locations no finer than ward and street block,
-- a service type only when at least 5 requests share it.
-- A view: the rows are kept, and rebuilt only where they changed, in
-- intermediate.int_service_requests__published (the load times it keeps are not
-- published).
{{ config(materialized='view') }}

select
    request_id,
    created_at,
    closed_at,
    status,
    service_category,
    service_type,
    responsible_division,
    intake_channel,
    is_online_request,
    ward_number,
    address_block,
    days_to_close,
    target_days,
    is_closed_within_target,
    data_quality_note
from {{ ref('int_service_requests__published') }}
