-- What the portal publishes of business licences: no owner, no phone; where a licence
-- names a person, its names and street block are a stated placeholder (see the fact), and
-- its application date is left out (decades back for a renewed one: with the category and
-- ward, close to a person's own record).
select
    cast(licence_number as varchar) as licence_number,
    cast(business_name as varchar) as business_name,
    cast(operating_name as varchar) as operating_name,
    cast(licence_category as varchar) as licence_category,
    cast(address_block as varchar) as address_block,
    cast(ward_number as integer) as ward_number,
    cast(case when not is_name_withheld then application_date end as date)
        as application_date,
    cast(issue_date as date) as issue_date,
    cast(expiry_date as date) as expiry_date,
    cast(status as varchar) as status,
    cast(licence_fee as decimal(10, 2)) as licence_fee,
    cast(is_name_withheld as boolean) as is_name_withheld
from {{ ref('fct_business_licences') }}
