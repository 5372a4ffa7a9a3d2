-- What the portal publishes of property tax payments: per month of payment and channel,
-- how many instalment payments came in, how much, the channel's share of the month's
-- payments and the share paid by the due date. Small cells (fewer payments than the
-- threshold) are empty, with complementary cells so that the month's total (which the
-- shares give away, and digital_adoption publishes) never gives one back.
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
        count(*) * 1.0 / sum(count(*)) over (partition by month) as share_of_payments,
        count(*) filter (where is_paid_on_time) * 1.0 / count(*) as share_on_time
    from payments
    group by month, channel_code

),

published as ({{ small_cell_suppression('cells') }})

select
    cast(published.month as date) as month,
    cast(published.channel_code as varchar) as channel_code,
    cast(channels.channel_name as varchar) as channel_name,
    cast(channels.is_online as boolean) as is_online,
    cast(published.payments as bigint) as payments,
    cast(published.amount_paid as decimal(18, 2)) as amount_paid,
    cast(published.share_of_payments as double) as share_of_payments,
    cast(published.share_on_time as double) as share_on_time,
    cast(published.is_suppressed as boolean) as is_suppressed
from published
left join {{ ref('dim_channels') }} as channels using (channel_code)
