-- One row per storm, road segment and blade-down pass: a pass is a run of one vehicle's
-- blade-down pings on one segment with no more than 5 minutes between two of them.
-- Aggregated from the pings once, so the KPIs read passes, not millions of pings.
-- Incremental by storm: the storms with pings loaded since the last build are
-- recomputed whole from their pings (a re-sent ping can fall inside an existing pass).
{{
    config(
        materialized='incremental',
        unique_key='storm_number',
        incremental_strategy='delete+insert'
    )
}}

with touched_storms as (

    select distinct storm_number
    from {{ ref('stg_snow_plow__pings') }}
    {{ loaded_since_last_build() }}

),

blade_down as (

    select
        pings.storm_number,
        pings.segment_id,
        pings.road_class,
        pings.vehicle_id,
        pings.recorded_at,
        pings._loaded_at,
        lag(pings.recorded_at) over (
            partition by pings.storm_number, pings.segment_id, pings.vehicle_id
            order by pings.recorded_at
        ) as previous_at
    from {{ ref('stg_snow_plow__pings') }} as pings
    inner join touched_storms on touched_storms.storm_number = pings.storm_number
    where pings.is_blade_down

),

numbered as (

    select
        *,
        sum(
            case
                when previous_at is null then 1
                when {{ seconds_between('previous_at', 'recorded_at') }} > 300 then 1
                else 0
            end
        ) over (
            partition by storm_number, segment_id, vehicle_id
            order by recorded_at
            rows between unbounded preceding and current row
        ) as pass_number

    from blade_down

)

select
    storm_number || '|' || segment_id || '|' || vehicle_id || '|' || cast(pass_number as varchar)
        as pass_id,
    storm_number,
    segment_id,
    min(road_class) as road_class,
    vehicle_id,
    pass_number,
    min(recorded_at) as started_at,
    max(recorded_at) as ended_at,
    count(*) as pings,
    max(_loaded_at) as _loaded_at
from numbered
group by storm_number, segment_id, vehicle_id, pass_number
