-- One row per storm (with AVL data) and road class: how many of the class's segments had
-- a blade-down pass that started after snowfall ended, and when the last of them was
-- done. The one rule of "cleared" that the snow-clearing KPI and the service
-- transactions both read. Storms without AVL data are left out (unknown, not failed).
with storms as (

    select storms.storm_number, storms.snowfall_end_at
    from {{ ref('dim_winter_storms') }} as storms
    where exists (
        select 1 from {{ ref('fct_snow_plow_passes') }} as passes
        where passes.storm_number = storms.storm_number
    )

),

cleared as (

    -- a segment is cleared when its first pass after snowfall ended is done
    select
        passes.storm_number,
        passes.segment_id,
        min(passes.ended_at) as cleared_at
    from {{ ref('fct_snow_plow_passes') }} as passes
    inner join storms on storms.storm_number = passes.storm_number
    where passes.started_at >= storms.snowfall_end_at
    group by passes.storm_number, passes.segment_id

)

select
    storms.storm_number,
    segments.road_class,
    count(*) as segments_in_class,
    count(cleared.cleared_at) as segments_cleared,
    max(cleared.cleared_at) as last_cleared_at
from storms
cross join {{ ref('dim_road_segments') }} as segments
left join cleared
    on
        cleared.storm_number = storms.storm_number
        and cleared.segment_id = segments.segment_id
group by storms.storm_number, segments.road_class
