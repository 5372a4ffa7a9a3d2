-- What the portal publishes of recreation registrations: monthly aggregates per program
-- and facility, every count of fewer people than the threshold (and the rates computed
-- from it) suppressed with its complements, as the dictionary entry declares. No names,
-- no birth dates, no registration. The online share is also empty when the online or
-- the other registrations (counts not published) are small: share x registrations
-- would give either back.
with cells as (

    select
        month,
        program_name,
        facility_name,
        ward_number,
        sections,
        capacity,
        registrations,
        waitlisted,
        fill_rate,
        case
            when
                not {{ is_small_count('online_registrations') }}
                and not {{ is_small_count('registrations - online_registrations') }}
                then online_share
        end as online_share
    from {{ ref('kpi_recreation_program_fill') }}

),

published as ({{ small_cell_suppression('cells') }})

select
    cast(month as date) as month,
    cast(program_name as varchar) as program_name,
    cast(facility_name as varchar) as facility_name,
    cast(ward_number as integer) as ward_number,
    cast(sections as integer) as sections,
    cast(capacity as integer) as capacity,
    cast(registrations as integer) as registrations,
    cast(waitlisted as integer) as waitlisted,
    cast(fill_rate as double) as fill_rate,
    cast(online_share as double) as online_share,
    cast(is_suppressed as boolean) as is_suppressed
from published
