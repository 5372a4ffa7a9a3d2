{#-
    Small-cell suppression of a published aggregate, as its dictionary entry declares it
    (`small_cells` in data_dictionary/datasets/<dataset>.yml, handed to dbt as the model's
    meta by `make dictionary-generate`):

        with cells as (select ... group by ...),
        published as ({{ small_cell_suppression('cells') }})
        select cast(...) from published

    returns every column of `cells` with the protected counts, and the columns they
    determine, empty where suppressed, plus the flag column (true on a row with a
    suppressed cell).

    The algorithm (data_dictionary/README.md, "Aggregates and small cells"):
    1. Primary: a count from 1 to threshold - 1 is suppressed (0 is published: it names
       no one).
    2. Complementary: a group is the cells that differ only in one dimension of
       `totals_along` (their sum is a total someone can know; with `within`, split by that
       expression, e.g. the months of one quarter). A group with exactly one
       suppressed cell gives it back (total minus the others), so its smallest other cell
       is suppressed too: a non-zero one first (a zero may be known to be zero), ties
       broken by the dimensions so a rebuild suppresses the same cells. One dimension
       at a time, each step on the last one's result. A complement can leave a lone
       suppressed cell in another dimension's group (a cascade): the steps repeat over
       all dimensions for `max_rounds` rounds (ending early when one adds nothing;
       per pass of step 4), which ends the cascades of the city's tables; the privacy
       gate fails a model where one is left.
    3. Totals taken together: the cells that the groups' totals, solved together, still
       give back get a hypercube of complements each: after it no combination of the
       declared totals gives a cell back, but for a cell alone in a group or one
       without a complete hypercube in the table (the gate warns of those).
    4. Wide enough: a group holding a small count whose suppressed cells count less than
       the threshold shows each of them is small (1 and 2 hiding each other: both at
       most 3), so its cheapest cell that brings the sum to the threshold is suppressed
       too; steps 2-4 repeat until this adds nothing.
    Steps 2-4 are small_cell_suppress(), in
    dagster_project/lib/small_cell_protection.py, a DuckDB function the dbt profile's
    plugin registers (in SQL, step 2 took one materialised step per round and
    dimension: 0.5-0.8 s a table).
    Each protected count is suppressed on its own pattern (its totals are its own).
    Limits: it protects sums along the declared dimensions (and their `within` parts),
    not totals no one declared (a quarter of months when only months are declared); a
    group of one cell is its own total and is left as it is; in three-way tables the
    totals taken together can still bound a small count below the threshold, though
    each group's suppressed cells reach it (step 4; the module's docs give the figures);
    and the complements are a heuristic, not the fewest cells.
-#}
{% macro small_cell_suppression(relation) -%}
    {%- if not execute -%}
        select * from {{ relation }}
    {%- else -%}
        {%- set rules = (config.get('meta') or {}).get('small_cells') -%}
        {%- if not rules -%}
            {{ exceptions.raise_compiler_error(
                "model " ~ this.name ~ " calls small_cell_suppression but its dictionary "
                ~ "entry declares no small_cells (data_dictionary/datasets/*.yml); run "
                ~ "make dictionary-generate after declaring it"
            ) }}
        {%- endif -%}
        {{ suppress_small_cells(
            relation, rules.counts, rules.dimensions, rules.totals_along,
            rules.threshold, rules.flag, rules.max_rounds
        ) }}
    {%- endif -%}
{%- endmacro %}


