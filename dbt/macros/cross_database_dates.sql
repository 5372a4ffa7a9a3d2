{#- dbt's cross-database date macros (rule 19), callable where sqlfluff lints the models.
    The lint renders models with a plain Jinja templater that has no `dbt` namespace, so
    `{{ dbt.date_trunc(...) }}` written in a model fails the lint. These wrappers call
    dbt's macros when dbt renders them and give the linter the equivalent SQL otherwise.

        {{ month_start('registered_at') }}              -> first day of its month (date)
        {{ days_between('birth_date', 'start_date') }}  -> whole days from one to the other
-#}
{% macro month_start(column) -%}
    {%- if dbt is defined -%}
        cast({{ dbt.date_trunc('month', column) }} as date)
    {%- else -%}
        cast(date_trunc('month', {{ column }}) as date)
    {%- endif -%}
{%- endmacro %}

{% macro days_between(first, second) -%}
    {%- if dbt is defined -%}
        {{ dbt.datediff(first, second, 'day') }}
    {%- else -%}
        date_diff('day', {{ first }}, {{ second }})
    {%- endif -%}
{%- endmacro %}
