-- One row per storm winter control declared: the start of the snow-clearing clock.
select
    storm_number,
    snowfall_start_at,
    snowfall_end_at,
    {{ hours_between('snowfall_start_at', 'snowfall_end_at') }}
        as snowfall_hours,
    accumulation_cm
from {{ ref('stg_winter_storms__storms') }}
