-- What the portal publishes of cost per transaction: per service and quarter, the actual
-- costs finance's allocation places on the service (all channels), its transactions and
-- the cost of one; and per channel where a cost centre serves that channel alone (the
-- contact centre: phone) or a few channels together (the web and app platform, split by
-- the service's transactions on each: kpi_service_costs), that channel's direct cost
-- over its transactions. A quarter's
-- small count of transactions is suppressed with a complement (its dictionary entry).
with transactions as (

    select
        service_id,
        channel_code,
        {{ period_start('quarter', 'month') }} as quarter,
        count(*) as transactions
    from {{ ref('fct_service_transactions') }}
    group by service_id, channel_code, {{ period_start('quarter', 'month') }}

),

by_service as (

    select service_id, quarter, sum(transactions) as transactions
    from transactions
    group by service_id, quarter

),

cells as (

    select
        service_costs.service_id,
        coalesce(service_costs.channel_code, 'all') as channel_code,
        service_costs.quarter,
        service_costs.allocated_cost,
        -- a channel row: that channel's transactions (none: 0, no cost per transaction),
        -- never the service's
        coalesce(
            case
                when service_costs.channel_code is null then by_service.transactions
                else by_channel.transactions
            end,
            0
        ) as transactions,
        service_costs.allocated_cost
        / nullif(
            case
                when service_costs.channel_code is null then by_service.transactions
                else by_channel.transactions
            end,
            0
        ) as cost_per_transaction
    from {{ ref('kpi_service_costs') }} as service_costs
    left join by_service
        on
            by_service.service_id = service_costs.service_id
            and by_service.quarter = service_costs.quarter
    left join transactions as by_channel
        on
            by_channel.service_id = service_costs.service_id
            and by_channel.channel_code = service_costs.channel_code
            and by_channel.quarter = service_costs.quarter

),

published as ({{ small_cell_suppression('cells') }})

select
    cast(service_id as varchar) as service_id,
    cast(channel_code as varchar) as channel_code,
    cast(quarter as date) as quarter,
    cast(allocated_cost as decimal(14, 2)) as allocated_cost,
    cast(transactions as bigint) as transactions,
    cast(cost_per_transaction as double) as cost_per_transaction,
    cast(is_suppressed as boolean) as is_suppressed
from published
