-- What the portal publishes of property tax payments: per month of payment and channel,
-- how many instalment payments came in, how much, the channel's share of the month's
-- payments and the share paid by the due date. Small cells (under 5 payments) empty.
-- The share of payments is empty in every cell of a month that has a suppressed cell:
-- otherwise payments / share gives the month's total, and the total minus the published
-- cells gives the suppressed one back.
with payments as (

    select
        cast(date_trunc('month', paid_date) as date) as month,
        channel_code,
        amount_paid,
        is_paid_on_time
    from {{ ref('fct_tax_instalments') }}
    where has_payment and paid_date is not null

),

cells as (

    select
        month,
        channel_code,
        count(*) as payments,
        sum(amount_paid) as amount_paid,
        count(*) filter (where is_paid_on_time) as payments_on_time
    from payments
    group by month, channel_code

),

shares as (

    select
        cells.*,
        cells.payments * 1.0 / sum(cells.payments) over (partition by cells.month)
            as share_of_payments,
        cells.payments_on_time * 1.0 / cells.payments as share_on_time,
        bool_or({{ is_small_cell('cells.payments') }}) over (partition by cells.month)
            as month_has_suppressed_cell
    from cells

)

select
    cast(shares.month as date) as month,
    cast(shares.channel_code as varchar) as channel_code,
    cast(channels.channel_name as varchar) as channel_name,
    cast(channels.is_online as boolean) as is_online,
    cast({{ suppress_small_cell('shares.payments', 'shares.payments') }} as bigint) as payments,
    cast({{ suppress_small_cell('shares.amount_paid', 'shares.payments') }} as decimal(18, 2))
        as amount_paid,
    cast(
        case when not shares.month_has_suppressed_cell then shares.share_of_payments end
        as double
    ) as share_of_payments,
    cast(
        {{ suppress_small_cell('shares.share_on_time', 'shares.payments') }} as double
    ) as share_on_time,
    cast({{ is_small_cell('shares.payments') }} as boolean) as is_suppressed
from shares
left join {{ ref('dim_channels') }} as channels using (channel_code)
