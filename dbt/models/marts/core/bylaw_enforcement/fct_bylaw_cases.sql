-- One row per by-law enforcement case. No personal or confidential columns: no
-- complainant, no exact address, no officer.
select
    case_number,
    complaint_type,
    received_at,
    received_date,
    closed_at,
    closed_date,
    ward_number,
    address_block,
    outcome,
    outcome = 'Open' as is_open,
    is_anonymous,
    has_invalid_close_time,
    -- calendar days from the day received to the day closed; empty while open and when
    -- the system records a close before the receipt (the contract's flagged row rule)
    case
        when closed_date is not null and not has_invalid_close_time
            then cast(date_diff('day', received_date, closed_date) as integer)
    end as days_to_close,
    'bylaw-enforcement' as division_id
from {{ ref('stg_bylaw_cases__cases') }}
