-- One row per storm in winter control's log (the latest delivery of the log).
with source as (

    select * from {{ source('winter_storms', 'winter_storms_storms') }}

),

renamed as (

    select
        storm_number,
        snowfall_start_at,
        snowfall_end_at,
        accumulation_cm,
        {{ lineage_columns() }}
    from source

)

{{ latest_version('renamed', 'storm_number') }}
