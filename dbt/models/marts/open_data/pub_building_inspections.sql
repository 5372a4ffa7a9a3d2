-- What the portal publishes of building inspections: one row per inspection, without
-- the inspector (confidential) or the notes (personal free text).
select
    cast(inspection_id as varchar) as inspection_id,
    cast(permit_number as varchar) as permit_number,
    cast(inspection_type as varchar) as inspection_type,
    cast(requested_date as date) as requested_date,
    cast(inspection_date as date) as inspection_date,
    cast(result as varchar) as result,
    cast(ward_number as integer) as ward_number,
    cast(days_request_to_inspection as integer) as days_request_to_inspection,
    cast(is_within_two_days as boolean) as is_within_two_days,
    cast(days_since_permit_issue as integer) as days_since_permit_issue
from {{ ref('fct_building_inspections') }}
