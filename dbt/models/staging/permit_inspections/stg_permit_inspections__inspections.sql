-- One row per building inspection (the latest report's version of it: a row the report
-- printed twice counts once). The result codes were folded and mapped at ingest
-- (PASS -> Passed...). Holds the inspector's name (confidential); the notes (personal
-- free text) are not carried: nothing downstream needs them.
with source as (

    select * from {{ source('permit_inspections', 'permit_inspections_inspections') }}

),

renamed as (

    select
        trim(inspection_id) as inspection_id,
        trim(permit_number) as permit_number,
        trim(inspection_type) as inspection_type,
        cast(requested_date as date) as requested_date,
        cast(inspection_date as date) as inspection_date,
        case
            when result in ('Passed', 'Failed', 'Partial', 'Cancelled') then result
            else 'Unknown'
        end as result,
        trim(inspector) as inspector_name,
        {{ lineage_columns() }}
    from source

)

{{ latest_version('renamed', 'inspection_id') }}
