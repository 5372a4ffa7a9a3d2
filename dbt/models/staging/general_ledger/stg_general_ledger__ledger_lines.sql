-- One row per ledger line (document_number): a month's summary line of a cost centre and
-- object account, or a journal entry. A line repeated by a re-sent month counts once.
with source as (

    select * from {{ source('general_ledger', 'general_ledger_actuals') }}

),

renamed as (

    select
        trim(document_number) as document_number,
        -- "P03 FY2024" (old ledger) and "2025-03" (new): the fiscal year is the calendar year
        case
            when fiscal_period like 'P%'
                then make_date(
                    cast(substr(fiscal_period, 7, 4) as integer),
                    cast(substr(fiscal_period, 2, 2) as integer),
                    1
                )
            else cast(fiscal_period || '-01' as date)
        end as month,
        -- one month lost the leading zero in a spreadsheet ("410"): four digits again
        lpad(trim(cost_centre), 4, '0') as cost_centre,
        trim(cost_centre_name) as cost_centre_name,
        trim(gl_account) as gl_account,
        trim(gl_account_name) as gl_account_name,
        cast(amount as decimal(14, 2)) as amount,
        starts_with(trim(document_number), 'JE') as is_journal_entry,
        starts_with(trim(document_number), 'JE') and ends_with(trim(document_number), 'R')
            as is_reversal,
        {{ lineage_columns() }}
    from source

)

{{ latest_version('renamed', 'document_number') }}
