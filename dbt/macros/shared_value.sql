{#- A category value published only when at least `min_records` rows share it; rarer
    values become `other`. A type typed by hand into a source system can hold anything a
    clerk pasted there (a name, a phone number); a value that several records share is a
    category, one that only one or two records carry may identify them. The window count
    is portable SQL (no engine-specific syntax). -#}
{% macro shared_value(column, min_records=5, other="Other") -%}
    {%- set records = "count(*) over (partition by " ~ column ~ ")" -%}
    {{ shared_value_counted(column, records, min_records, other) }}
{%- endmacro %}

{#- The same rule where the rows at hand are a part of the table (an incremental build):
    `records` is the number of rows of the whole table that share the value, counted
    beforehand. -#}
{% macro shared_value_counted(column, records, min_records=5, other="Other") -%}
    case
        when {{ column }} is null then null
        when {{ records }} >= {{ min_records }} then {{ column }}
        else '{{ other }}'
    end
{%- endmacro %}
