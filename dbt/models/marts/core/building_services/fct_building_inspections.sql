-- One row per building inspection, with its permit's issue date, type and ward (the
-- permit's), and its timing against the Ontario Building Code's two-day standard
-- (Div. C, 1.3.5.3). No personal or confidential columns (no inspector, no notes).
with inspections as (

    select * from {{ ref('stg_permit_inspections__inspections') }}

),

permits as (

    select permit_number, issue_date, permit_type, ward_number
    from {{ ref('fct_building_permits') }}

),

joined as (

    select
        inspections.inspection_id,
        inspections.permit_number,
        inspections.inspection_type,
        inspections.requested_date,
        inspections.inspection_date,
        inspections.result,
        permits.issue_date as permit_issue_date,
        permits.permit_type,
        permits.ward_number,
        -- carried out: the inspector went (a cancelled request has no visit)
        coalesce(
            inspections.result in ('Passed', 'Failed', 'Partial')
            and inspections.inspection_date is not null,
            false
        ) as is_completed
    from inspections
    left join permits on permits.permit_number = inspections.permit_number

)

select
    *,
    case
        when is_completed and inspection_date >= requested_date
            then cast({{ days_between('requested_date', 'inspection_date') }} as integer)
    end as days_request_to_inspection,
    case
        when is_completed and inspection_date >= requested_date
            then {{ days_between('requested_date', 'inspection_date') }} <= 2
    end as is_within_two_days,
    case
        when is_completed and inspection_date >= permit_issue_date
            then cast({{ days_between('permit_issue_date', 'inspection_date') }} as integer)
    end as days_since_permit_issue
from joined
