-- One row per month received and request type: the share of FOI requests decided within
-- the MFIPPA deadline (s.19 30 days, extended under s.20 and s.21), as the IPC's annual
-- statistics report it. Open requests count as received, not as decided. The share and
-- the median are the KPIs of data_dictionary/metrics.yml (kpi_metric), over the requests
-- named as its transactions are: days to respond as processing days, the deadline as
-- the legislated timeline.
with requests as (

    select
        *,
        days_to_respond as processing_days,
        is_within_deadline as is_within_legislated
    from {{ ref('fct_foi_requests') }}

)

select
    {{ period_start('month', 'received_date') }} as month,
    request_type,
    count(*) as requests_received,
    count(decision_date) as requests_decided,
    sum(case when is_within_deadline then 1 else 0 end) as decided_within_deadline,
    {{ kpi_metric('share_within_legislated_timeline') }} as share_within_deadline,
    {{ kpi_metric('median_processing_days') }} as median_days_to_respond
from requests
group by 1, 2
