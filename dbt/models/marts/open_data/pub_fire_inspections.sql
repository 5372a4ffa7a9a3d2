-- What the portal publishes of fire inspections: no occupant, phone or inspector names,
-- addresses generalised to the street block. A home or a care residence is published
-- without its block: its date, block and result would name a household and rebuild the
-- small cells that fire_inspections_by_month suppresses; nor with its request date, the
-- day a tenant, a neighbour or a family member complained.
select
    cast(inspection_number as varchar) as inspection_number,
    cast(
        case when occupancy_group not in ('Residential', 'Care') then requested_date end
        as date
    ) as requested_date,
    cast(inspection_date as date) as inspection_date,
    cast(inspection_type as varchar) as inspection_type,
    cast(occupancy_group as varchar) as occupancy_group,
    cast(ward_number as integer) as ward_number,
    cast(
        case when occupancy_group not in ('Residential', 'Care') then address_block end
        as varchar
    ) as address_block,
    cast(result as varchar) as result,
    cast(violation_count as integer) as violation_count,
    cast(days_to_reinspection as integer) as days_to_reinspection
from {{ ref('fct_fire_inspections') }}
