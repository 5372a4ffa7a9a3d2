-- One row per open-air burn permit (the latest export's version of it: the report prints
-- a few permits twice). A campfire permit is free: the RMS often exports its fee empty
-- (N/A, -), which is a fee of 0, not an unknown fee.
with source as (

    select * from {{ source('burn_permits', 'burn_permits_permits') }}

),

renamed as (

    select
        trim(permit_number) as permit_number,
        -- the upgraded RMS's (files from 2025); empty for the permits of 2024
        cast(application_date as date) as application_date,
        cast(issued_date as date) as issued_date,
        cast(valid_from as date) as valid_from,
        -- empty when the RMS held an end before the start (contract row rule: null)
        cast(valid_to as date) as valid_to,
        case
            when burn_type in ('Campfire', 'Brush Pile', 'Agricultural', 'Special Event')
                then burn_type
            else 'Unknown'
        end as burn_type,
        trim(burn_address) as burn_address,
        {{ address_block('burn_address') }} as address_block,
        {{ ward_number('ward') }} as ward_number,
        applicant_name,
        applicant_phone,
        cast(
            case
                when permit_fee is null and burn_type = 'Campfire' then 0
                else permit_fee
            end as decimal(10, 2)
        ) as permit_fee,
        case
            when status in ('Active', 'Expired', 'Revoked') then status else 'Unknown'
        end as status,
        {{ lineage_columns() }}
    from source

)

{{ latest_version('renamed', 'permit_number') }}
