{#- True when `text` contains, as a whole word, any word of the person's `name`
    (case-insensitive, accented letters included): "Jane Smith Contracting" and "Smith
    Roofing" both mention "Jane Smith". For withholding a business name that is its
    owner's own name before it is published (a sole proprietor, a licensed driver).
    False when either is empty. The regular expressions are RE2 (DuckDB); another
    engine needs its own spelling of `\pL` (any letter). -#}
{% macro mentions_name(text, name) -%}
    coalesce(
        regexp_matches(
            lower({{ text }}),
            '(^|[^\pL])('
            || trim(regexp_replace(lower(trim({{ name }})), '[^\pL]+', '|', 'g'), '|')
            || ')($|[^\pL])'
        ),
        false
    )
{%- endmacro %}
