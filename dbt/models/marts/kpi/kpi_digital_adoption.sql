-- One row per month: the share of service requests and of payments made online.
with months as (

    select distinct month_start as month
    from {{ ref('dim_dates') }}

),

requests as (

    select
        cast(date_trunc('month', created_at) as date) as month,
        count(*) as service_requests,
        count(*) filter (where is_online_request) as online_service_requests
    from {{ ref('fct_service_requests') }}
    group by 1

),

payments as (

    select
        cast(date_trunc('month', paid_at) as date) as month,
        count(*) as payments,
        count(*) filter (where is_online_payment) as online_payments,
        sum(amount) as payments_amount,
        coalesce(sum(amount) filter (where is_online_payment), 0) as online_payments_amount
    from {{ ref('fct_payments') }}
    group by 1

)

select
    months.month,
    coalesce(requests.service_requests, 0) as service_requests,
    coalesce(requests.online_service_requests, 0) as online_service_requests,
    requests.online_service_requests / nullif(requests.service_requests, 0)
        as share_service_requests_online,
    coalesce(payments.payments, 0) as payments,
    coalesce(payments.online_payments, 0) as online_payments,
    payments.online_payments / nullif(payments.payments, 0) as share_payments_online,
    coalesce(payments.payments_amount, 0) as payments_amount,
    coalesce(payments.online_payments_amount, 0) as online_payments_amount
from months
left join requests using (month)
left join payments using (month)
where requests.month is not null or payments.month is not null
