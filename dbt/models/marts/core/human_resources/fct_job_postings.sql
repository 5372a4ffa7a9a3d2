-- One row per job posting: its division (the city's id), pay range and basis, dates,
-- status and counts, and the plain-text description with names and e-mails removed.
-- No personal columns (no hiring manager, no raw HTML).
select
    posting_id,
    title,
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
    description,
    case
        when closing_date >= posted_date
            then cast({{ days_between('posted_date', 'closing_date') }} as integer)
    end as days_open
from {{ ref('stg_job_postings__postings') }}
