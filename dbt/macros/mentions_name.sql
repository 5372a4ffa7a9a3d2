{#- True when `text` contains, as a whole word, any word of the person's `name`
    (case-insensitive, accented letters included, accents ignored on both sides:
    "Belanger Roofing" mentions "Bélanger"): "Jane Smith Contracting" and "Smith
    Roofing" both mention "Jane Smith". For withholding a business name that is its
    owner's own name before it is published (a sole proprietor, a licensed driver).
    False when either is empty. The regular expressions are RE2 (DuckDB); another
    engine needs its own spelling of `\pL` (any letter).
    Both sides are split into words by one constant pattern and the word lists compared:
    a pattern built from each row's name (as this was first written) is compiled per
    row, 3.6 ms each with `\pL` in it, 13 s for 3,700 licences. -#}
{% macro mentions_name(text, name) -%}
    coalesce(
        list_has_any(
            regexp_split_to_array(strip_accents(lower({{ text }})), '[^\pL]+'),
            list_filter(
                regexp_split_to_array(strip_accents(lower({{ name }})), '[^\pL]+'),
                lambda word: word <> ''
            )
        ),
        false
    )
{%- endmacro %}
