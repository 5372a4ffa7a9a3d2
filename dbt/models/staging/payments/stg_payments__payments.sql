-- One row per payment received (duplicate lines in an export count once).
with source as (

    select * from {{ source('payments', 'payments_payments') }}

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

select *
from renamed
{{ latest_version('payment_id') }}
