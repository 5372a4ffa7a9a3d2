-- One row per development application: its stage dates, its decision, the days it took
-- and whether the Planning Act's timeline for its type was met. No personal columns.
with status_changes as (

    select * from {{ ref('stg_planning__application_status_changes') }}

),

application_types as (

    select * from {{ ref('dim_development_application_types') }}

),

-- The extract's date: the last status it records (not the load time, so a rebuild of
-- the same files gives the same answer).
extract as (

    select max(status_date) as as_of_date from status_changes

),

-- The application's attributes as its latest status row states them.
latest_row as (

    select
        application_number,
        application_type,
        address_block,
        received_date
    from (
        select
            status_changes.*,
            row_number() over (
                partition by status_changes.application_number
                order by
                    status_changes.status_date desc,
                    status_changes._loaded_at desc,
                    status_changes._source_row desc
            ) as recency
        from status_changes
    ) as ranked
    where recency = 1

),

stages as (

    select
        application_number,
        -- the ward does not change; a row exported without it does not blank it
        max(ward_number) as ward_number,
        -- a status dated before the application was received (flagged by the contract's
        -- row rule) is a typo: it counts as a status, but gives no stage date
        min(case when status = 'Deemed Complete' and is_valid_date then status_date end)
            as deemed_complete_date,
        min(case when status = 'Public Meeting' and is_valid_date then status_date end)
            as first_public_meeting_date,
        min(case when status in ('Approved', 'Refused') and is_valid_date then status_date end)
            as council_decision_date,
        min(
            case
                when
                    status in ('Approved', 'Refused', 'Withdrawn', 'Appealed to OLT')
                    and is_valid_date
                    then status_date
            end
        ) as decision_date,
        max(case when status = 'Appealed to OLT' then 1 else 0 end) as was_appealed,
        max(
            case when status = 'Public Meeting' and not is_valid_date then 1 else 0 end
        ) as has_public_meeting_dated_wrong,
        max(
            case when status in ('Approved', 'Refused') and not is_valid_date then 1 else 0 end
        ) as has_council_decision_dated_wrong,
        max(case when status = 'Withdrawn' then 1 else 0 end) as was_withdrawn,
        max(case when status = 'Refused' then 1 else 0 end) as was_refused,
        max(case when status = 'Approved' then 1 else 0 end) as was_approved,
        count(*) as status_changes
    from (
        select
            *,
            not is_dated_before_received as is_valid_date
        from status_changes
    ) as dated
    group by application_number

),

applications as (

    select
        latest_row.application_number,
        latest_row.application_type,
        stages.ward_number,
        latest_row.address_block,
        latest_row.received_date,
        stages.deemed_complete_date,
        stages.first_public_meeting_date,
        stages.decision_date,
        case
            when stages.was_appealed = 1 then 'Appealed'
            when stages.was_withdrawn = 1 then 'Withdrawn'
            when stages.was_refused = 1 then 'Refused'
            when stages.was_approved = 1 then 'Approved'
            else 'Pending'
        end as decision,
        application_types.legislated_days,
        application_types.legislated_milestone,
        application_types.planning_act_section,
        case application_types.legislated_milestone
            when 'Public Meeting' then stages.first_public_meeting_date
            else stages.council_decision_date
        end as milestone_date,
        stages.status_changes,
        case application_types.legislated_milestone
            when 'Public Meeting' then stages.has_public_meeting_dated_wrong
            else stages.has_council_decision_dated_wrong
        end as has_milestone_dated_wrong,
        extract.as_of_date
    from latest_row
    inner join stages on stages.application_number = latest_row.application_number
    left join application_types
        on application_types.application_type = latest_row.application_type
    cross join extract

)

select
    application_number,
    application_type,
    'planning' as division_id,
    ward_number,
    address_block,
    received_date,
    deemed_complete_date,
    first_public_meeting_date,
    decision_date,
    decision,
    case
        when decision_date >= received_date
            then date_diff('day', received_date, decision_date)
    end as days_to_decision,
    legislated_days,
    legislated_milestone,
    planning_act_section,
    case
        -- the milestone reached: within the days or not (a date keyed before the
        -- application was received says nothing)
        when milestone_date >= received_date
            then date_diff('day', received_date, milestone_date) <= legislated_days
        when milestone_date is not null then null
        -- the milestone was reached, but keyed before receipt: says nothing
        when has_milestone_dated_wrong = 1 then null
        -- withdrawn before the milestone: the city owed no decision
        when decision = 'Withdrawn' then null
        -- not reached, and the days have run out by the extract's date (a non-decision
        -- appeal to the OLT is one of these)
        when date_diff('day', received_date, as_of_date) > legislated_days
            then false
    end as within_legislated_timeline,
    status_changes
from applications
