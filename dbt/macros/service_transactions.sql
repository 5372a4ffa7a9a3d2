{#- core.fct_service_transactions is incremental: a build replaces the transactions of the
    rows its two big sources loaded since its last build, and those of the small sources
    that differ from the ones it holds.

    The big sources (311 requests, payments) come from incremental facts whose rows only
    grow, each row stamped `_loaded_at` (see loaded_since_last_build). The transactions
    table keeps that stamp, so "since its last build" is, per source, the newest stamp it
    holds. The small sources (inspections, FOI, by-law, licences, permits, ...) come from
    facts rebuilt whole: the build finds the sources whose transactions differ from those
    the table holds (small_sources_changed), compares those sources' transactions, all
    columns, deletes the ones that changed or are gone, and appends the new and changed
    ones. A day's 311 file so leaves them as they are.

    A re-delivered 311 request or payment may now be left out (a request cancelled since:
    rule `cancelled`), so the build first deletes every transaction of the source rows it
    is about to look at, then appends those that are kept: the pre-hook and the model's
    select use the same watermarks, read before either runs. -#}

{#- The pre-hooks, in order: mode 'mark' finds the small sources to compare (below);
    mode 'delete' deletes the big sources' rows the build recomputes and the compared
    sources' transactions that changed or are gone; mode 'append' writes the compared
    sources' new and changed transactions. Mode 'filter': the condition on
    int_service_transactions rows (named `transactions` in the model) that the model's
    select then appends on an incremental build: the big sources' new rows. One
    macro, so all read the same watermarks and the same list of big sources.

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
    {#- the small sources to compare: those whose fingerprint differs, found by the first
        pre-hook (mode 'mark') on the node's connection, read by the next two -#}
    {%- set changed_sources -%}
        source_system in (select source_system from _small_sources_changed)
    {%- endset -%}
    {%- if mode == 'mark' and is_incremental() -%}
        {{ small_sources_changed(small_sources) }}
    {%- elif mode == 'mark' -%}
        select 1  -- a first build: nothing held to compare
    {%- elif mode == 'filter' -%}
        false  {#- (the small sources' rows: the pre-hooks wrote them) -#}
        {%- for source_system in growing %}
            or (source_system = '{{ source_system }}'
                {%- if source_system in watermarks %}
                and _loaded_at > timestamptz '{{ watermarks[source_system] }}'
                {%- endif %})
        {%- endfor %}
    {%- elif mode == 'append' and is_incremental() -%}
        {#- the compared sources' transactions the table does not hold (after the delete:
            the new and changed ones) -#}
        {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | join(', ') -%}
        insert into {{ this }} ({{ columns }})
        select {{ columns }} from {{ ref('int_service_transactions') }} as transactions
        where {{ changed_sources }} and not exists (
            select 1 from {{ this }} as held
            where held.transaction_id is not distinct from transactions.transaction_id
        )
    {%- elif mode == 'append' -%}
        select 1  -- a first build: the select writes every row
    {%- elif mode == 'delete' and is_incremental() -%}
        {#- the table's columns, in its order: a row equal in all of them is kept -#}
        {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | join(', ') -%}
        {%- set held -%}
            select {{ columns }} from {{ this }} where {{ changed_sources }}
        {%- endset -%}
        {%- set fresh -%}
            select {{ columns }} from {{ ref('int_service_transactions') }}
            where {{ changed_sources }}
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


{#- The small sources whose transactions differ from those the table holds, by their
    count and the sum of their rows' hashes (the fingerprint lib/incremental.py's
    data_version uses), into the temporary table _small_sources_changed: the sources a
    day's 311 file did not touch are left without comparing their rows (1.16M permits
    at scale 200: the row comparison took 5.5 s). -#}
{% macro small_sources_changed(small_sources) -%}
    {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | join(', ') -%}
    {%- set fingerprint -%}
        select source_system, count(*) as n, sum(hash({{ columns }})) as h
    {%- endset -%}
    create or replace temporary table _small_sources_changed as
    select coalesce(held.source_system, fresh.source_system) as source_system
    from ({{ fingerprint }} from {{ this }} where {{ small_sources }} group by 1) as held
    full outer join (
        {{ fingerprint }} from {{ ref('int_service_transactions') }}
        where {{ small_sources }} group by 1
    ) as fresh on held.source_system = fresh.source_system
    where held.n is distinct from fresh.n or held.h is distinct from fresh.h
{%- endmacro %}
