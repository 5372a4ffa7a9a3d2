-- What the portal publishes of building permits: no applicant names, addresses
-- generalised to the street block.
select
    cast(permit_number as varchar) as permit_number,
    cast(application_date as date) as application_date,
    cast(issue_date as date) as issue_date,
    cast(completion_date as date) as completion_date,
    cast({{ shared_value('permit_type') }} as varchar) as permit_type,
    cast(permit_class as varchar) as permit_class,
    cast(construction_value as decimal(14, 2)) as construction_value,
    cast(ward_number as integer) as ward_number,
    cast(address_block as varchar) as address_block,
    cast(status as varchar) as status,
    cast(days_to_issue as integer) as days_to_issue
from {{ ref('fct_building_permits') }}