{#- The threshold the model's dictionary entry applies (for rules of a model's own, such as
    a share that would give a hidden count back). -#}
{% macro small_cell_threshold() -%}
    {#- (at parse time config.get gives no meta: the SQL is not run then) -#}
    {%- set meta = (config.get('meta') if execute else none) or {} -%}
    {{ (meta.get('small_cells') or {}).get('threshold', 5) }}
{%- endmacro %}


{% macro is_small_count(cell_count) -%}
    coalesce({{ cell_count }} between 1 and {{ small_cell_threshold() }} - 1, false)
{%- endmacro %}


{#- The algorithm with its arguments spelled out (the unit tests call it directly).
    counts: [{"column": ..., "determines": [...]}]. -#}
{% macro suppress_small_cells(
    relation, counts, dimensions, totals_along, threshold, flag='is_suppressed', max_rounds=8
) -%}
    {%- set keys = dimensions | join(', ') %}
    with _cells as (
        select
            row_number() over (order by {{ keys }}) as _cell_id,
            *
        from {{ relation }}
    ),

    _step_0 as (
        select
            _cell_id,
            {{ keys }},
    {%- for count in counts %}
        {{ count.column }} as _count_{{ loop.index }},
        coalesce({{ count.column }} between 1 and {{ threshold - 1 }}, false)
            as _suppressed_{{ loop.index }}{{ ',' if not loop.last }}
    {%- endfor %}
        from _cells
    )
    {#- the complements: the rounds along each declared total, then the hypercubes the
        totals taken together still need (small_cell_suppress(), in
        dagster_project/lib/small_cell_protection.py, the DuckDB function the project
        registers for dbt: dbt/profiles.yml, plugins). The cells go in the order of the
        dimensions (_cell_id), which breaks the rounds' ties. -#}
    {%- for count in counts %}
        {%- set i = loop.index %},

    _protected_{{ i }} as (
        select
            small_cell_suppress(
                list(_cell_id order by _cell_id),
                list(_suppressed_{{ i }} order by _cell_id),
                list(cast(_count_{{ i }} as double) order by _cell_id),
                list([
        {%- for along in totals_along %}
                    cast({{ along.dimension }} as varchar){{ ',' if not loop.last }}
        {%- endfor %}
                ] order by _cell_id),
                list([
        {%- for along in totals_along %}
            {{ _small_cell_group_key(dimensions, along) }}{{ ',' if not loop.last }}
        {%- endfor %}
                ] order by _cell_id),
                {{ max_rounds }},
                {{ threshold }}
            ) as _cell_ids
        from _step_0
    )
    {%- endfor %},

    _final as (
        select
            _cell_id
    {%- for count in counts %}{%- set i = loop.index %},
            _suppressed_{{ i }}
            or coalesce(list_contains(_protected_{{ i }}._cell_ids, _cell_id), false)
                as _suppressed_{{ i }}
    {%- endfor %}
        from _step_0
    {%- for count in counts %}
        cross join _protected_{{ loop.index }}
    {%- endfor %}
    )

    {#- each blanked column: the count flags that empty it (its own, or its counts') -#}
    {%- set flags = {} %}
    {%- for count in counts %}
        {%- set i = loop.index %}
        {%- for column in [count.column] + (count.determines or []) %}
            {%- do flags.update({column: flags.get(column, []) + ['_final._suppressed_' ~ i]}) %}
        {%- endfor %}
    {%- endfor %}
    {%- set blanks = {} %}
    {%- for column, suppressed in flags.items() %}
        {%- do blanks.update({
            column: 'case when not (' ~ suppressed | join(' or ') ~ ') then _cells.'
            ~ column ~ ' end'
        }) %}
    {%- endfor %}

    select
        {{ star_replacing('_cells', ['_cell_id'], blanks) }},
        {% for count in counts -%}
        _final._suppressed_{{ loop.index }}{{ ' or ' if not loop.last }}
    {%- endfor %} as {{ flag }}
    from _cells
    inner join _final on _cells._cell_id = _final._cell_id
{%- endmacro %}


{#- One group's key along a total, as text: the other dimensions' values and the total's
    `within` (cells of one group share it). -#}
{% macro _small_cell_group_key(dimensions, along) -%}
    {%- set keys = dimensions | reject('equalto', along.dimension) | list -%}
    to_json({
    {%- for key in keys %}'{{ key }}': {{ key }}, {% endfor -%}
    '_within': {{ along.within or 'null' }}})::varchar
{%- endmacro %}
