-- One row per transaction of a service of the city's inventory (seed `services`), from
-- every department's own fact: when it started, when it was completed, on which channel,
-- its processing time and whether it met the service standard and the legislated
-- timeline. The systems are mapped to services in four intermediate models, one per kind
-- of service (requests, applications, one-step payments and registrations, snow clearing);
-- each says what "started" and "completed" mean in its systems and which rows it leaves
-- out (docs/departments/services.md). No personal columns.
--
-- has_duration: the system records a start distinct from the completion. Where it does
-- not (payments, registrations, burn permits, the licences only the old licensing system
-- knew, the fire inspections of 2024), started_at and completed_at are the one date the
-- system has and processing_days stays empty.
--
-- Incremental: a build recomputes the 311 requests and payments loaded since its last
-- build and every transaction of the small systems (macros/service_transactions.sql).
-- _loaded_at: when the 311 request or payment was loaded (empty for the other systems).
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ changed_service_transactions('delete') }}"
    )
}}

-- the big sources' facts, which the pre-hook reads (dbt cannot see refs in a hook):
-- depends_on: {{ ref('fct_service_requests') }}
-- depends_on: {{ ref('fct_payments') }}

with unioned as (

    select * from {{ ref('int_service_transactions__requests') }}
    union all
    select * from {{ ref('int_service_transactions__applications') }}
    union all
    select * from {{ ref('int_service_transactions__payments') }}
    union all
    select * from {{ ref('int_service_transactions__snow_clearing') }}

),

changed as (

    select * from unioned
    {%- if is_incremental() %}
        where {{ changed_service_transactions('filter') }}
    {%- endif %}

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
    from changed as unioned
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
    processing_days <= legislated_days as is_within_legislated,
    _loaded_at
from timed
