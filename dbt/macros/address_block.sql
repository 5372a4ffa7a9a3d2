{#- A location generalised to its hundred-block, built from parsed parts only:
    "1245 Maple Ave" -> "1200 block of Maple Ave". The address must be a house number, a
    street name of 1-4 capitalised words and a street type from the `street_types` seed
    (city.yml), optionally a direction; nothing may follow. Anything else - a unit, a
    name or a note typed after the street, a PO box - gives NULL: a published location
    never carries free text from the source. -#}
{% macro address_block(address) -%}
    {#- house number, street name words, street type, direction -#}
    {%- set pattern = "^([0-9]+)[A-Za-z]?[ ]+"
        ~ "((?:[A-Z0-9][A-Za-z0-9''.-]*[ ]+){1,4}?)"
        ~ "([A-Za-z]+)[.]?"
        ~ "([ ]+(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West))?$" -%}
    case
        when
            regexp_matches(trim({{ address }}), '{{ pattern }}')
            and lower(regexp_extract(trim({{ address }}), '{{ pattern }}', 3))
            in (select street_types.street_type from {{ ref('street_types') }} as street_types)
            then
                cast(
                    cast(regexp_extract(trim({{ address }}), '{{ pattern }}', 1) as bigint)
                    // 100 * 100 as varchar
                )
                || ' block of '
                || trim(regexp_extract(trim({{ address }}), '{{ pattern }}', 2))
                || ' '
                || regexp_extract(trim({{ address }}), '{{ pattern }}', 3)
                || coalesce(regexp_extract(trim({{ address }}), '{{ pattern }}', 4), '')
    end
{%- endmacro %}
