-- What the portal publishes of open-air burn permits: no applicant, phone or exact
-- address (most burn addresses are homes), the location generalised to the street block.
select
    cast(permit_number as varchar) as permit_number,
    cast(application_date as date) as application_date,
    cast(issued_date as date) as issued_date,
    cast(valid_from as date) as valid_from,
    cast(valid_to as date) as valid_to,
    cast(days_valid as integer) as days_valid,
    cast(burn_type as varchar) as burn_type,
    cast(ward_number as integer) as ward_number,
    cast(address_block as varchar) as address_block,
    cast(permit_fee as decimal(10, 2)) as permit_fee,
    cast(status as varchar) as status
from {{ ref('fct_burn_permits') }}
