{#- "Ward 3", "03", "3", 3 -> 3; a number that is not one of the city's wards -> NULL.
    Takes text or a number (a contract may type the column either way). The wards are
    the `wards` seed, generated from data_dictionary/city.yml. -#}
{% macro ward_number(ward) -%}
    case
        when
            try_cast(regexp_extract(cast({{ ward }} as varchar), '([0-9]+)', 1) as integer)
            in (select wards.ward_number from {{ ref('wards') }} as wards)
            then try_cast(regexp_extract(cast({{ ward }} as varchar), '([0-9]+)', 1) as integer)
    end
{%- endmacro %}
