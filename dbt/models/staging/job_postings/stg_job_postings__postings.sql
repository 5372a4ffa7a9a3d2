-- One row per job posting: its latest export (a re-posted job's later month wins).
-- Maps the ATS's division spellings to the city's division ids, and turns the HTML
-- description into plain text with people's names and e-mail addresses removed.
-- Holds the hiring manager's name and e-mail (personal): restricted to the data team.
with source as (

    select * from {{ source('job_postings', 'job_postings_postings') }}

),

renamed as (

    select
        trim(posting_id) as posting_id,
        trim(title) as title,
        trim(ats_division) as ats_division,
        -- Every spelling the ATS has used; a new one leaves division_id empty and fails
        -- its not_null test, so it is added here rather than guessed.
        case
            when lower(trim(ats_division)) in (
                'parks & recreation', 'parks, forestry and recreation', 'parks forestry & rec'
            ) then 'parks-recreation'
            when lower(trim(ats_division)) in (
                'transportation services', 'roads & transportation', 'transportation'
            ) then 'transportation'
            when lower(trim(ats_division)) in ('building services', 'building dept.')
                then 'building-services'
            when lower(trim(ats_division)) in ('by-law enforcement', 'bylaw services')
                then 'bylaw-enforcement'
            when lower(trim(ats_division)) in ('fire services', 'fire dept') then 'fire-services'
            when lower(trim(ats_division)) in ('finance & revenue', 'finance') then 'finance'
            when lower(trim(ats_division)) in ('city clerk', 'clerk''s office') then 'clerk'
            when lower(trim(ats_division)) in ('human resources', 'hr') then 'human-resources'
            when lower(trim(ats_division)) in ('digital services', 'it / digital services')
                then 'digital-services'
            when lower(trim(ats_division)) in ('planning & development') then 'planning'
            when lower(trim(ats_division)) in ('solid waste', 'waste management')
                then 'solid-waste'
            when lower(trim(ats_division)) in ('water services', 'water & wastewater')
                then 'water'
            when lower(trim(ats_division)) in ('transit', 'riverton transit') then 'transit'
            when lower(trim(ats_division)) in ('311 customer service') then 'customer-service'
        end as division_id,
        trim(employment_type) as employment_type,
        trim(union_name) as union_name,
        cast(salary_min as decimal(12, 2)) as salary_min,
        cast(salary_max as decimal(12, 2)) as salary_max,
        pay_basis,
        cast(posted_date as date) as posted_date,
        cast(closing_date as date) as closing_date,
        case
            when status in ('Open', 'Closed', 'Filled', 'Cancelled') then status
            else 'Unknown'
        end as status,
        cast(positions as integer) as positions,
        cast(applicants as integer) as applicants,
        trim(hiring_manager) as hiring_manager_name,
        trim(hiring_manager_email) as hiring_manager_email,
        description_html,
        {{ lineage_columns() }}
    from source

),

latest as (

    {{ latest_version('renamed', 'posting_id') }}

),

-- HTML to text: list items become "- item", block ends a space, other tags vanish;
-- then the entities are decoded (&amp; last, so "&amp;nbsp;" stays literal text).
untagged as (

    select
        *,
        regexp_replace(
            regexp_replace(
                regexp_replace(description_html, '<li[^>]*>', ' - ', 'gi'),
                '</?(p|ul|ol|li|div|br|h[1-6])[^>]*>', ' ', 'gi'
            ),
            '<[^>]*>', '', 'g'
        ) as description_untagged
    from latest

),

decoded as (

    select
        *,
        replace(
            replace(
                replace(
                    replace(
                        replace(
                            replace(description_untagged, '&nbsp;', ' '),
                            '&#39;', ''''
                        ),
                        '&quot;', '"'
                    ),
                    '&lt;', '<'
                ),
                '&gt;', '>'
            ),
            '&amp;', '&'
        ) as description_decoded
    from untagged

),

-- Names, e-mails and phone numbers out: the hiring manager's own e-mail and name wherever
-- they occur (the name in any case), any other e-mail address, the name after
-- "Reporting to" (an acting manager the ATS's personal fields do not hold: "reporting
-- to:", "the Director, Jane Doe", a single name, "de"/"van" particles, hyphens) and any
-- phone number. A posting without a manager keeps its description: replace() with an
-- empty value would blank it. The privacy gate then checks every published value
-- against the personal values of all systems.
redacted as (

    select
        *,
        trim(regexp_replace(
            regexp_replace(
                regexp_replace(
                    regexp_replace(
                        case
                            when coalesce(hiring_manager_name, '') = ''
                                then replace(
                                    description_decoded,
                                    coalesce(nullif(hiring_manager_email, ''), '@@'),
                                    '[e-mail removed]'
                                )
                            else regexp_replace(
                                replace(
                                    description_decoded,
                                    coalesce(nullif(hiring_manager_email, ''), '@@'),
                                    '[e-mail removed]'
                                ),
                                '(?i)' || regexp_escape(hiring_manager_name),
                                'the hiring manager', 'g'
                            )
                        end,
                        '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+[.][A-Za-z]{2,}', '[e-mail removed]', 'g'
                    ),
                    '((?i:reporting to):?\s+(?:(?i:the) \pL+(?: \pL+)?,\s+)?)'
                    || '\p{Lu}[\pL''-]*(?:\s+(?:(?:de|del|da|di|du|la|le|van|von|der|den)\s+)*'
                    || '\p{Lu}[\pL''-]*)*',
                    '\1[name removed]', 'g'
                ),
                '(?:\+?1[ .-]?)?(?:\([0-9]{3}\)\s*|[0-9]{3}[ .-])[0-9]{3}[ .-][0-9]{4}'
                || '(?:\s*(?:x|ext\.?)\s*[0-9]+)?',
                '[phone removed]', 'g'
            ),
            '\s+', ' ', 'g'
        )) as description
    from decoded

)

select
    posting_id,
    title,
    ats_division,
    division_id,
    employment_type,
    union_name,
    salary_min,
    salary_max,
    pay_basis,
    posted_date,
    closing_date,
    status,
    positions,
    applicants,
    hiring_manager_name,
    hiring_manager_email,
    description_html,
    description,
    {{ lineage_columns() }}
from redacted
