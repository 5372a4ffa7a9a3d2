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
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select *
from renamed
qualify row_number() over (
    partition by payment_id order by _loaded_at desc, _source_file desc, _source_row desc
) = 1
