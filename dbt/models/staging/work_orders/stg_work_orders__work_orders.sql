-- One row per road maintenance work order: the latest export's version of it (a work
-- order completed in a later month is exported again in that month's file).
with source as (

    select * from {{ source('work_orders', 'work_orders_work_orders') }}

),

renamed as (

    select
        work_order_id,
        case
            when activity in (
                'Pothole Repair', 'Sidewalk Repair', 'Streetlight Repair', 'Sign Repair',
                'Catch Basin Cleaning', 'Tree Trimming', 'Graffiti Removal'
            ) then activity
            else 'Unknown'
        end as activity,
        priority,
        created_at,
        scheduled_at,
        completed_at,
        {{ ward_number('ward') }} as ward_number,
        trim(street_address) as street_address,
        {{ address_block('street_address') }} as address_block,
        crew_id,
        labour_hours,
        cast(labour_cost as decimal(14, 2)) as labour_cost,
        cast(material_cost as decimal(14, 2)) as material_cost,
        service_request_id,
        notes,
        -- the contract folds the case and strips the stray ";"; a value outside the
        -- list was loaded and flagged: kept as Unknown rather than dropped
        case
            when status in ('Open', 'In Progress', 'Completed', 'Cancelled') then status
            else 'Unknown'
        end as status,
        {{ lineage_columns() }}
    from source

)

{{ latest_version('renamed', 'work_order_id') }}
