-- One row per payment received. Incremental (see staging).
{{
    config(
        materialized='incremental',
        unique_key='payment_id',
        incremental_strategy='delete+insert',
        pre_hook="{{ record_build_window('payment_id') }}"
    )
}}

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
    payments.amount,
    payments._loaded_at
from {{ ref('stg_payments__payments') }} as payments
left join channels on channels.source_label = payments.channel_label
left join {{ ref('payment_services') }} as services using (service)
{{ loaded_since_last_build('payments._loaded_at') }}
