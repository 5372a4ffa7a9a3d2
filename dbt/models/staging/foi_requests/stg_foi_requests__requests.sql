-- One row per access-to-information request (its latest line in the log).
-- Holds the requester's name (personal) and the request summary (confidential free text).
with source as (

    select * from {{ source('foi_requests', 'foi_requests_requests') }}

),

renamed as (

    select
        trim(request_number) as request_number,
        cast(received_date as date) as received_date,
        -- empty while open, and where the log had a decision before receipt (row rule)
        cast(decision_date as date) as decision_date,
        -- typed by hand; the contract flags (does not drop) a value outside the list:
        -- published as Unknown rather than as typed
        case
            when request_type in ('General Records', 'Personal Information', 'Correction')
                then request_type
            else 'Unknown'
        end as request_type,
        coalesce(requester_type, 'Unknown') as requester_type,
        trim(requester_name) as requester_name,
        request_summary,
        trim(responsible_department) as responsible_department,
        coalesce(cast(extension_days as integer), 0) as extension_days,
        coalesce(cast(third_party_notice as boolean), false) as has_third_party_notice,
        -- empty while open; a value outside the IPC's categories is Unknown
        case
            when disposition is null then null
            when disposition in (
                'All Disclosed', 'Disclosed in Part', 'Nothing Disclosed', 'No Records Exist',
                'Withdrawn', 'Abandoned'
            ) then disposition
            else 'Unknown'
        end as disposition,
        cast(fees_charged as decimal(10, 2)) as fees_charged,
        coalesce(cast(appealed_to_ipc as boolean), false) as is_appealed_to_ipc,
        {{ lineage_columns() }}
    from source

)

{{ latest_version('renamed', 'request_number') }}
