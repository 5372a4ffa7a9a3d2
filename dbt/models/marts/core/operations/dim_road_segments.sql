-- One row per road segment the plows' AVL has snapped a ping to, with its class (the
-- class most pings of the segment state). The city's road network as winter control
-- sees it: the denominator of "every segment of a class cleared".
select
    segment_id,
    mode(road_class) as road_class,
    count(distinct storm_number) as storms_seen
from {{ ref('stg_snow_plow__pings') }}
group by segment_id
