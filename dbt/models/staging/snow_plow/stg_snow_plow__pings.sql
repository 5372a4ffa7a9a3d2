-- One row per plow GPS ping (vehicle and instant): a ping the modem re-sent counts once.
-- Incremental: a build adds the pings loaded since the last one and replaces their keys.
{{
    config(
        materialized='incremental',
        unique_key='ping_id',
        incremental_strategy='delete+insert',
        pre_hook="{{ record_build_window('ping_id') }}"
    )
}}

with source as (

    select * from {{ source('snow_plow', 'snow_plow_pings') }}
    {{ loaded_since_last_build() }}

),

renamed as (

    select
        vehicle_id || '@' || cast(recorded_at as varchar) as ping_id,
        -- the AVL vendor names each file after its storm (avl_<date>_storm<n>.jsonl):
        -- the storm number of the winter control log
        cast(regexp_extract(_source_file, 'storm([0-9]+)', 1) as integer) as storm_number,
        vehicle_id,
        recorded_at,
        latitude,
        longitude,
        segment_id,
        road_class,
        blade_down as is_blade_down,
        speed_kmh,
        {{ lineage_columns() }}
    from source

)

{{ latest_version('renamed', 'ping_id') }}
