-- What the portal publishes of fire inspections: no occupant, phone or inspector names,
-- addresses generalised to the street block.
select
    cast(inspection_number as varchar) as inspection_number,
    cast(inspection_date as date) as inspection_date,
    cast(inspection_type as varchar) as inspection_type,
    cast(occupancy_group as varchar) as occupancy_group,
    cast(ward_number as integer) as ward_number,
    cast(address_block as varchar) as address_block,
    cast(result as varchar) as result,
    cast(violation_count as integer) as violation_count,
    cast(days_to_reinspection as integer) as days_to_reinspection
from {{ ref('fct_fire_inspections') }}
