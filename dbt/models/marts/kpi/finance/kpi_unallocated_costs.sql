-- One row per cost centre and quarter whose actual costs the allocation table does not
-- place in full: a cost centre it does not list (all of its cost), or one whose shares
-- add up to less than 1 (the rest). Reported, never dropped: per quarter, the ledger's
-- actuals = kpi_service_costs (all channels) + this model, to the cent.
with actuals as (

    select cost_centre, quarter, sum(actual_amount) as actual_cost
    from {{ ref('fct_gl_actuals') }}
    group by cost_centre, quarter

),

allocation as (

    select
        cast(cost_centre as varchar) as cost_centre,
        max(cost_centre_name) as cost_centre_name,
        sum(share) as total_share
    from {{ ref('cost_allocation') }}
    group by cost_centre

),

allocated as (

    -- the same rounding as kpi_service_costs: each share rounded to cents
    select
        actuals.cost_centre,
        actuals.quarter,
        sum(cast(round(actuals.actual_cost * allocation_shares.share, 2) as decimal(14, 2)))
            as allocated_cost
    from actuals
    inner join {{ ref('cost_allocation') }} as allocation_shares
        on actuals.cost_centre = cast(allocation_shares.cost_centre as varchar)
    group by actuals.cost_centre, actuals.quarter

),

placed as (

    select
        actuals.cost_centre,
        actuals.quarter,
        actuals.actual_cost,
        allocation.cost_centre_name,
        allocation.total_share,
        coalesce(allocated.allocated_cost, 0) as allocated_cost
    from actuals
    left join allocation on allocation.cost_centre = actuals.cost_centre
    left join allocated
        on allocated.cost_centre = actuals.cost_centre and allocated.quarter = actuals.quarter

)

select
    cost_centre,
    cost_centre_name,
    quarter,
    cast(actual_cost as decimal(14, 2)) as actual_cost,
    cast(
        case when total_share is null then actual_cost else actual_cost - allocated_cost end
        as decimal(14, 2)
    ) as unallocated_cost,
    case
        when total_share is null then 'cost centre not in the allocation table'
        else 'shares add up to less than 1'
    end as reason
from placed
where total_share is null or total_share < 1 - 1e-9
