-- What the portal publishes of FOI requests: no requester name, no request summary.
select
    cast(request_number as varchar) as request_number,
    cast(received_date as date) as received_date,
    cast(decision_date as date) as decision_date,
    cast(request_type as varchar) as request_type,
    cast(requester_type as varchar) as requester_type,
    cast(disposition as varchar) as disposition,
    cast(days_to_respond as integer) as days_to_respond,
    cast(deadline_days as integer) as deadline_days,
    cast(is_within_deadline as boolean) as is_within_deadline,
    cast(extension_days as integer) as extension_days,
    cast(has_third_party_notice as boolean) as has_third_party_notice,
    cast(is_appealed_to_ipc as boolean) as is_appealed_to_ipc
from {{ ref('fct_foi_requests') }}
