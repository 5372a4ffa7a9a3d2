-- One row per business licence, as its latest snapshot holds it. No personal columns:
-- where the licence names a person (a driver, a short-term rental, a business named after
-- its owner), the business and operating names and the address block are replaced by a
-- stated placeholder here, so no later model can publish them by mistake.
{% set withheld = "'Withheld: names an individual'" %}

select
    licence_number,
    licence_category,
    case when is_name_withheld then {{ withheld }} else business_name end as business_name,
    case
        when is_name_withheld then {{ withheld }} else operating_name
    end as operating_name,
    case when is_name_withheld then {{ withheld }} else address_block end as address_block,
    is_name_withheld,
    ward_number,
    application_date,
    issue_date,
    expiry_date,
    status,
    licence_fee,
    'licensing' as division_id
from {{ ref('stg_business_licences__licences') }}
