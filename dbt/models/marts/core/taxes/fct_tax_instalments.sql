-- One row per property, tax year and instalment billed, with its payment: amount, date,
-- channel (conformed to dim_channels) and whether it was paid in full by the due date.
with channels as (

    select a.source_label, c.channel_code, c.is_online
    from {{ ref('channel_aliases') }} as a
    inner join {{ ref('intake_channels') }} as c using (channel_code)

)

select
    md5(instalments.instalment_key) as instalment_key,
    md5(instalments.roll_number) as property_key,
    instalments.tax_year,
    instalments.instalment_number,
    instalments.bill_type,
    'finance' as division_id,
    instalments.bill_date,
    instalments.due_date,
    instalments.amount_billed,
    instalments.amount_paid,
    instalments.paid_date,
    instalments.amount_paid > 0 as has_payment,
    case
        when instalments.amount_paid > 0
            then coalesce(channels.channel_code, 'unknown')
    end as channel_code,
    coalesce(channels.is_online, false) as is_online_payment,
    -- on time: received by the due date (the date is unknown when the row rule emptied it)
    case
        when instalments.amount_paid > 0 and instalments.paid_date is not null
            then instalments.paid_date <= instalments.due_date
    end as is_paid_on_time,
    case
        when instalments.paid_date > instalments.due_date
            then date_diff('day', instalments.due_date, instalments.paid_date)
        when instalments.paid_date is not null then 0
    end as days_late,
    instalments.amount_paid >= instalments.amount_billed as is_paid_in_full,
    instalments.amount_billed - least(instalments.amount_paid, instalments.amount_billed)
        as amount_outstanding,
    instalments.penalty_interest
from {{ ref('stg_tax_instalments__instalments') }} as instalments
left join channels on channels.source_label = instalments.channel_label
