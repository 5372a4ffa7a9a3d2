-- One row per service, channel and quarter: the actual costs finance's allocation table
-- places on the service (channel_code null: all channels, the service's whole cost; a
-- channel: the part from cost centres that serve that channel alone; channels joined by
-- '|', 'web|mobile_app': the part from cost centres that serve those channels together,
-- one row for them all: their transactions are counted together, never split).
-- Each cost centre's quarter is split to the cent: every share is rounded to cents, and
-- a cost centre whose shares add up to 1 gives its largest share the rounding remainder,
-- so that actuals = allocated + unallocated (kpi_unallocated_costs) to the cent.
with actuals as (

    select cost_centre, quarter, sum(actual_amount) as actual_cost
    from {{ ref('fct_gl_actuals') }}
    group by cost_centre, quarter

),

allocation as (

    select
        cast(cost_centre as varchar) as cost_centre,
        service_id,
        nullif(trim(channel_code), '') as channel_code,
        share,
        sum(share) over (partition by cost_centre) as total_share,
        row_number() over (
            partition by cost_centre order by share desc, service_id asc, channel_code asc
        ) as share_rank
    from {{ ref('cost_allocation') }}

),

rounded as (

    select
        actuals.cost_centre,
        actuals.quarter,
        actuals.actual_cost,
        allocation.service_id,
        allocation.channel_code,
        allocation.share_rank,
        allocation.total_share,
        cast(round(actuals.actual_cost * allocation.share, 2) as decimal(14, 2)) as amount
    from actuals
    inner join allocation on allocation.cost_centre = actuals.cost_centre

),

split as (

    select
        service_id,
        channel_code,
        quarter,
        case
            when share_rank = 1 and total_share >= 1 - 1e-9
                then
                    actual_cost
                    - (sum(amount) over (partition by cost_centre, quarter) - amount)
            else amount
        end as amount
    from rounded

),

by_service as (

    select service_id, cast(null as varchar) as channel_code, quarter, sum(amount) as amount
    from split
    group by service_id, quarter

),

by_channel as (

    select service_id, channel_code, quarter, sum(amount) as amount
    from split
    where channel_code is not null
    group by service_id, channel_code, quarter

)

select
    service_id,
    channel_code,
    quarter,
    cast(amount as decimal(14, 2)) as allocated_cost
from (
    select * from by_service
    union all
    select * from by_channel
) as service_costs
