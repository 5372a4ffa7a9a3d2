{#- Staging keeps one row per key: the version from the latest load (a record re-exported
    in a later file, or twice in one file, counts once). Written as the full select over
    `relation` (a CTE of the model): the keys that occur once pass straight through, and
    only the rows of repeated keys are ranked. A window over every row holds them all in
    memory at once: at 10 million requests it ran out of the 2 GB DuckDB may use. -#}
{% macro latest_version(relation, key) %}
select deduplicated.*
from (
    with repeated as (
        select {{ key }} as repeated_key
        from {{ relation }}
        group by {{ key }}
        having count(*) > 1
    )

    select {{ relation }}.*
    from {{ relation }}
    where not exists (
        select 1 from repeated
        where repeated.repeated_key is not distinct from {{ relation }}.{{ key }}
    )
    union all
    select latest_of_repeated.*
    from (
        select {{ relation }}.*
        from {{ relation }}
        where exists (
            select 1 from repeated
            where repeated.repeated_key is not distinct from {{ relation }}.{{ key }}
        )
        qualify row_number() over (
            partition by {{ key }} order by _loaded_at desc, _source_file desc, _source_row desc
        ) = 1
    ) as latest_of_repeated
) as deduplicated
{%- endmacro %}

{#- The lineage columns every raw table carries (see the ingest ledger). -#}
{% macro lineage_columns() -%}
_source_file,
        _source_row,
        _loaded_at
{%- endmacro %}
