-- What the portal publishes of road maintenance work orders: the location generalised to
-- its hundred-block, no free text (it holds requesters' names), no crew.
select
    cast(work_order_id as varchar) as work_order_id,
    cast(activity as varchar) as activity,
    cast(priority as integer) as priority,
    cast(created_at as timestamp) as created_at,
    cast(scheduled_at as timestamp) as scheduled_at,
    cast(completed_at as timestamp) as completed_at,
    cast(ward_number as integer) as ward_number,
    cast(address_block as varchar) as address_block,
    cast(status as varchar) as status,
    cast(labour_hours as double) as labour_hours,
    cast(labour_cost as decimal(14, 2)) as labour_cost,
    cast(material_cost as decimal(14, 2)) as material_cost,
    cast(total_cost as decimal(14, 2)) as total_cost,
    cast(service_request_id as varchar) as service_request_id,
    cast(round(hours_to_schedule, 2) as double) as hours_to_schedule,
    cast(round(hours_to_complete, 2) as double) as hours_to_complete
from {{ ref('fct_road_work_orders') }}
