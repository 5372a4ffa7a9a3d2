-- What the portal publishes of parking tickets: no plate, no officer badge, no ticket
-- number; the location generalised to its hundred-block (intersections: empty).
select
    cast(issue_date as date) as issue_date,
    cast(issue_hour as integer) as issue_hour,
    cast(infraction_code as varchar) as infraction_code,
    cast(infraction_description as varchar) as infraction_description,
    cast(set_fine_amount as decimal(10, 2)) as set_fine_amount,
    cast(address_block as varchar) as address_block
from {{ ref('fct_parking_tickets') }}
