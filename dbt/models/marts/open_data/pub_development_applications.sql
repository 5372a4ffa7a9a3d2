-- What the portal publishes of development applications: one row per application, its
-- stage dates, decision and Planning Act timeline. No applicant, planner or staff
-- comments; the address generalised to the street's hundred-block.
select
    cast(application_number as varchar) as application_number,
    cast(application_type as varchar) as application_type,
    cast(ward_number as integer) as ward_number,
    cast(address_block as varchar) as address_block,
    cast(received_date as date) as received_date,
    cast(deemed_complete_date as date) as deemed_complete_date,
    cast(first_public_meeting_date as date) as first_public_meeting_date,
    cast(decision_date as date) as decision_date,
    cast(decision as varchar) as decision,
    cast(days_to_decision as integer) as days_to_decision,
    cast(legislated_days as integer) as legislated_days,
    cast(legislated_milestone as varchar) as legislated_milestone,
    cast(planning_act_section as varchar) as planning_act_section,
    cast(within_legislated_timeline as boolean) as within_legislated_timeline
from {{ ref('fct_development_applications') }}
