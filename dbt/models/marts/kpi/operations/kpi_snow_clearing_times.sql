-- One row per storm and road class: hours from the end of snowfall until every segment
-- of the class had a blade-down pass that started after snowfall ended, against the
-- O. Reg. 239/02 snow-accumulation standard (dim_road_classes). Storms without AVL
-- data are left out (unknown, not failed).
with storms as (

    select storms.*
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

),

per_class as (

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

),

timed as (

    select
        per_class.*,
        storms.snowfall_start_at,
        storms.snowfall_end_at,
        storms.accumulation_cm,
        classes.standard_hours,
        case
            when per_class.segments_cleared = per_class.segments_in_class
                then {{ hours_between('storms.snowfall_end_at', 'per_class.last_cleared_at') }}
        end as hours_to_clear
    from per_class
    inner join storms on storms.storm_number = per_class.storm_number
    left join {{ ref('dim_road_classes') }} as classes
        on classes.road_class = per_class.road_class

)

select
    storm_number,
    snowfall_start_at,
    snowfall_end_at,
    accumulation_cm,
    road_class,
    segments_in_class,
    segments_cleared,
    hours_to_clear,
    standard_hours,
    case
        when standard_hours is null then null
        when hours_to_clear is null then false
        else hours_to_clear <= standard_hours
    end as is_standard_met
from timed
