-- One row per status change of a development application: an application, a status
-- and the day it was reached (the latest export's version of it: the 2025 export
-- re-sends the last two weeks of 2024, and a row now and then comes twice). Holds the
-- applicant, the address, the planner and the staff comments: restricted to the data team.
with source as (

    select * from {{ source('planning', 'planning_application_status_history') }}

),

renamed as (

    select
        application_number
        || '|' || status
        || '|' || cast(status_date as varchar) as status_change_id,
        trim(application_number) as application_number,
        trim(application_type) as application_type,
        trim(address) as address,
        {{ address_block('address') }} as address_block,
        {{ ward_number('ward') }} as ward_number,
        cast(date_received as date) as received_date,
        -- the contract already mapped the old vintage's spellings; anything else is
        -- kept as Unknown rather than dropped
        case
            when status in (
                'Received', 'Deemed Complete', 'Circulated', 'Public Meeting',
                'Approved', 'Refused', 'Withdrawn', 'Appealed to OLT'
            ) then status
            else 'Unknown'
        end as status,
        cast(status_date as date) as status_date,
        -- the contract flags these rows (row rule status_not_before_received)
        coalesce(status_date < date_received, false) as is_dated_before_received,
        applicant as applicant_name,
        planner as planner_name,
        comments,
        {{ lineage_columns() }}
    from source

)

{{ latest_version('renamed', 'status_change_id') }}
