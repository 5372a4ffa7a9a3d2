-- The digital adoption KPI as published: one row per month.
select
    cast(month as date) as month,
    cast(service_requests as bigint) as service_requests,
    cast(online_service_requests as bigint) as online_service_requests,
    cast(round(share_service_requests_online, 4) as double) as share_service_requests_online,
    cast(payments as bigint) as payments,
    cast(online_payments as bigint) as online_payments,
    cast(round(share_payments_online, 4) as double) as share_payments_online,
    cast(payments_amount as decimal(18, 2)) as payments_amount,
    cast(online_payments_amount as decimal(18, 2)) as online_payments_amount
from {{ ref('kpi_digital_adoption') }}
