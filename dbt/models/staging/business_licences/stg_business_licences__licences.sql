-- One row per business licence: its version in the latest quarterly snapshot.
-- Holds the owner's name, phone and the premises' address (personal): the data team only.
with source as (

    select * from {{ source('business_licences', 'business_licences_licences') }}

),

renamed as (

    select
        trim(licence_number) as licence_number,
        trim(business_name) as business_name,
        trim(operating_name) as operating_name,
        trim(owner_name) as owner_name,
        trim(owner_phone) as owner_phone,
        licence_category,
        trim(business_address) as business_address,
        {{ address_block('business_address') }} as address_block,
        {{ ward_number('ward') }} as ward_number,
        cast(application_date as date) as application_date,
        cast(issue_date as date) as issue_date,
        cast(expiry_date as date) as expiry_date,
        case
            when status in ('Active', 'Expired', 'Suspended', 'Revoked', 'Pending')
                then status
            else 'Unknown'
        end as status,
        cast(licence_fee as decimal(10, 2)) as licence_fee,
        -- A privacy officer's rule: a driver's or a short-term rental's licence names a
        -- person and a home; a business named after its owner is that person.
        (
            licence_category in ('Taxi/Rideshare Driver', 'Short-term Rental')
            or {{ mentions_name('business_name', 'owner_name') }}
            or {{ mentions_name('operating_name', 'owner_name') }}
            -- no owner to compare with (empty, or a placeholder such as "-" or "0":
            -- no letter in it), and no corporate designation in the name: a sole
            -- proprietor (or partners) whose business name may be their own
            or (
                not coalesce(regexp_matches(owner_name, '\pL'), false)
                and not coalesce(regexp_matches(
                    business_name,
                    '(?i)\b(inc|incorporated|ltd|limited|corp|corporation|llp|co|ulc)\b\.?'
                ), false)
            )
        ) as is_name_withheld,
        {{ lineage_columns() }}
    from source

)

{{ latest_version('renamed', 'licence_number') }}
