-- One row per month: the share of 311 service requests and of payments made online, on
-- the scorecard's definition of the share online (KPI online_share of
-- data_dictionary/metrics.yml, macro kpi_metric): among those whose channel the system
-- records. Requests are the 311 transactions of core.fct_service_transactions (cancelled
-- ones left out, as in the scorecard). Payments are every payment the cashiering system
-- received (core.fct_payments, with its amounts): also the recreation, licence and
-- permit fees the scorecard counts as a stage of their own services.
with months as (

    select distinct month_start as month
    from {{ ref('dim_dates') }}

),

requests as (

    select
        month,
        {{ kpi_metric('transactions') }} as service_requests,
        count(*) filter (where is_online) as online_service_requests,
        {{ kpi_metric('online_share') }} as share_service_requests_online
    from {{ ref('fct_service_transactions') }}
    where source_system = 'crm311'
    group by month

),

payment_channels as (

    select
        {{ month_start('paid_at') }} as month,
        amount,
        -- an unrecorded channel says nothing about being online (as in the transactions)
        case when channel != 'unknown' then is_online_payment end as is_online
    from {{ ref('fct_payments') }}

),

payments as (

    select
        month,
        count(*) as payments,
        count(*) filter (where is_online) as online_payments,
        {{ kpi_metric('online_share') }} as share_payments_online,
        sum(amount) as payments_amount,
        coalesce(sum(amount) filter (where is_online), 0) as online_payments_amount
    from payment_channels
    group by month

)

select
    months.month,
    coalesce(requests.service_requests, 0) as service_requests,
    coalesce(requests.online_service_requests, 0) as online_service_requests,
    requests.share_service_requests_online,
    coalesce(payments.payments, 0) as payments,
    coalesce(payments.online_payments, 0) as online_payments,
    payments.share_payments_online,
    coalesce(payments.payments_amount, 0) as payments_amount,
    coalesce(payments.online_payments_amount, 0) as online_payments_amount
from months
left join requests using (month)
left join payments using (month)
where requests.month is not null or payments.month is not null
