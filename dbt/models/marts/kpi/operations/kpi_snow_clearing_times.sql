-- One row per storm and road class: hours from the end of snowfall until every segment
-- of the class had a blade-down pass that started after snowfall ended, against the
-- O. Reg. 239/02 snow-accumulation standard (dim_road_classes). Storms without AVL
-- data are left out (unknown, not failed). "Cleared": int_storm_road_classes_cleared.
with timed as (

    select
        per_class.storm_number,
        per_class.road_class,
        per_class.segments_in_class,
        per_class.segments_cleared,
        storms.snowfall_start_at,
        storms.snowfall_end_at,
        storms.accumulation_cm,
        classes.standard_hours,
        case
            when per_class.segments_cleared = per_class.segments_in_class
                then {{ hours_between('storms.snowfall_end_at', 'per_class.last_cleared_at') }}
        end as hours_to_clear
    from {{ ref('int_storm_road_classes_cleared') }} as per_class
    inner join {{ ref('dim_winter_storms') }} as storms
        on storms.storm_number = per_class.storm_number
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
