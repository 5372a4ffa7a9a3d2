{#- GENERATED from data_dictionary/metrics.yml by `make dictionary-generate`. Do not edit: change the dictionary and regenerate.
    The KPIs of metrics.yml as aggregates over the rows their grain names (transactions:
    core.fct_service_transactions or a relation with its columns; the web completion
    rate: core.fct_web_service_page_days; the inventory's: service_stages), grouped as
    the caller groups them:
        select service_id, month, {{ kpi_metric('online_share') }} as online_share
        from {{ ref('fct_service_transactions') }} group by service_id, month
-#}
{% macro kpi_metric(name) -%}
    {%- if name == 'transactions' %}count(*)
    {%- elif name == 'online_share' %}avg(case when is_online then 1e0 when is_online is not null then 0e0 end)
    {%- elif name == 'median_processing_days' %}cast(percentile_cont(0.5) within group (order by processing_days) as double)
    {%- elif name == 'p90_processing_days' %}cast(percentile_cont(0.9) within group (order by processing_days) as double)
    {%- elif name == 'share_within_standard' %}avg(case when is_within_standard then 1e0 when is_within_standard is not null then 0e0 end)
    {%- elif name == 'share_within_legislated_timeline' %}avg(case when is_within_legislated then 1e0 when is_within_legislated is not null then 0e0 end)
    {%- elif name == 'web_completion_rate' %}cast(sum(least(service_completions, service_starts)) as double) / nullif(sum(service_starts), 0)
    {%- elif name == 'share_of_services_online' %}1e0 - cast(count(distinct case when is_online is not true then service_id end) as double) / nullif(count(distinct service_id), 0)
    {%- elif name == 'share_of_stages_online' %}avg(case when is_online then 1e0 else 0e0 end)
    {%- else -%}
    {{ exceptions.raise_compiler_error(
        "kpi_metric: " ~ name ~ " is not a KPI of "
        ~ "data_dictionary/metrics.yml (one of: transactions, online_share, median_processing_days, p90_processing_days, share_within_standard, share_within_legislated_timeline, web_completion_rate, share_of_services_online, share_of_stages_online)"
    ) }}
    {%- endif %}
{%- endmacro %}
