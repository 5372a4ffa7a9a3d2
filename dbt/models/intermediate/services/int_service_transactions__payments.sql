-- One row per transaction of the services done in one step, so with no processing time:
-- payments (tax, water, parking, animal licence), paid tax instalments and recreation
-- registrations.
-- Each CTE says what started and completed mean in its system and which rows it leaves
-- out (docs/departments/services.md). has_duration: the system records a start distinct
-- from the completion; has_own_legislated: the transaction carries its own legislated
-- days (own_legislated_days; null: none). No personal columns.
-- A view: core.fct_service_transactions reads only the rows a build recomputes from it
-- (the 311 requests or payments loaded since its last build: _loaded_at; empty for the
-- other systems), so a table of every row would be rebuilt on every build for nothing.
{{ config(materialized='view') }}

-- Payments: tax, water, parking and animal licence payments. Recreation, business
-- licence and building permit fee payments are a stage of services counted in their own
-- systems and left out (rule `payment_of_other_service`).
with payments as (

    select
        'payments:' || payments.payment_id as transaction_id,
        services.service_id,
        'payments' as source_system,
        payments.paid_at as started_at,
        payments.paid_at as completed_at,
        payments.channel as channel_code,
        false as has_duration,
        false as has_own_legislated,
        cast(null as double) as own_legislated_days,
        payments._loaded_at
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
        cast(null as double) as own_legislated_days,
        cast(null as timestamptz) as _loaded_at
    from {{ ref('fct_tax_instalments') }}
    where has_payment and paid_date is not null

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
        cast(null as double) as own_legislated_days,
        cast(null as timestamptz) as _loaded_at
    from {{ ref('fct_recreation_registrations') }}

)

select * from payments
union all
select * from tax_instalments
union all
select * from recreation
