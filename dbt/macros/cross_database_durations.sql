{#- Durations between two timestamps with dbt's cross-database datediff (rule 19),
    callable where sqlfluff lints the models (its plain Jinja templater has no `dbt`
    namespace: these give it the equivalent DuckDB SQL). Shared by any model that times
    work in hours (work orders, snow clearing) or gaps in seconds (GPS pings).

        {{ hours_between('created_at', 'completed_at') }}    -> hours, to the minute (double)
        {{ seconds_between('previous_at', 'recorded_at') }}  -> whole seconds
-#}
{% macro hours_between(first, second) -%}
    {%- if dbt is defined -%}
        ({{ dbt.datediff(first, second, 'minute') }} / 60.0)
    {%- else -%}
        (date_diff('minute', {{ first }}, {{ second }}) / 60.0)
    {%- endif -%}
{%- endmacro %}

{% macro seconds_between(first, second) -%}
    {%- if dbt is defined -%}
        {{ dbt.datediff(first, second, 'second') }}
    {%- else -%}
        date_diff('second', {{ first }}, {{ second }})
    {%- endif -%}
{%- endmacro %}
