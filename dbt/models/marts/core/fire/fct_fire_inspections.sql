-- One row per fire inspection, conformed to the city's wards, dates and divisions.
-- No personal columns (occupant, phone, exact address) and not the inspector's name.
select
    inspection_number,
    inspection_date,
    requested_date,
    cast(date_trunc('month', inspection_date) as date) as inspection_month,
    inspection_type,
    occupancy_group,
    ward_number,
    address_block,
    result,
    violation_count,
    next_reinspection_date,
    -- a follow-up booked before the inspection (flagged at ingest) has no valid delay
    case
        when next_reinspection_date >= inspection_date
            then cast(date_diff('day', inspection_date, next_reinspection_date) as integer)
    end as days_to_reinspection,
    result in ('Violations Found', 'Order Issued') as has_violations,
    'fire-services' as division_id
from {{ ref('stg_fire_inspections__inspections') }}
