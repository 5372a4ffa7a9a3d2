-- One row per building permit (the latest export's version of it).
with source as (

    select * from {{ source('permits', 'permits_building_permits') }}

),

renamed as (

    select
        trim(permit_number) as permit_number,
        cast(application_date as date) as application_date,
        cast(issue_date as date) as issue_date,
        cast(completion_date as date) as completion_date,
        trim(permit_type) as permit_type,
        trim(permit_class) as permit_class,
        cast(construction_value as decimal(14, 2)) as construction_value,
        applicant_name,
        trim(address) as address,
        {{ address_block('address') }} as address_block,
        {{ ward_number('ward') }} as ward_number,
        case lower(trim(status))
            when 'applied' then 'Applied'
            when 'under review' then 'Under Review'
            when 'issued' then 'Issued'
            when 'completed' then 'Completed'
            when 'cancelled' then 'Cancelled'
            when 'canceled' then 'Cancelled'
            else 'Unknown'
        end as status,
        {{ lineage_columns() }}
    from source

)

{{ latest_version('renamed', 'permit_number') }}
