{#-
    Every column of `relation` (a table or CTE name) except `excluded`, with the columns
    named in `replacements` ({column: sql expression}) replaced in place. The
    expression-over-star form is not in standard SQL: DuckDB, Snowflake (EXCLUDE/REPLACE)
    and BigQuery (EXCEPT/REPLACE) have it; another engine needs its own implementation
    here (or the model names its columns).
-#}
{% macro star_replacing(relation, excluded, replacements) -%}
    {{ return(adapter.dispatch('star_replacing')(relation, excluded, replacements)) }}
{%- endmacro %}

{% macro default__star_replacing(relation, excluded, replacements) -%}
    {{ exceptions.raise_compiler_error(
        "star_replacing has no implementation for " ~ target.type
        ~ " (dbt/macros/star_replacing.sql): add one"
    ) }}
{%- endmacro %}

{% macro duckdb__star_replacing(relation, excluded, replacements) -%}
    {%- set replaced = [] %}
    {%- for column, expression in replacements.items() %}
        {%- do replaced.append(expression ~ ' as ' ~ column) %}
    {%- endfor %}
    {{ relation }}.* exclude ({{ excluded | join(', ') }})
    {%- if replaced %} replace ({{ replaced | join(', ') }}){%- endif %}
{%- endmacro %}

{% macro snowflake__star_replacing(relation, excluded, replacements) -%}
    {{ duckdb__star_replacing(relation, excluded, replacements) }}
{%- endmacro %}
