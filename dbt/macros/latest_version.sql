{#- Staging keeps one row per key: the latest version (a record re-exported in a later
    file, or twice in one file, counts once). Latest means the highest value of the
    contract's `latest_by` column when it names one (a last-modified time, a status date:
    staging must keep that column under its contract name), then the latest load, then
    the last row of the file. Written as the full select over
    `relation` (a CTE of the model): the keys that occur once pass straight through, and
    only the rows of repeated keys are ranked. A window over every row holds them all in
    memory at once: at 10 million requests it ran out of the 2 GB DuckDB may use.
    `key`: one column, or a list of columns for a composite key. -#}
{% macro latest_version(relation, key, latest_by=none) %}
    {%- set latest_by = latest_by or (contract_latest_by() | trim) %}
    {%- set keys = [key] if key is string else key %}
select deduplicated.*
from (
    with repeated as (
        select {{ keys | join(', ') }}
        from {{ relation }}
        group by {{ keys | join(', ') }}
        having count(*) > 1
    )

    select {{ relation }}.*
    from {{ relation }}
    where not exists (
        select 1 from repeated
        where {{ _same_key(keys, relation) }}
    )
    union all
    select latest_of_repeated.*
    from (
        select {{ relation }}.*
        from {{ relation }}
        where exists (
            select 1 from repeated
            where {{ _same_key(keys, relation) }}
        )
        qualify row_number() over (
            partition by {{ keys | join(', ') }}
            order by
                {% if latest_by %}{{ latest_by }} desc nulls last, {% endif -%}
                _loaded_at desc, _source_file desc, _source_row desc
        ) = 1
    ) as latest_of_repeated
) as deduplicated
{%- endmacro %}

{#- The rows of `relation` whose key is one of the repeated keys (nulls equal). -#}
{% macro _same_key(keys, relation) -%}
    {%- for k in keys -%}
        {%- if not loop.first %} and {% endif -%}
        repeated.{{ k }} is not distinct from {{ relation }}.{{ k }}
    {%- endfor -%}
{%- endmacro %}

{#- The `latest_by` column of the contract of the source the calling model selects from
    (generated into the source's meta by `make dictionary-generate`), or none. -#}
{% macro contract_latest_by() -%}
    {%- if execute -%}
        {%- for pair in model.sources -%}
            {%- for node in graph.sources.values() -%}
                {%- if node.source_name == pair[0] and node.name == pair[1] -%}
                    {%- set meta = node.meta or node.config.get('meta', {}) or {} -%}
                    {{- meta.get('latest_by', '') -}}
                {%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{#- The lineage columns every raw table carries (see the ingest ledger). -#}
{% macro lineage_columns() -%}
_source_file,
        _source_row,
        _loaded_at
{%- endmacro %}
