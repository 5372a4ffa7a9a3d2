{#- Every channel a row names (one code, or several joined by '|': a cost centre serving
    them together) is a value of ``to``'s ``field``: the relationships test, per code. -#}
{% test channels_known(model, column_name, to, field) %}
select listed.channel_code
from (
    select unnest(string_split({{ column_name }}, '|')) as channel_code
    from {{ model }}
    where {{ column_name }} is not null
) as listed
where listed.channel_code not in (select known.{{ field }} from {{ to }} as known)
{% endtest %}
