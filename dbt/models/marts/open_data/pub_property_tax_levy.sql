-- What the portal publishes of the tax roll: totals per tax year, property class and
-- ward. A cell of fewer properties than the threshold is published empty, with the
-- complementary cells that would give it back through a class or ward total
-- (is_suppressed): a home's tax is personal. No roll number, owner or address.
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

),

published as ({{ small_cell_suppression('cells') }})

select
    cast(tax_year as integer) as tax_year,
    cast(property_class as varchar) as property_class,
    cast(ward_number as integer) as ward_number,
    cast(properties as bigint) as properties,
    cast(total_assessment as decimal(18, 2)) as total_assessment,
    cast(total_levy as decimal(18, 2)) as total_levy,
    cast(round(average_levy, 2) as decimal(18, 2)) as average_levy,
    cast(total_arrears as decimal(18, 2)) as total_arrears,
    cast(is_suppressed as boolean) as is_suppressed
from published
