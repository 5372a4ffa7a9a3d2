-- One row per road maintenance work order, with its durations and costs. No personal or
-- confidential columns (no exact address, notes or crew).
select
    work_order_id,
    activity,
    priority,
    created_at,
    cast(created_at as date) as created_date,
    scheduled_at,
    completed_at,
    ward_number,
    address_block,
    status,
    'transportation' as division_id,
    labour_hours,
    labour_cost,
    material_cost,
    coalesce(labour_cost, 0) + coalesce(material_cost, 0) as total_cost,
    service_request_id,
    service_request_id is not null as is_from_311,
    case
        when scheduled_at >= created_at
            then {{ hours_between('created_at', 'scheduled_at') }}
    end as hours_to_schedule,
    case
        when completed_at >= created_at
            then {{ hours_between('created_at', 'completed_at') }}
    end as hours_to_complete
from {{ ref('stg_work_orders__work_orders') }}
