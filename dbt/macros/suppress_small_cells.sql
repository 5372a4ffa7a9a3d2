{#-
    Small-cell suppression for published aggregates: a count of people (or of records
    that stand for people: registrations, properties, tickets) below the threshold could
    identify them, so the cell and every measure computed from it is published empty.

        {{ suppress_small_cell('count(*)', 'count(*)') }}            -> the count, or null
        {{ suppress_small_cell('avg(fee)', 'count(*)') }}            -> a measure of the cell
        {{ is_small_cell('count(*)') }}                              -> true when suppressed

    The threshold is the dbt var `small_cell_threshold` (default 5, the usual minimum
    cell size of statistical agencies' disclosure rules). A count of zero is published:
    it says no one, and identifies no one.
-#}
{% macro suppress_small_cell(value, cell_count) -%}
    case
        when
            {{ cell_count }} = 0 or {{ cell_count }} >= {{ var('small_cell_threshold', 5) }}
            then {{ value }}
    end
{%- endmacro %}

{% macro is_small_cell(cell_count) -%}
    coalesce({{ cell_count }} between 1 and {{ var('small_cell_threshold', 5) }} - 1, false)
{%- endmacro %}
