-- One row per program, facility and month of section start: places offered, places
-- taken, waiting lists, and the share of registrations made online. Not suppressed:
-- internal; the published shape suppresses small cells.
with registrations as (

    select * from {{ ref('fct_recreation_registrations') }}

),

sections as (

    -- capacity is a property of the section: count it once per section
    select
        program_name,
        facility_name,
        program_start_month,
        count(*) as sections,
        sum(section_capacity) as capacity
    from (
        select distinct
            section_code,
            program_name,
            facility_name,
            program_start_month,
            section_capacity
        from registrations
    ) as distinct_sections
    group by program_name, facility_name, program_start_month

),

counts as (

    select
        program_name,
        facility_name,
        program_start_month,
        max(ward_number) as ward_number,
        count(*) filter (where status = 'Registered') as registrations,
        count(*) filter (where status = 'Waitlisted') as waitlisted,
        count(*) filter (
            where status = 'Registered' and is_online_registration
        ) as online_registrations
    from registrations
    group by program_name, facility_name, program_start_month

)

select
    counts.program_start_month as month,
    counts.program_name,
    counts.facility_name,
    counts.ward_number,
    sections.sections,
    sections.capacity,
    counts.registrations,
    counts.waitlisted,
    counts.online_registrations,
    cast(counts.registrations as double) / nullif(sections.capacity, 0) as fill_rate,
    cast(counts.online_registrations as double)
    / nullif(counts.registrations, 0) as online_share
from counts
inner join sections
    on
        sections.program_name = counts.program_name
        and sections.facility_name = counts.facility_name
        and sections.program_start_month = counts.program_start_month
