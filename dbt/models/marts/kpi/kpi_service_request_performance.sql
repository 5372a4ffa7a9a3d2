-- One row per month, service category and ward: the 311 response-time KPI, on the
-- scorecard's definitions. The rows are the 311 transactions of
-- core.fct_service_transactions (cancelled requests left out, as in the scorecard) and
-- each figure is a KPI of data_dictionary/metrics.yml computed with its one formula
-- (macro kpi_metric, generated from metrics.yml): a category's figures are its
-- service's scorecard figures, split by ward.
with requests as (

    select
        transactions.*,
        service_requests.service_category,
        service_requests.ward_number
    from {{ ref('fct_service_transactions') }} as transactions
    inner join {{ ref('fct_service_requests') }} as service_requests
        on transactions.transaction_id = 'crm311:' || service_requests.request_id
    where transactions.source_system = 'crm311'

)

select
    month,
    service_category,
    ward_number,
    {{ kpi_metric('transactions') }} as requests_received,
    count(completed_at) as requests_closed,
    {{ kpi_metric('median_processing_days') }} as median_days_to_close,
    -- the service's standard in the inventory (services.yml): one per category
    cast(max(standard_days) as integer) as target_days,
    {{ kpi_metric('share_within_standard') }} as share_closed_within_target
from requests
group by month, service_category, ward_number
