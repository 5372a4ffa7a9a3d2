-- One row per storm and road class: the transactions of the snow-clearing service.
-- Snowfall end -> the last segment of the road class cleared (int_storm_road_classes_cleared,
-- the rule kpi_snow_clearing_times counts by too); storms without AVL data left out (rule
-- `no_avl`). Not complete until every segment of the class is cleared. Each class carries
-- its own O. Reg. 239/02 hours as days (class 6 has no standard: no legislated timeline).
-- has_duration / has_own_legislated: see the other int_service_transactions__ models.
select
    'snow_plow:' || per_class.storm_number || '|class-'
    || cast(per_class.road_class as varchar) as transaction_id,
    'snow-clearing' as service_id,
    'snow_plow' as source_system,
    storms.snowfall_end_at as started_at,
    case
        when per_class.segments_cleared = per_class.segments_in_class
            then per_class.last_cleared_at
    end as completed_at,
    cast(null as varchar) as channel_code,
    true as has_duration,
    true as has_own_legislated,
    classes.standard_hours / 24.0 as own_legislated_days,
    cast(null as timestamptz) as _loaded_at
from {{ ref('int_storm_road_classes_cleared') }} as per_class
inner join {{ ref('dim_winter_storms') }} as storms
    on storms.storm_number = per_class.storm_number
left join {{ ref('dim_road_classes') }} as classes
    on classes.road_class = per_class.road_class
