{#- Generalise a street address to its hundred-block ("1245 Maple Ave" -> "1200 block of
    Maple Ave"), so a published location never points at one home. Addresses without a
    leading house number pass through as NULL rather than risk exposing them. -#}
{% macro address_block(address) -%}
    case
        when regexp_matches(trim({{ address }}), '^[0-9]+[A-Za-z]?\s+\S')
        then cast(cast(floor(cast(regexp_extract(trim({{ address }}), '^([0-9]+)', 1) as integer) / 100) * 100 as integer) as varchar)
            || ' block of '
            || regexp_replace(trim({{ address }}), '^[0-9]+[A-Za-z]?\s+', '')
    end
{%- endmacro %}
