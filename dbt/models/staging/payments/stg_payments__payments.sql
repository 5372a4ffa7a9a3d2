-- One row per payment received (duplicate lines in an export count once).
-- Incremental: a build adds the rows loaded since the last one and replaces their keys.
{{
    config(
        materialized='incremental',
        unique_key='payment_id',
        incremental_strategy='delete+insert',
        pre_hook="{{ record_build_window('payment_id') }}"
    )
}}

with source as (

    select * from {{ source('payments', 'payments_payments') }}
    {{ loaded_since_last_build() }}

),

renamed as (

    select
        payment_id,
        paid_at,
        trim(service) as service,
        lower(trim(channel)) as channel_label,
        amount,
        {{ lineage_columns() }}
    from source

)

{{ latest_version('renamed', 'payment_id') }}
