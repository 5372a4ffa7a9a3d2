-- One row per month received and request type: the share of FOI requests decided within
-- the MFIPPA deadline (s.19 30 days, extended under s.20 and s.21), as the IPC's annual
-- statistics report it. Open requests count as received, not as decided.
select
    {{ period_start('month', 'received_date') }} as month,
    request_type,
    count(*) as requests_received,
    count(decision_date) as requests_decided,
    sum(case when is_within_deadline then 1 else 0 end) as decided_within_deadline,
    cast(sum(case when is_within_deadline then 1 else 0 end) as double)
    / nullif(count(decision_date), 0) as share_within_deadline,
    median(days_to_respond) as median_days_to_respond
from {{ ref('fct_foi_requests') }}
group by 1, 2
