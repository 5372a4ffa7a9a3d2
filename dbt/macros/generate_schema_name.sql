{#- Schemas are named by layer (staging, core, kpi, open_data...), not prefixed with the
    target's schema: analysts query core.fct_service_requests, not main_core.... -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name if custom_schema_name is not none else target.schema }}
{%- endmacro %}
