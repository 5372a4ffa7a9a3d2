-- One row per roll number, tax year and instalment (a line re-sent later in the export,
-- with the payment posted since, replaces the first).
with source as (

    select * from {{ source('tax_instalments', 'tax_instalments_instalments') }}

),

renamed as (

    select
        regexp_replace(roll_number, '[^0-9]', '', 'g') as roll_number,
        cast(tax_year as integer) as tax_year,
        cast(instalment_number as integer) as instalment_number,
        case when cast(instalment_number as integer) <= 2 then 'Interim' else 'Final' end
            as bill_type,
        cast(bill_date as date) as bill_date,
        cast(due_date as date) as due_date,
        cast(amount_billed as decimal(18, 2)) as amount_billed,
        cast(coalesce(amount_paid, 0) as decimal(18, 2)) as amount_paid,
        -- empty when unpaid, or when the system held a date before the bill (row rule)
        cast(paid_date as date) as paid_date,
        trim(payment_channel) as channel_label,
        cast(coalesce(penalty_interest, 0) as decimal(18, 2)) as penalty_interest,
        {{ lineage_columns() }}
    from source

),

keyed as (

    select
        cast(tax_year as varchar) || '-' || roll_number || '-' || cast(instalment_number as varchar)
            as instalment_key,
        *
    from renamed

)

{{ latest_version('keyed', 'instalment_key') }}
