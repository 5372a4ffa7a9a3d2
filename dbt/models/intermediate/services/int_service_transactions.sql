-- Every transaction of every system in core.fct_service_transactions' columns: the four
-- kinds of service (int_service_transactions__*) with their processing time and the
-- service standard and legislated timeline of the city's inventory (seed `services`).
-- A view: core.fct_service_transactions stores it, reading only the rows a build
-- recomputes (macros/service_transactions.sql), so DuckDB reads only those from the
-- sources (the filter on source_system and _loaded_at reaches the facts' scans).
{{ config(materialized='view') }}

with unioned as (

    select * from {{ ref('int_service_transactions__requests') }}
    union all
    select * from {{ ref('int_service_transactions__applications') }}
    union all
    select * from {{ ref('int_service_transactions__payments') }}
    union all
    select * from {{ ref('int_service_transactions__snow_clearing') }}

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
    processing_days <= legislated_days as is_within_legislated,
    _loaded_at
from timed
