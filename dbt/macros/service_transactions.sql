{#- core.fct_service_transactions is incremental: a build replaces the transactions of the
    rows its two big sources loaded since its last build, and those of the small sources
    that differ from the ones it holds.

    The big sources (311 requests, payments) come from incremental facts whose rows only
    grow, each row stamped `_loaded_at` (see loaded_since_last_build). The transactions
    table keeps that stamp, so "since its last build" is, per source, the newest stamp it
    holds. The small sources (inspections, FOI, by-law, licences, permits, ...) come from
    facts rebuilt whole: the build compares their transactions, all columns, with those
    the table holds, deletes the ones that changed or are gone, and appends the new and
    changed ones. A day's 311 file so leaves them as they are.

    A re-delivered 311 request or payment may now be left out (a request cancelled since:
    rule `cancelled`), so the build first deletes every transaction of the source rows it
    is about to look at, then appends those that are kept: the pre-hook and the model's
    select use the same watermarks, read before either runs. -#}

{#- mode 'filter': the condition on int_service_transactions rows (named `transactions` in
    the model) that the build writes
    (the big sources' rows loaded since the watermark, and the small sources'
    transactions the table does not hold, after the pre-hook); mode 'delete': the
    pre-hook's statement that first deletes the big sources' rows it recomputes and the
    small sources' transactions that changed or are gone. One macro, so both read the
    same watermarks and the same list of big sources.

    The big sources: source_system -> the incremental fact and how its key becomes
    transaction_id (as in int_service_transactions__requests/__payments). A watermark is
    the newest `_loaded_at` of the source the table holds, inlined as a literal so that
    DuckDB skips the facts' older row groups; a source without one is read whole. -#}
{% macro changed_service_transactions(mode) -%}
    {%- set growing = {
        'crm311': {'fact': ref('fct_service_requests'), 'transaction_id': "'crm311:' || request_id"},
        'payments': {'fact': ref('fct_payments'), 'transaction_id': "'payments:' || payment_id"},
    } -%}
    {%- set watermarks = {} -%}
    {%- if execute and is_incremental() -%}
        {%- set rows = run_query(
            "select source_system, cast(max(_loaded_at) as varchar) from " ~ this
            ~ " where _loaded_at is not null group by source_system"
        ) -%}
        {%- for row in rows -%}
            {%- do watermarks.update({row[0]: row[1]}) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set small_sources -%}
        source_system not in ('{{ growing.keys() | join("', '") }}')
    {%- endset -%}
    {%- if mode == 'filter' -%}
        ({{ small_sources }} and not exists (
            select 1 from {{ this }} as held
            where held.transaction_id is not distinct from transactions.transaction_id
        ))
        {%- for source_system in growing %}
            or (source_system = '{{ source_system }}'
                {%- if source_system in watermarks %}
                and _loaded_at > timestamptz '{{ watermarks[source_system] }}'
                {%- endif %})
        {%- endfor %}
    {%- elif mode == 'delete' and is_incremental() -%}
        {#- the table's columns, in its order: a row equal in all of them is kept -#}
        {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | join(', ') -%}
        {%- set held -%}
            select {{ columns }} from {{ this }} where {{ small_sources }}
        {%- endset -%}
        {%- set fresh -%}
            select {{ columns }} from {{ ref('int_service_transactions') }}
            where {{ small_sources }}
        {%- endset -%}
        {#- a transaction held but not fresh (changed, gone), or fresh but not held as
            often (changed, new, a duplicate): the rows are multisets, so EXCEPT ALL -#}
        delete from {{ this }}
        where transaction_id in (
            select transaction_id from ({{ held }} except all {{ fresh }})
            union all
            select transaction_id from ({{ fresh }} except all {{ held }})
        )
        {%- for source_system, source in growing.items() %}
            or transaction_id in (
                select {{ source['transaction_id'] }} from {{ source['fact'] }}
                {%- if source_system in watermarks %}
                where _loaded_at > timestamptz '{{ watermarks[source_system] }}'
                {%- endif %}
            )
        {%- endfor %}
    {%- endif -%}
{%- endmacro %}
