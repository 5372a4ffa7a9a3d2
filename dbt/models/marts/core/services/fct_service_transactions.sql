-- One row per transaction of a service of the city's inventory (seed `services`), from
-- every department's own fact: when it started, when it was completed, on which channel,
-- its processing time and whether it met the service standard and the legislated
-- timeline. One CTE per source system; each says what "started" and "completed" mean
-- there and which rows it leaves out (docs/departments/services.md). No personal columns.
--
-- has_duration: the system records a start distinct from the completion. Where it does
-- not (payments, registrations, licences, burn permits, fire inspections), started_at and
-- completed_at are the one date the system has and processing_days stays empty.

-- 311: created -> closed. Cancelled requests are left out (rule `cancelled`).
with crm311 as (

    select
        'crm311:' || requests.request_id as transaction_id,
        categories.service_id,
        'crm311' as source_system,
        requests.created_at as started_at,
        requests.closed_at as completed_at,
        requests.intake_channel as channel_code,
        true as has_duration,
        false as has_own_legislated,
        cast(null as double) as own_legislated_days
    from {{ ref('fct_service_requests') }} as requests
    inner join (
        values
        ('Roads', '311-roads'),
        ('Waste', '311-waste'),
        ('Parks', '311-parks'),
        ('Water', '311-water'),
        ('By-law', '311-bylaw'),
        ('Animal Services', '311-animal-services'),
        ('Snow', '311-snow'),
        ('Transit', '311-transit')
    ) as categories (service_category, service_id)
        on categories.service_category = requests.service_category
    where requests.status != 'Cancelled'

),

-- Building permits: applied -> issued, by Building Code class. The system records an
-- occupancy class, not the Code's building class: Residential -> house, Commercial ->
-- small building, Industrial -> large building, Institutional -> complex building (rule
-- `permit_class`, to be confirmed by building services). Cancelled left out.
permits as (

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
        cast(null as double) as own_legislated_days
    from {{ ref('fct_building_permits') }}
    where status != 'Cancelled'

),

-- Building inspections: requested -> inspected. Cancelled requests left out.
inspections as (

    select
        'permit_inspections:' || inspection_id as transaction_id,
        'building-inspection' as service_id,
        'permit_inspections' as source_system,
        cast(requested_date as timestamp) as started_at,
        cast(inspection_date as timestamp) as completed_at,
        cast(null as varchar) as channel_code,
        true as has_duration,
        false as has_own_legislated,
        cast(null as double) as own_legislated_days
    from {{ ref('fct_building_inspections') }}
    where result != 'Cancelled'

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
        cast(null as double) as own_legislated_days
    from {{ ref('fct_development_applications') }}
    where decision != 'Withdrawn'

),

-- FOI: received -> decision, each request with its own MFIPPA deadline.
foi as (

    select
        'foi_requests:' || request_number as transaction_id,
        'foi-request' as service_id,
        'foi_requests' as source_system,
        cast(received_date as timestamp) as started_at,
        cast(decision_date as timestamp) as completed_at,
        cast(null as varchar) as channel_code,
        true as has_duration,
        true as has_own_legislated,
        cast(deadline_days as double) as own_legislated_days
    from {{ ref('fct_foi_requests') }}

),

-- Business licences: the system records no application date, only the issue date, so
-- processing time is empty. Licences never issued (no date) are left out.
licences as (

    select
        'business_licences:' || licence_number as transaction_id,
        'business-licence' as service_id,
        'business_licences' as source_system,
        cast(issue_date as timestamp) as started_at,
        cast(issue_date as timestamp) as completed_at,
        cast(null as varchar) as channel_code,
        false as has_duration,
        false as has_own_legislated,
        cast(null as double) as own_legislated_days
    from {{ ref('fct_business_licences') }}
    where issue_date is not null

),

-- Recreation: the registration (no processing time).
recreation as (

    select
        'recreation_registrations:' || registration_id as transaction_id,
        'recreation-registration' as service_id,
        'recreation_registrations' as source_system,
        registered_at as started_at,
        registered_at as completed_at,
        channel_code,
        false as has_duration,
        false as has_own_legislated,
        cast(null as double) as own_legislated_days
    from {{ ref('fct_recreation_registrations') }}

),

-- Payments: tax, water, parking and animal licence payments. Recreation, business
-- licence and building permit fee payments are a stage of services counted in their own
-- systems and left out (rule `payment_of_other_service`).
payments as (

    select
        'payments:' || payments.payment_id as transaction_id,
        services.service_id,
        'payments' as source_system,
        payments.paid_at as started_at,
        payments.paid_at as completed_at,
        payments.channel as channel_code,
        false as has_duration,
        false as has_own_legislated,
        cast(null as double) as own_legislated_days
    from {{ ref('fct_payments') }} as payments
    inner join (
        values
        ('Property tax', 'property-tax-payment'),
        ('Water bill', 'water-bill-payment'),
        ('Parking ticket', 'parking-ticket-payment'),
        ('Animal licence', 'animal-licence')
    ) as services (service, service_id)
        on services.service = payments.service

),

-- Tax instalments: each instalment paid, on the day paid (rule `unpaid_instalment`: an
-- instalment with no payment, or whose payment date the contract emptied, is left out).
tax_instalments as (

    select
        'tax_instalments:' || instalment_key as transaction_id,
        'property-tax-payment' as service_id,
        'tax_instalments' as source_system,
        cast(paid_date as timestamp) as started_at,
        cast(paid_date as timestamp) as completed_at,
        channel_code,
        false as has_duration,
        false as has_own_legislated,
        cast(null as double) as own_legislated_days
    from {{ ref('fct_tax_instalments') }}
    where has_payment and paid_date is not null

),

