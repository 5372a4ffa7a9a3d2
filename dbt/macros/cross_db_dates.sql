{#- dbt's cross-database date macros (rule 19), callable where sqlfluff lints: its jinja
    templater has no `dbt` namespace, so there the macro renders DuckDB's equivalent (the
    SQL the lint checks is the same shape); dbt itself always takes the `dbt.` branch.

        {{ days_between('requested_date', 'inspection_date') }}  -> whole days, end - start
        {{ month_start('inspection_date') }}                     -> first day of its month
-#}
{% macro days_between(start_date, end_date) -%}
    {%- if dbt is defined -%}
        {{ dbt.datediff(start_date, end_date, 'day') }}
    {%- else -%}
        date_diff('day', {{ start_date }}, {{ end_date }})
    {%- endif -%}
{%- endmacro %}

{% macro month_start(date_column) -%}
    {%- if dbt is defined -%}
        {{ dbt.date_trunc('month', date_column) }}
    {%- else -%}
        date_trunc('month', {{ date_column }})
    {%- endif -%}
{%- endmacro %}
