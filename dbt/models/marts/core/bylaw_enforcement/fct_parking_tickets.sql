-- One row per parking ticket. No plate, no badge; the location only as its hundred-block.
select
    ticket_number,
    issue_date,
    issue_hour,
    infraction_code,
    infraction_description,
    set_fine_amount,
    plate_province,
    address_block,
    'bylaw-enforcement' as division_id
from {{ ref('stg_parking_tickets__tickets') }}
