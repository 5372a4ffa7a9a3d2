-- One row per transaction of the services people ask the city for and wait on: 311
-- requests, building inspections, FOI requests, by-law complaints and fire inspections on
-- request.
-- Each CTE says what started and completed mean in its system and which rows it leaves
-- out (docs/departments/services.md). has_duration: the system records a start distinct
-- from the completion; has_own_legislated: the transaction carries its own legislated
-- days (own_legislated_days; null: none). No personal columns.
-- A view: core.fct_service_transactions reads only the rows a build recomputes from it
-- (the 311 requests or payments loaded since its last build: _loaded_at; empty for the
-- other systems), so a table of every row would be rebuilt on every build for nothing.
{{ config(materialized='view') }}

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
        cast(null as double) as own_legislated_days,
        requests._loaded_at
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
        cast(null as double) as own_legislated_days,
        cast(null as timestamptz) as _loaded_at
    from {{ ref('fct_building_inspections') }}
    where result != 'Cancelled'

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
        cast(deadline_days as double) as own_legislated_days,
        cast(null as timestamptz) as _loaded_at
    from {{ ref('fct_foi_requests') }}

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
        cast(null as double) as own_legislated_days,
        cast(null as timestamptz) as _loaded_at
    from {{ ref('fct_bylaw_cases') }}

),

-- Fire inspections asked for by someone (types Request and Complaint; routine, licensing
-- and re-inspections are the city's own programme, rule `not_requested`): requested ->
-- inspected. The RMS records the request's date since its 2025 upgrade; an inspection of
-- 2024 has its inspection date alone (no processing time).
fire_inspections as (

    select
        'fire_inspections:' || inspection_number as transaction_id,
        'fire-inspection-request' as service_id,
        'fire_inspections' as source_system,
        cast(coalesce(requested_date, inspection_date) as timestamp) as started_at,
        cast(inspection_date as timestamp) as completed_at,
        cast(null as varchar) as channel_code,
        requested_date is not null as has_duration,
        false as has_own_legislated,
        cast(null as double) as own_legislated_days,
        cast(null as timestamptz) as _loaded_at
    from {{ ref('fct_fire_inspections') }}
    where inspection_type in ('Request', 'Complaint')

)

select * from crm311
union all
select * from inspections
union all
select * from foi
union all
select * from bylaw_cases
union all
select * from fire_inspections
