-- One row per Minimum Maintenance Standards road class (O. Reg. 239/02, s. 4, Table:
-- "Snow Accumulation"): the hours within which snow accumulation must be cleared after
-- the municipality becomes aware of it (standard_depth_cm: the depth that triggers it).
-- Class 6 has no standard. Confirm against the regulation in force (e-Laws) before
-- relying on these numbers.
select
    1 as road_class,
    4 as standard_hours,
    2.5 as standard_depth_cm
union all
select
    2 as road_class,
    6 as standard_hours,
    5 as standard_depth_cm
union all
select
    3 as road_class,
    12 as standard_hours,
    8 as standard_depth_cm
union all
select
    4 as road_class,
    16 as standard_hours,
    8 as standard_depth_cm
union all
select
    5 as road_class,
    24 as standard_hours,
    10 as standard_depth_cm
union all
select
    6 as road_class,
    null as standard_hours,
    null as standard_depth_cm
