{#- True when `text` contains, as a whole word, any word of the person's `name`
    (case-insensitive, accented letters included, accents ignored on both sides:
    "Belanger Roofing" mentions "Bélanger"): "Jane Smith Contracting" and "Smith
    Roofing" both mention "Jane Smith". For withholding a business name that is its
    owner's own name before it is published (a sole proprietor, a licensed driver).
    False when either is empty. The regular expressions are RE2 (DuckDB); another
    engine needs its own spelling of `\pL` (any letter). -#}
{% macro mentions_name(text, name) -%}
    coalesce(
        regexp_matches(
            strip_accents(lower({{ text }})),
            '(^|[^\pL])('
            || trim(
                regexp_replace(strip_accents(lower(trim({{ name }}))), '[^\pL]+', '|', 'g'),
                '|'
            )
            || ')($|[^\pL])'
        ),
        false
    )
{%- endmacro %}
