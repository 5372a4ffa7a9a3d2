{#- "Ward 3", "03", "3" -> 3; anything outside the city's 15 wards -> NULL. -#}
{% macro ward_number(ward) -%}
    case
        when try_cast(regexp_extract({{ ward }}, '([0-9]+)', 1) as integer) between 1 and 15
        then try_cast(regexp_extract({{ ward }}, '([0-9]+)', 1) as integer)
    end
{%- endmacro %}
