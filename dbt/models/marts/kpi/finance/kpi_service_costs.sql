-- One row per service, channel and quarter: the actual costs finance's allocation table
-- places on the service (channel_code null: all channels, the service's whole cost; a
-- channel: the part from cost centres that serve that channel alone, and its part of
-- those that serve several channels together, split by the service's transactions on
-- each in the quarter).
-- Each cost centre's quarter is split to the cent: every share is rounded to cents, and
-- a cost centre whose shares add up to 1 gives its largest share the rounding remainder,
-- so that actuals = allocated + unallocated (kpi_unallocated_costs) to the cent. A share
-- split among channels is split to the cent the same way (the channel with the most
-- transactions takes the remainder); a quarter with no transaction on any of them keeps
-- that share in the service's all-channel row only.
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
        cost_centre,
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

-- a share of a cost centre that serves several channels together ('web mobile_app')
-- (two allocations of one cost centre to one service and list add up first)
shared as (

    select
        cost_centre,
        service_id,
        channel_list,
        quarter,
        amount,
        unnest(string_split_regex(channel_list, '\s+')) as channel_code
    from (
        select
            cost_centre,
            service_id,
            trim(channel_code) as channel_list,
            quarter,
            sum(amount) as amount
        from split
        where contains(trim(channel_code), ' ')
        group by cost_centre, service_id, trim(channel_code), quarter
    ) as listed

),

volumes as (

    select
        service_id,
        channel_code,
        cast(date_trunc('quarter', month) as date) as quarter,
        count(*) as transactions
    from {{ ref('fct_service_transactions') }}
    where channel_code is not null
    group by service_id, channel_code, cast(date_trunc('quarter', month) as date)

),

shared_parts as (

    select
        shared.cost_centre,
        shared.service_id,
        shared.channel_list,
        shared.channel_code,
        shared.quarter,
        shared.amount,
        coalesce(volumes.transactions, 0) as transactions,
        sum(coalesce(volumes.transactions, 0)) over listed as listed_transactions,
        row_number() over (
            partition by shared.cost_centre, shared.service_id, shared.channel_list, shared.quarter
            order by coalesce(volumes.transactions, 0) desc, shared.channel_code asc
        ) as part_rank,
        cast(
            round(
                shared.amount * coalesce(volumes.transactions, 0)
                / nullif(sum(coalesce(volumes.transactions, 0)) over listed, 0),
                2
            ) as decimal(14, 2)
        ) as part
    from shared
    left join volumes
        on
            volumes.service_id = shared.service_id
            and volumes.channel_code = shared.channel_code
            and volumes.quarter = shared.quarter
    window listed as (
        partition by shared.cost_centre, shared.service_id, shared.channel_list, shared.quarter
    )

),

shared_split as (

    select
        service_id,
        channel_code,
        quarter,
        case
            when part_rank = 1
                then
                    amount
                    - (
                        sum(part)
                            over (
                                partition by cost_centre, service_id, channel_list, quarter
                            )
                        - part
                    )
            else part
        end as amount
    from shared_parts
    -- a listed channel without a transaction gets nothing (the busiest has one, and
    -- takes the whole remainder); none on any of them: the all-channel row only
    where listed_transactions > 0 and transactions > 0

),

by_channel as (

    select service_id, channel_code, quarter, sum(amount) as amount
    from (
        select service_id, channel_code, quarter, amount
        from split
        where channel_code is not null and not contains(trim(channel_code), ' ')
        union all
        select service_id, channel_code, quarter, amount
        from shared_split
    ) as channel_amounts
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
