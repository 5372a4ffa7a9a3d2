-- One row per storm and road class: the transactions of the snow-clearing service.
-- Each CTE says what started and completed mean in its system and which rows it leaves
-- out (docs/departments/services.md). has_duration: the system records a start distinct
-- from the completion; has_own_legislated: the transaction carries its own legislated
-- days (own_legislated_days; null: none). No personal columns.

-- Snow clearing: snowfall end -> the last segment of the road class cleared (its first
-- blade-down pass that started after the snowfall ended), one transaction per storm and
-- road class, as kpi_snow_clearing_times counts it; storms without AVL data left out
-- (rule `no_avl`). Not complete until every segment of the class is cleared. Each class
-- carries its own O. Reg. 239/02 hours as days.
with storms as (

    select storms.storm_number, storms.snowfall_end_at
    from {{ ref('dim_winter_storms') }} as storms
    where exists (
        select 1 from {{ ref('fct_snow_plow_passes') }} as passes
        where passes.storm_number = storms.storm_number
    )

),

segments_cleared as (

    select
        passes.storm_number,
        passes.segment_id,
        min(passes.ended_at) as cleared_at
    from {{ ref('fct_snow_plow_passes') }} as passes
    inner join storms on storms.storm_number = passes.storm_number
    where passes.started_at >= storms.snowfall_end_at
    group by passes.storm_number, passes.segment_id

),

snow_clearing as (

    select
        'snow_plow:' || storms.storm_number || '|class-'
        || cast(segments.road_class as varchar) as transaction_id,
        'snow-clearing' as service_id,
        'snow_plow' as source_system,
        storms.snowfall_end_at as started_at,
        case
            when count(segments_cleared.cleared_at) = count(*)
                then max(segments_cleared.cleared_at)
        end as completed_at,
        cast(null as varchar) as channel_code,
        true as has_duration,
        -- class 6 has no standard: no legislated timeline, not the service's strictest
        true as has_own_legislated,
        max(classes.standard_hours) / 24.0 as own_legislated_days
    from storms
    cross join {{ ref('dim_road_segments') }} as segments
    left join segments_cleared
        on
            segments_cleared.storm_number = storms.storm_number
            and segments_cleared.segment_id = segments.segment_id
    left join {{ ref('dim_road_classes') }} as classes
        on classes.road_class = segments.road_class
    group by storms.storm_number, storms.snowfall_end_at, segments.road_class

)

select * from snow_clearing
