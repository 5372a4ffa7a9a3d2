-- One row per by-law case, as the case-management system last exported it (a case
-- exported twice, or re-sent updated in a later year's export, keeps its latest version).
-- The contract already mapped the old system's codes and the new one's casing to the
-- city's labels. Personal columns (address, complainant) stay here, in the restricted
-- staging schema.
with source as (

    select * from {{ source('bylaw_cases', 'bylaw_cases_cases') }}

),

renamed as (

    select
        case_number,
        -- the contract flags (does not drop) a code outside the list: published as Unknown
        case
            when complaint_type in (
                'Noise', 'Property Standards', 'Long Grass and Weeds', 'Animal Control',
                'Zoning', 'Snow on Sidewalk', 'Illegal Dumping', 'Signs'
            ) then complaint_type
            else 'Unknown'
        end as complaint_type,
        cast(received_at as timestamp) as received_at,
        cast(closed_at as timestamp) as closed_at,
        cast(received_at as date) as received_date,
        cast(closed_at as date) as closed_date,
        {{ ward_number('ward') }} as ward_number,
        trim(address) as address,
        {{ address_block('address') }} as address_block,
        complainant_name,
        complainant_phone,
        coalesce(is_anonymous, false) as is_anonymous,
        -- the contract flags (does not drop) a label outside the list: published as Unknown
        case
            when outcome in (
                'Compliance Achieved', 'Warning Issued', 'Order Issued', 'Charge Laid',
                'Unfounded', 'Withdrawn', 'Open'
            ) then outcome
            else 'Unknown'
        end as outcome,
        officer as officer_name,
        -- the contract's row rule flags these; they stay, without a time to close
        coalesce(closed_at < received_at, false) as has_invalid_close_time,
        {{ lineage_columns() }}
    from source

)

{{ latest_version('renamed', 'case_number') }}
