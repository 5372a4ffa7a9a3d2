-- What the portal publishes of the 311 requests: one row per service request, no
-- names, phones, e-mails or free text, locations no finer than ward and street block.
select
    cast(requests.request_id as varchar) as request_id,
    cast(requests.created_at as timestamp) as created_at,
    cast(requests.closed_at as timestamp) as closed_at,
    cast(requests.status as varchar) as status,
    cast(requests.service_category as varchar) as service_category,
    cast({{ shared_value('requests.service_type') }} as varchar) as service_type,
    cast(divisions.division_name as varchar) as responsible_division,
    cast(requests.intake_channel as varchar) as intake_channel,
    cast(requests.is_online_request as boolean) as is_online_request,
    cast(requests.ward_number as integer) as ward_number,
    cast(requests.address_block as varchar) as address_block,
    cast(round(requests.days_to_close, 3) as double) as days_to_close,
    cast(requests.target_days as integer) as target_days,
    cast(requests.is_closed_within_target as boolean) as is_closed_within_target,
    cast(requests.data_quality_note as varchar) as data_quality_note
from {{ ref('fct_service_requests') }} as requests
left join {{ ref('dim_divisions') }} as divisions using (division_id)
