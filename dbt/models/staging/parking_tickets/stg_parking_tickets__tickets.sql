-- One row per parking ticket (a ticket keyed twice counts once). The legacy file keeps
-- the set fine in implied cents (00007500): converted to dollars here. The trailer
-- record was dropped at ingest. The plate (personal) and the officer's badge
-- (confidential) stay here, in the restricted staging schema.
with source as (

    select * from {{ source('parking_tickets', 'parking_tickets_tickets') }}

),

renamed as (

    select
        ticket_number,
        cast(issue_date as date) as issue_date,
        issue_time,
        -- HHMM; blank when the time was not keyed (then no hour)
        case
            when try_cast(substr(issue_time, 1, 2) as integer) between 0 and 23
                then try_cast(substr(issue_time, 1, 2) as integer)
        end as issue_hour,
        plate,
        plate_province,
        infraction_code,
        infraction_description,
        -- implied cents to dollars: 00007500 -> 75.00 (exact: cents are whole numbers)
        cast(set_fine_cents / 100.0 as decimal(12, 2)) as set_fine_amount,
        location,
        {{ address_block('location') }} as address_block,
        officer_badge,
        {{ lineage_columns() }}
    from source

)

{{ latest_version('renamed', 'ticket_number') }}
