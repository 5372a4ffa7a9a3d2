-- One row per recreation registration. No personal column: the participant is an age group.
select
    registrations.registration_id,
    registrations.section_code,
    registrations.program_name,
    registrations.facility_name,
    registrations.ward_number,
    registrations.program_start_date,
    {{ month_start('registrations.program_start_date') }} as program_start_month,
    registrations.section_capacity,
    registrations.age_group,
    registrations.registered_at,
    cast(registrations.registered_at as date) as registration_date,
    registrations.channel_code,
    coalesce(channels.is_online, false) as is_online_registration,
    registrations.fee_paid,
    registrations.status,
    'parks-recreation' as division_id
from {{ ref('stg_recreation_registrations__registrations') }} as registrations
left join {{ ref('dim_channels') }} as channels
    on channels.channel_code = registrations.channel_code
