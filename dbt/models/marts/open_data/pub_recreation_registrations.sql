-- What the portal publishes of recreation registrations: monthly aggregates per program
-- and facility, every count of fewer than 5 people (and the rates computed from it)
-- suppressed. No names, no birth dates, no registration. The online share is published
-- only when both the online and the other registrations are 0 or at least 5: share x
-- registrations gives either count back.
select
    cast(month as date) as month,
    cast(program_name as varchar) as program_name,
    cast(facility_name as varchar) as facility_name,
    cast(ward_number as integer) as ward_number,
    cast(sections as integer) as sections,
    cast(capacity as integer) as capacity,
    cast({{ suppress_small_cell('registrations', 'registrations') }} as integer)
        as registrations,
    cast({{ suppress_small_cell('waitlisted', 'waitlisted') }} as integer) as waitlisted,
    cast({{ suppress_small_cell('fill_rate', 'registrations') }} as double) as fill_rate,
    cast(
        case
            when
                not {{ is_small_cell('registrations') }}
                and not {{ is_small_cell('online_registrations') }}
                and not {{ is_small_cell('registrations - online_registrations') }}
                then online_share
        end as double
    ) as online_share,
    cast(
        {{ is_small_cell('registrations') }} or {{ is_small_cell('waitlisted') }} as boolean
    ) as is_suppressed
from {{ ref('kpi_recreation_program_fill') }}
