-- The snow-clearing KPI as published: one row per storm and road class. Snowfall times
-- in UTC (published timestamps carry no offset).
select
    cast(storm_number as integer) as storm_number,
    cast(snowfall_start_at at time zone 'UTC' as timestamp) as snowfall_start_utc,
    cast(snowfall_end_at at time zone 'UTC' as timestamp) as snowfall_end_utc,
    cast(accumulation_cm as double) as accumulation_cm,
    cast(road_class as integer) as road_class,
    cast(segments_in_class as integer) as segments_in_class,
    cast(segments_cleared as integer) as segments_cleared,
    cast(round(hours_to_clear, 2) as double) as hours_to_clear,
    cast(standard_hours as integer) as standard_hours,
    cast(is_standard_met as boolean) as is_standard_met
from {{ ref('kpi_snow_clearing_times') }}
