-- One row per payment received.
with channels as (

    select a.source_label, c.channel_code, c.is_online
    from {{ ref('channel_aliases') }} as a
    inner join {{ ref('intake_channels') }} as c using (channel_code)

)

select
    payments.payment_id,
    payments.paid_at,
    cast(payments.paid_at as date) as paid_date,
    payments.service,
    services.division_id,
    coalesce(channels.channel_code, 'unknown') as channel,
    coalesce(channels.is_online, false) as is_online_payment,
    payments.amount
from {{ ref('stg_payments__payments') }} as payments
left join channels on channels.source_label = payments.channel_label
left join {{ ref('payment_services') }} as services using (service)
