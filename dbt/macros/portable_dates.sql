{#- Whole days from `start_date` to `end_date` (NULL when either is), with dbt's portable
    datediff (rule 19): another engine needs no change here. The SQL linter renders
    models without dbt's namespace, so it sees the DuckDB spelling of the same thing. -#}
{% macro days_between(start_date, end_date) -%}
    {%- if dbt is defined -%}
        {{ dbt.datediff(start_date, end_date, 'day') }}
    {%- else -%}
        date_diff('day', {{ start_date }}, {{ end_date }})
    {%- endif -%}
{%- endmacro %}

{#- The first day of `date_part` ('month', 'year'...) holding `value`, as a date: dbt's
    portable date_trunc, seen by the linter in its DuckDB spelling (as days_between). -#}
{% macro period_start(date_part, value) -%}
    {%- if dbt is defined -%}
        cast({{ dbt.date_trunc(date_part, value) }} as date)
    {%- else -%}
        cast(date_trunc('{{ date_part }}', {{ value }}) as date)
    {%- endif -%}
{%- endmacro %}
