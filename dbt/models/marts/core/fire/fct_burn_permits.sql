-- One row per open-air burn permit, conformed to the city's wards, dates and divisions.
-- No personal columns (applicant, phone, exact address).
select
    permit_number,
    application_date,
    issued_date,
    cast(date_trunc('month', issued_date) as date) as issued_month,
    valid_from,
    valid_to,
    -- days burning is allowed, both ends included; empty when the end date was invalid
    case
        when valid_to >= valid_from
            then cast(date_diff('day', valid_from, valid_to) as integer) + 1
    end as days_valid,
    burn_type,
    ward_number,
    address_block,
    permit_fee,
    status,
    'fire-services' as division_id
from {{ ref('stg_burn_permits__burn_permits') }}
