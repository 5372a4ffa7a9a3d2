-- One row per Minimum Maintenance Standards road class (O. Reg. 239/02), 1 to 6, with
-- the hours within which snow accumulation must be cleared after the municipality
-- becomes aware of it (standard_depth_cm: the depth that triggers it). The timelines
-- are the service inventory's (data_dictionary/services.yml, the snow-clearing
-- service's legislated timeline by road class, owned by the data governance group, via
-- the seed road_class_timelines); a class it gives none (class 6) has none.
with classes as (

    select cast(class_numbers.road_class as integer) as road_class
    from range(1, 7) as class_numbers (road_class)

)

select
    classes.road_class,
    timelines.standard_hours,
    timelines.standard_depth_cm
from classes
left join {{ ref('road_class_timelines') }} as timelines
    on timelines.road_class = classes.road_class
