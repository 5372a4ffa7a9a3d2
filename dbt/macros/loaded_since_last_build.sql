{#- The rows an incremental model adds on this build: those loaded after the latest row it
    already holds (`_loaded_at` only ever grows per raw table, see the ingest loader).
    Right only while the raw tables grow; when a file's rows were replaced (a corrected
    re-delivery) the platform runs the build with --full-refresh (lib/incremental.py).
    An empty model takes everything. -#}
{% macro loaded_since_last_build(loaded_at='_loaded_at') -%}
    {%- if is_incremental() %}
        where {{ loaded_at }} > (
            select coalesce(max(_loaded_at), timestamptz '1900-01-01 00:00:00+00')
            from {{ this }}
        )
    {%- endif %}
{%- endmacro %}

{#- The same for a snapshot: the rows loaded after the latest version it recorded. A
    record examined before and unchanged is not examined again; with the default
    hard_deletes (ignore), a record absent from this selection keeps its history. -#}
{% macro loaded_since_last_snapshot() -%}
    {%- set existing = adapter.get_relation(
        database=this.database, schema=this.schema, identifier=this.identifier
    ) if execute else none -%}
    {%- if existing is not none %}
        where _loaded_at > (
            select coalesce(max(_loaded_at), timestamptz '1900-01-01 00:00:00+00')
            from {{ this }}
        )
    {%- endif %}
{%- endmacro %}
