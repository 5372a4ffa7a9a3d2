{#- The rows an incremental build wrote, for the checks of its key.

    A delete+insert model whose batch is the rows loaded since its last build
    (loaded_since_last_build) keeps its key unique by construction: a build deletes the
    held rows of every key in its batch before it inserts the batch. Only a batch holding
    a key twice can break it, so the uniqueness test reads the rows of the latest build
    (unique_in_build_window), not the whole table: 1-2.8 s a test at scale 200, three of
    them in a row on a day's 311 file.

    The window: the rows whose `_loaded_at` is after the model's watermark. Each build
    records one, in the same transaction as its rows (record_build_window, a pre-hook):
    - a full build (first build, --full-refresh) records an empty window: the test reads
      the whole table;
    - an incremental build starts its window at the newest `_loaded_at` it held before
      writing, once the last window is known to hold no repeated key: its test passed
      (on-run-end, mark_build_windows_checked, records that), or, when no passing test
      was recorded (a run stopped before its end, a test skipped), the build looks at
      that window itself. A window with a repeated key stays open: the test keeps
      failing until a delivery fixes the key, as a whole-table test would.

    Only for models whose every written row is stamped later than the rows they held.
    A model that also rewrites older rows with their old stamp (such as
    int_service_requests__published, which re-selects the requests whose published type
    may change) keeps dbt's whole-table `unique`. Nor does the test read a row changed
    behind the build's back (by hand, in SQL) before the window; `dbt build
    --full-refresh` reads everything again.

    The table keeps one row per build, numbered by a sequence (builds on two threads
    append, never conflict; a clock set back cannot reorder them); a model's highest
    number is its window. -#}

{% macro build_windows_relation() -%}
    {{ target.schema }}._dbt_build_windows
{%- endmacro %}

{#- on-run-start: before any node, so two threads never both create them -#}
{% macro create_build_windows_relation() -%}
    create sequence if not exists {{ target.schema }}._dbt_build_window_numbers;
    create table if not exists {{ build_windows_relation() }} (
        build_number bigint not null
            default nextval('{{ target.schema }}._dbt_build_window_numbers'),
        model varchar not null,  -- the relation, as the test names it
        node_id varchar not null,  -- the model's dbt id, as the test results name it
        checked_after timestamptz,  -- the window: rows loaded after this; empty = all rows
        recorded_at timestamptz not null,
        invocation_id varchar,
        test_passed boolean not null default false  -- its uniqueness test passed on it
    )
{%- endmacro %}

{#- The latest window of `relation`: (its start as text, to inline as a timestamptz
    literal so that DuckDB skips the row groups before it; whether its test passed).
    (none, false): no window recorded (nor the table: a command that runs no hooks,
    such as dbt compile, on a new warehouse), or a full build: the whole table. -#}
{% macro latest_build_window(relation) -%}
    {%- set table = adapter.get_relation(
        database=target.database, schema=target.schema, identifier='_dbt_build_windows'
    ) if execute else none -%}
    {%- if table is none -%}{{ return((none, false)) }}{%- endif -%}
    {%- set rows = run_query(
        "select cast(checked_after as varchar), test_passed from " ~ build_windows_relation()
        ~ " where model = '" ~ relation ~ "' order by build_number desc limit 1"
    ) -%}
    {{ return((rows[0][0], rows[0][1]) if rows | length > 0 else (none, false)) }}
{%- endmacro %}

{#- The condition on a row of the window that starts at `start` -#}
{% macro in_build_window(start, loaded_at='_loaded_at') -%}
    {%- if start is none -%}
        true
    {%- else -%}
        {{ loaded_at }} > timestamptz '{{ start }}'
    {%- endif -%}
{%- endmacro %}

{#- The keys of the window held more than once in `relation` (the test's query) -#}
{% macro keys_repeated_in_build_window(relation, key, start, loaded_at='_loaded_at') -%}
    select {{ key }} as unique_field, count(*) as n_records
    from {{ relation }}
    {%- if start is not none %}
    where {{ key }} in (
        select {{ key }} from {{ relation }} where {{ in_build_window(start, loaded_at) }}
    )
    {%- else %}
    where {{ key }} is not null
    {%- endif %}
    group by {{ key }}
    having count(*) > 1
{%- endmacro %}

{#- Where this build's window starts: after the newest row held, unless the latest
    window may hold a repeated key (its test did not pass, and looking finds one) -#}
{% macro next_build_window_start(key, loaded_at) -%}
    {%- set start, passed = latest_build_window(this) -%}
    {%- if not passed -%}
        {%- set repeated = run_query(
            keys_repeated_in_build_window(this, key, start, loaded_at) ~ " limit 1"
        ) -%}
        {%- if repeated | length > 0 -%}{{ return(start) }}{%- endif -%}
    {%- endif -%}
    {{ return(run_query("select cast(max(" ~ loaded_at ~ ") as varchar) from " ~ this)[0][0]) }}
{%- endmacro %}

{#- The pre-hook of a delete+insert model with key `key` (see the top of this file) -#}
{% macro record_build_window(key, loaded_at='_loaded_at') -%}
    {%- set start = next_build_window_start(key, loaded_at)
        if execute and is_incremental() else none -%}
    insert into {{ build_windows_relation() }}
        (model, node_id, checked_after, recorded_at, invocation_id)
    values (
        '{{ this }}',
        '{{ model.unique_id }}',
        {{ "timestamptz '" ~ start ~ "'" if start is not none else "null" }},
        now(),
        '{{ invocation_id }}'
    )
{%- endmacro %}

{#- on-run-end: the windows whose uniqueness test passed in this invocation (`results`,
    dbt's results of its nodes): the next build of each starts its own window without
    reading this one again. -#}
{% macro mark_build_windows_checked(results) -%}
    {%- set models = [] -%}
    {%- for result in results -%}
        {%- set node = result.node -%}
        {%- if node.resource_type == 'test' and result.status == 'pass'
              and node.test_metadata is defined and node.test_metadata is not none
              and node.test_metadata.name == 'unique_in_build_window' -%}
            {%- do models.append(node.attached_node) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if models -%}
        update {{ build_windows_relation() }} as windows set test_passed = true
        where node_id in ('{{ models | join("', '") }}')
            and build_number = (
                select max(build_number) from {{ build_windows_relation() }} as latest
                where latest.node_id = windows.node_id
            )
    {%- else -%}
        select 1  -- no such test ran
    {%- endif -%}
{%- endmacro %}
