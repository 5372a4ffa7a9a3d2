-- One row per tax year: how much of the property tax billed was collected, and how much
-- of it on time. Collection rate = amount paid / amount billed over the year's four
-- instalments; on-time rate = instalments paid in full by their due date / instalments.
with instalments as (

    select
        tax_year,
        count(*) as instalments,
        count(*) filter (where is_paid_in_full and is_paid_on_time) as instalments_on_time,
        sum(amount_billed) as amount_billed,
        sum(least(amount_paid, amount_billed)) as amount_collected,
        sum(penalty_interest) as penalty_interest
    from {{ ref('fct_tax_instalments') }}
    group by tax_year

),

roll as (

    select tax_year, sum(total_levy) as total_levy, sum(arrears) as arrears
    from {{ ref('fct_property_tax_roll') }}
    group by tax_year

)

select
    instalments.tax_year,
    instalments.instalments,
    instalments.instalments_on_time,
    instalments.instalments_on_time / instalments.instalments as on_time_rate,
    instalments.amount_billed,
    instalments.amount_collected,
    instalments.amount_collected / nullif(instalments.amount_billed, 0) as collection_rate,
    instalments.penalty_interest,
    roll.total_levy,
    roll.arrears
from instalments
left join roll using (tax_year)
