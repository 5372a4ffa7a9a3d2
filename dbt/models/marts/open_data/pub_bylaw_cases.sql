-- What the portal publishes of by-law enforcement cases: no complainant, no officer,
-- the property's address generalised to its hundred-block.
select
    cast(case_number as varchar) as case_number,
    cast(complaint_type as varchar) as complaint_type,
    cast(ward_number as integer) as ward_number,
    cast(address_block as varchar) as address_block,
    cast(received_date as date) as received_date,
    cast(closed_date as date) as closed_date,
    cast(outcome as varchar) as outcome,
    cast(days_to_close as integer) as days_to_close
from {{ ref('fct_bylaw_cases') }}
