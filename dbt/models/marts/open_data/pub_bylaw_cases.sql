-- What the portal publishes of by-law enforcement cases: no complainant, no officer,
-- the property's address generalised to its hundred-block, and only for a case that ended
-- without enforcement (Unfounded, Withdrawn) or is Open: a warning, order or charge tied
-- to a block and a date names a household.
select
    cast(case_number as varchar) as case_number,
    cast(complaint_type as varchar) as complaint_type,
    cast(ward_number as integer) as ward_number,
    cast(
        case when outcome in ('Unfounded', 'Withdrawn', 'Open') then address_block end
        as varchar
    ) as address_block,
    cast(received_date as date) as received_date,
    cast(closed_date as date) as closed_date,
    cast(outcome as varchar) as outcome,
    cast(days_to_close as integer) as days_to_close
from {{ ref('fct_bylaw_cases') }}
