-- One row per transaction of the services applied for and decided or issued: building
-- permits, planning applications, business licences and burn permits.
-- Each CTE says what started and completed mean in its system and which rows it leaves
-- out (docs/departments/services.md). has_duration: the system records a start distinct
-- from the completion; has_own_legislated: the transaction carries its own legislated
-- days (own_legislated_days; null: none). No personal columns.

-- Building permits: applied -> issued, by Building Code class. The system records an
-- occupancy class, not the Code's building class: Residential -> house, Commercial ->
-- small building, Industrial -> large building, Institutional -> complex building (rule
-- `permit_class`, to be confirmed by building services). Cancelled left out; a permit whose
-- class is none of the four (a value typed by hand) is left out by the same rule, not
-- left without a service (it is still in the building permits dataset).
with permits as (

    select
        'permits:' || permit_number as transaction_id,
        case permit_class
            when 'Residential' then 'building-permit-house'
            when 'Commercial' then 'building-permit-small-building'
            when 'Industrial' then 'building-permit-large-building'
            when 'Institutional' then 'building-permit-complex-building'
        end as service_id,
        'permits' as source_system,
        cast(application_date as timestamp) as started_at,
        cast(issue_date as timestamp) as completed_at,
        cast(null as varchar) as channel_code,
        true as has_duration,
        false as has_own_legislated,
        cast(null as double) as own_legislated_days,
        cast(null as timestamptz) as _loaded_at
    from {{ ref('fct_building_permits') }}
    where
        status != 'Cancelled'
        and permit_class in ('Residential', 'Commercial', 'Industrial', 'Institutional')

),

-- Planning: received -> decision (council's, or the appeal that replaced it). Withdrawn
-- applications left out (rule `cancelled`: the city owed no decision).
planning as (

    select
        'planning:' || application_number as transaction_id,
        case application_type
            when 'Zoning By-law Amendment' then 'planning-zoning-amendment'
            when 'Official Plan Amendment' then 'planning-official-plan-amendment'
            when 'Site Plan' then 'planning-site-plan'
            when 'Minor Variance' then 'planning-minor-variance'
            when 'Plan of Subdivision' then 'planning-subdivision'
            when 'Consent' then 'planning-consent'
        end as service_id,
        'planning' as source_system,
        cast(received_date as timestamp) as started_at,
        cast(decision_date as timestamp) as completed_at,
        cast(null as varchar) as channel_code,
        true as has_duration,
        false as has_own_legislated,
        cast(null as double) as own_legislated_days,
        cast(null as timestamptz) as _loaded_at
    from {{ ref('fct_development_applications') }}
    where decision != 'Withdrawn'

),

-- Business licences: received -> issued. The new system (files from 2025) records the
-- application's date; a licence only the old system knew has its issue date alone: it
-- counts in the month it was issued, with no processing time. An application still
-- pending is open; one not issued and not pending (refused, withdrawn) or with neither
-- date is left out (rule `not_issued`: no decision date to time it by).
licences as (

    select
        'business_licences:' || licence_number as transaction_id,
        'business-licence' as service_id,
        'business_licences' as source_system,
        cast(coalesce(application_date, issue_date) as timestamp) as started_at,
        cast(issue_date as timestamp) as completed_at,
        cast(null as varchar) as channel_code,
        application_date is not null as has_duration,
        false as has_own_legislated,
        cast(null as double) as own_legislated_days,
        cast(null as timestamptz) as _loaded_at
    from {{ ref('fct_business_licences') }}
    where
        issue_date is not null
        or (application_date is not null and status = 'Pending')

),

-- Burn permits: applied -> issued (the application date: files from 2025, the upgraded
-- RMS; a permit of 2024: its issue date, processing empty).
burn_permits as (

    select
        'burn_permits:' || permit_number as transaction_id,
        'open-air-burn-permit' as service_id,
        'burn_permits' as source_system,
        cast(coalesce(application_date, issued_date) as timestamp) as started_at,
        cast(issued_date as timestamp) as completed_at,
        cast(null as varchar) as channel_code,
        application_date is not null as has_duration,
        false as has_own_legislated,
        cast(null as double) as own_legislated_days,
        cast(null as timestamptz) as _loaded_at
    from {{ ref('fct_burn_permits') }}

)

select * from permits
union all
select * from planning
union all
select * from licences
union all
select * from burn_permits