-- By-law cases: received -> closed.
bylaw_cases as (

    select
        'bylaw_cases:' || case_number as transaction_id,
        'bylaw-complaint' as service_id,
        'bylaw_cases' as source_system,
        received_at as started_at,
        closed_at as completed_at,
        cast(null as varchar) as channel_code,
        true as has_duration,
        false as has_own_legislated,
        cast(null as double) as own_legislated_days
    from {{ ref('fct_bylaw_cases') }}

),

-- Burn permits: the issue date (no application date recorded).
burn_permits as (

    select
        'burn_permits:' || permit_number as transaction_id,
        'open-air-burn-permit' as service_id,
        'burn_permits' as source_system,
        cast(issued_date as timestamp) as started_at,
        cast(issued_date as timestamp) as completed_at,
        cast(null as varchar) as channel_code,
        false as has_duration,
        false as has_own_legislated,
        cast(null as double) as own_legislated_days
    from {{ ref('fct_burn_permits') }}

),

-- Fire inspections asked for by someone (types Request and Complaint; routine, licensing
-- and re-inspections are the city's own programme, rule `not_requested`). The system
-- records no request date: the inspection date only.
fire_inspections as (

    select
        'fire_inspections:' || inspection_number as transaction_id,
        'fire-inspection-request' as service_id,
        'fire_inspections' as source_system,
        cast(inspection_date as timestamp) as started_at,
        cast(inspection_date as timestamp) as completed_at,
        cast(null as varchar) as channel_code,
        false as has_duration,
        false as has_own_legislated,
        cast(null as double) as own_legislated_days
    from {{ ref('fct_fire_inspections') }}
    where inspection_type in ('Request', 'Complaint')

),

-- Snow clearing: snowfall end -> the last segment of the road class cleared (its first
-- blade-down pass that started after the snowfall ended), one transaction per storm and
-- road class, as kpi_snow_clearing_times counts it; storms without AVL data left out
-- (rule `no_avl`). Not complete until every segment of the class is cleared. Each class
-- carries its own O. Reg. 239/02 hours as days.
storms as (

    select storms.storm_number, storms.snowfall_end_at
    from {{ ref('dim_winter_storms') }} as storms
    where exists (
        select 1 from {{ ref('fct_snow_plow_passes') }} as passes
        where passes.storm_number = storms.storm_number
    )

),

segments_cleared as (

    select
        passes.storm_number,
        passes.segment_id,
        min(passes.ended_at) as cleared_at
    from {{ ref('fct_snow_plow_passes') }} as passes
    inner join storms on storms.storm_number = passes.storm_number
    where passes.started_at >= storms.snowfall_end_at
    group by passes.storm_number, passes.segment_id

),

snow_clearing as (

    select
        'snow_plow:' || storms.storm_number || '|class-'
        || cast(segments.road_class as varchar) as transaction_id,
        'snow-clearing' as service_id,
        'snow_plow' as source_system,
        storms.snowfall_end_at as started_at,
        case
            when count(segments_cleared.cleared_at) = count(*)
                then max(segments_cleared.cleared_at)
        end as completed_at,
        cast(null as varchar) as channel_code,
        true as has_duration,
        -- class 6 has no standard: no legislated timeline, not the service's strictest
        true as has_own_legislated,
        max(classes.standard_hours) / 24.0 as own_legislated_days
    from storms
    cross join {{ ref('dim_road_segments') }} as segments
    left join segments_cleared
        on
            segments_cleared.storm_number = storms.storm_number
            and segments_cleared.segment_id = segments.segment_id
    left join {{ ref('dim_road_classes') }} as classes
        on classes.road_class = segments.road_class
    group by storms.storm_number, storms.snowfall_end_at, segments.road_class

),

unioned as (

    select * from crm311
    union all
    select * from permits
    union all
    select * from inspections
    union all
    select * from planning
    union all
    select * from foi
    union all
    select * from licences
    union all
    select * from recreation
    union all
    select * from payments
    union all
    select * from tax_instalments
    union all
    select * from bylaw_cases
    union all
    select * from burn_permits
    union all
    select * from fire_inspections
    union all
    select * from snow_clearing

),

timed as (

    select
        unioned.*,
        coalesce(unioned.completed_at < unioned.started_at, false) as has_invalid_dates,
        case
            when unioned.has_duration and unioned.completed_at >= unioned.started_at
                then {{ hours_between('unioned.started_at', 'unioned.completed_at') }} / 24.0
        end as processing_days,
        -- 'unknown' is a channel code but says nothing about being online
        case when unioned.channel_code != 'unknown' then channels.is_online end as is_online,
        cast(services.standard_days as double) as standard_days,
        cast(
            case
                when unioned.has_own_legislated then unioned.own_legislated_days
                else services.legislated_days
            end as double
        ) as legislated_days
    from unioned
    left join {{ ref('services') }} as services on services.service_id = unioned.service_id
    left join {{ ref('dim_channels') }} as channels
        on channels.channel_code = unioned.channel_code

)

select
    transaction_id,
    service_id,
    source_system,
    started_at,
    completed_at,
    {{ month_start('started_at') }} as month,
    channel_code,
    is_online,
    processing_days,
    has_invalid_dates,
    standard_days,
    processing_days <= standard_days as is_within_standard,
    legislated_days,
    processing_days <= legislated_days as is_within_legislated
from timed
