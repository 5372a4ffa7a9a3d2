-- One row per building permit. No personal columns.
select
    permit_number,
    application_date,
    issue_date,
    completion_date,
    permit_type,
    permit_class,
    construction_value,
    ward_number,
    address_block,
    status,
    case
        when issue_date >= application_date
            then cast(date_diff('day', application_date, issue_date) as integer)
    end as days_to_issue
from {{ ref('stg_permits__building_permits') }}
