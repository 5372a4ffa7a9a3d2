-- One row per recreation registration (the latest export's copy of it). Names, birth
-- dates and guardian contacts stay in raw: only the participant's age group at the
-- program's start leaves it.
with source as (

    select * from {{ source('recreation_registrations', 'recreation_registrations') }}

),

renamed as (

    select
        trim(registration_id) as registration_id,
        trim(program_code) as section_code,
        trim(program_name) as program_name,
        trim(facility_name) as facility_name,
        {{ ward_number('ward') }} as ward_number,
        cast(program_start_date as date) as program_start_date,
        cast(section_capacity as integer) as section_capacity,
        cast(floor(
            {{ days_between('cast(participant_birth_date as date)',
                            'cast(program_start_date as date)') }} / 365.25
        ) as integer) as age_at_start,
        cast(registered_at as timestamp) as registered_at,
        -- the contract mapped the system's labels to channel codes
        coalesce(channel, 'unknown') as channel_code,
        cast(fee_paid as decimal(10, 2)) as fee_paid,
        status,
        {{ lineage_columns() }}
    from source

),

grouped as (

    select
        registration_id,
        section_code,
        program_name,
        facility_name,
        ward_number,
        program_start_date,
        section_capacity,
        case
            when age_at_start is null or age_at_start < 0 then 'Unknown'
            when age_at_start <= 5 then '0-5'
            when age_at_start <= 12 then '6-12'
            when age_at_start <= 17 then '13-17'
            when age_at_start <= 64 then '18-64'
            else '65+'
        end as age_group,
        registered_at,
        channel_code,
        fee_paid,
        status,
        {{ lineage_columns() }}
    from renamed

)

{{ latest_version('grouped', 'registration_id') }}
