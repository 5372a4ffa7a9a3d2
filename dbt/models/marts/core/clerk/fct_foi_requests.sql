-- One row per access-to-information request with its time to respond against the
-- legislated deadline. No personal columns (no requester name, no summary).
-- MFIPPA s.19: a decision within 30 days of receipt; s.20 extends it by the days the
-- head states; a s.21 notice to a third party adds 30 days (the head decides within 30
-- days of giving notice, given within the first 30).
with requests as (

    select
        *,
        30 + extension_days
        + case when has_third_party_notice then 30 else 0 end as deadline_days
    from {{ ref('stg_foi_requests__requests') }}

)

select
    request_number,
    received_date,
    decision_date,
    request_type,
    requester_type,
    responsible_department,
    disposition,
    fees_charged,
    extension_days,
    has_third_party_notice,
    is_appealed_to_ipc,
    deadline_days,
    -- a decision date keyed before receipt is blanked by the contract's row rule: the
    -- request has a disposition, so it is closed, with no usable date
    decision_date is null and disposition is null as is_open,
    decision_date is null and disposition is not null as has_invalid_decision_date,
    {{ days_between('received_date', 'decision_date') }} as days_to_respond,
    case
        when decision_date is not null
            then {{ days_between('received_date', 'decision_date') }} <= deadline_days
    end as is_within_deadline,
    'clerk' as division_id
from requests
