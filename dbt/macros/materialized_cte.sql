{#-
    The keyword that makes a CTE computed once, where the engine has one (DuckDB and
    PostgreSQL: MATERIALIZED). A long chain of CTEs, each windowing the last (the rounds
    of small-cell suppression), is planned as one nested query otherwise, and DuckDB's
    planning time grows exponentially with its depth (8 rounds: 90 s, materialized: 1 s).
-#}
{% macro materialized_cte() -%}
    {{ return(adapter.dispatch('materialized_cte')()) }}
{%- endmacro %}

{% macro default__materialized_cte() -%}{%- endmacro %}

{% macro duckdb__materialized_cte() -%}materialized{%- endmacro %}

{% macro postgres__materialized_cte() -%}materialized{%- endmacro %}
