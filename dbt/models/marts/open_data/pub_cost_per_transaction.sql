-- What the portal publishes of cost per transaction: per service and quarter, the actual
-- costs finance's allocation places on the service (all channels), its transactions and
-- the cost of one; and per channel where a cost centre serves that channel alone (the
-- contact centre: phone), or per group of channels a cost centre serves together (the
-- 311 web and app platform: 'web+mobile_app', one row over both channels' transactions),
-- that channel's direct cost over its transactions. A quarter's small count of
-- transactions is suppressed with a complement (its dictionary entry).
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

-- a channel row's transactions: its channel's, or its channels' together ('web|mobile_app')
by_channel as (

    select
        channel_rows.service_id,
        channel_rows.channel_code,
        channel_rows.quarter,
        sum(transactions.transactions) as transactions
    from (
        select distinct service_id, channel_code, quarter
        from {{ ref('kpi_service_costs') }}
        where channel_code is not null
    ) as channel_rows
    inner join transactions
        on
            transactions.service_id = channel_rows.service_id
            and transactions.quarter = channel_rows.quarter
            and list_contains(
                string_split(channel_rows.channel_code, '|'), transactions.channel_code
            )
    group by channel_rows.service_id, channel_rows.channel_code, channel_rows.quarter

),

counted as (

    select
        service_costs.service_id,
        coalesce(replace(service_costs.channel_code, '|', '+'), 'all') as channel_code,
        service_costs.quarter,
        service_costs.allocated_cost,
        -- a channel row: its channels' transactions (none: 0), never the service's
        coalesce(
            case
                when service_costs.channel_code is null then by_service.transactions
                else by_channel.transactions
            end,
            0
        ) as transactions
    from {{ ref('kpi_service_costs') }} as service_costs
    left join by_service
        on
            by_service.service_id = service_costs.service_id
            and by_service.quarter = service_costs.quarter
    left join by_channel
        on
            by_channel.service_id = service_costs.service_id
            and by_channel.channel_code = service_costs.channel_code
            and by_channel.quarter = service_costs.quarter

),

cells as (

    select
        *,
        allocated_cost / nullif(transactions, 0) as cost_per_transaction
    from counted

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
