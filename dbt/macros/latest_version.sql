{#- Staging keeps one row per key: the version from the latest load (a record re-exported
    in a later file, or twice in one file, counts once). -#}
{% macro latest_version(key) -%}
qualify row_number() over (
    partition by {{ key }} order by _loaded_at desc, _source_file desc, _source_row desc
) = 1
{%- endmacro %}

{#- The lineage columns every raw table carries (see the ingest ledger). -#}
{% macro lineage_columns() -%}
_source_file,
        _source_row,
        _loaded_at
{%- endmacro %}
