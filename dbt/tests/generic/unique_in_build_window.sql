{#- `unique` for a delete+insert model with a build window (macros/build_window.sql):
    no key that the model's latest build wrote is held twice (after a full build: no key
    at all is). -#}
{% test unique_in_build_window(model, column_name, loaded_at='_loaded_at') %}
    {%- set start = latest_build_window(model)[0] %}
    {{ keys_repeated_in_build_window(model, column_name, start, loaded_at) }}
{% endtest %}
