{#- dbt-duckdb's list_schemas, with the database name unquoted.

    dbt-core (1.11) asks for a database's schemas by its quoted name ('"warehouse"'), and
    dbt-duckdb 1.11.1 compares that with the catalog's name as it is, so no schema was
    ever found: every build listed the database six times and created all six of its
    schemas again, each in a transaction of its own (~0.3 s before the first model of
    every build, and a write on the warehouse that a build of nothing new need not make).
    Root-project macros take precedence over the adapter's in dbt's dispatch. -#}
{% macro duckdb__list_schemas(database) -%}
    {% set sql %}
        select schema_name
        from system.information_schema.schemata
        {% if database is not none %}
            where lower(catalog_name) = '{{ database | replace('"', '') | lower }}'
        {% endif %}
    {% endset %}
    {{ return(run_query(sql)) }}
{%- endmacro %}
