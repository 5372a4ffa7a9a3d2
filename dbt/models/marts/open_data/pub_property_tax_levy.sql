-- What the portal publishes of the tax roll: totals per tax year, property class and
-- ward. A cell of fewer than 5 properties is published empty (is_suppressed): a home's
-- tax is personal. No roll number, owner or address.
with cells as (

    select
        tax_year,
        property_class,
        ward_number,
        count(*) as properties,
        sum(assessed_value) as total_assessment,
        sum(total_levy) as total_levy,
        avg(total_levy) as average_levy,
        sum(arrears) as total_arrears
    from {{ ref('fct_property_tax_roll') }}
    group by tax_year, property_class, ward_number

)

select
    cast(tax_year as integer) as tax_year,
    cast(property_class as varchar) as property_class,
    cast(ward_number as integer) as ward_number,
    cast({{ suppress_small_cell('properties', 'properties') }} as bigint) as properties,
    cast({{ suppress_small_cell('total_assessment', 'properties') }} as decimal(18, 2))
        as total_assessment,
    cast({{ suppress_small_cell('total_levy', 'properties') }} as decimal(18, 2)) as total_levy,
    cast({{ suppress_small_cell('round(average_levy, 2)', 'properties') }} as decimal(18, 2))
        as average_levy,
    cast({{ suppress_small_cell('total_arrears', 'properties') }} as decimal(18, 2))
        as total_arrears,
    cast({{ is_small_cell('properties') }} as boolean) as is_suppressed
from cells
