-- One row per fire inspection (the latest export's version of it: a row the RMS exported
-- twice, or an inspection re-sent in the next quarter's file with its later result).
-- The contract already mapped the occupancy codes (GRP A, Group-A) and the casing of
-- types and results; a value outside their lists is kept as Unknown, not dropped.
with source as (

    select * from {{ source('fire_inspections', 'fire_inspections_inspections') }}

),

renamed as (

    select
        trim(inspection_number) as inspection_number,
        cast(inspection_date as date) as inspection_date,
        cast(requested_date as date) as requested_date,
        case
            when
                inspection_type in (
                    'Routine', 'Complaint', 'Request', 'Re-inspection', 'Licensing'
                )
                then inspection_type
            else 'Unknown'
        end as inspection_type,
        case
            when
                occupancy_group in (
                    'Assembly', 'Care', 'Residential', 'Business', 'Mercantile', 'Industrial'
                )
                then occupancy_group
            when occupancy_group is not null then 'Unknown'
        end as occupancy_group,
        trim(property_address) as property_address,
        {{ address_block('property_address') }} as address_block,
        {{ ward_number('ward') }} as ward_number,
        occupant_name,
        contact_phone,
        inspector,
        cast(violation_count as integer) as violation_count,
        cast(next_reinspection_date as date) as next_reinspection_date,
        case
            when result in ('Compliant', 'Violations Found', 'Order Issued', 'Closed - No Access')
                then result
            else 'Unknown'
        end as result,
        {{ lineage_columns() }}
    from source

)

{{ latest_version('renamed', 'inspection_number') }}
