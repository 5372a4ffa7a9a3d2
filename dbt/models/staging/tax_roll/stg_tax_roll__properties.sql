-- One row per property and tax year on the tax roll (a property exported twice counts once).
-- Roll numbers lose the spaces the old software printed; the MPAC class code is split
-- into its class and named in the city's words.
with source as (

    select * from {{ source('tax_roll', 'tax_roll_properties') }}

),

renamed as (

    select
        regexp_replace(roll_number, '[^0-9]', '', 'g') as roll_number,
        cast(tax_year as integer) as tax_year,
        owner_names,
        mailing_address,
        trim(property_address) as property_address,
        {{ address_block('property_address') }} as address_block,
        {{ ward_number('ward') }} as ward_number,
        tax_class_code,
        left(tax_class_code, 2) as property_class_code,
        case left(tax_class_code, 2)
            when 'RT' then 'Residential'
            when 'MT' then 'Multi-residential'
            when 'CT' then 'Commercial'
            when 'IT' then 'Industrial'
            when 'FT' then 'Farm'
            when 'PT' then 'Pipeline'
            else 'Unknown'
        end as property_class,
        cast(assessed_value as decimal(18, 2)) as assessed_value,
        cast(municipal_tax_rate as double) as municipal_tax_rate,
        cast(education_tax_rate as double) as education_tax_rate,
        cast(total_levy as decimal(18, 2)) as total_levy,
        cast(arrears as decimal(18, 2)) as arrears,
        {{ lineage_columns() }}
    from source

),

keyed as (

    select
        cast(tax_year as varchar) || '-' || roll_number as property_year_key,
        *
    from renamed

)

{{ latest_version('keyed', 'property_year_key') }}
