-- One row per property and tax year on the tax roll. The roll number is replaced by a
-- one-way key (property_key): no owner, address or roll number here. Keys are md5
-- hashes (portable: DuckDB, Postgres, Spark, Snowflake); dbt.hash does not render under
-- the lint's jinja templater.
with roll as (

    select
        *,
        -- the levy was billed on the true assessment: an assessment that does not give
        -- the levy at the year's rates (typed 1,000 times too large) is implausible
        abs(assessed_value * (municipal_tax_rate + education_tax_rate) - total_levy)
        > 0.01 * total_levy + 1 as has_implausible_assessment
    from {{ ref('stg_tax_roll__properties') }}

)

select
    md5(property_year_key) as property_year_key,
    md5(roll_number) as property_key,
    tax_year,
    tax_class_code,
    property_class_code,
    property_class,
    ward_number,
    'finance' as division_id,
    -- left out, not summed into totals
    case when not has_implausible_assessment then assessed_value end as assessed_value,
    has_implausible_assessment,
    municipal_tax_rate,
    education_tax_rate,
    municipal_tax_rate + education_tax_rate as total_tax_rate,
    total_levy,
    arrears
from roll
