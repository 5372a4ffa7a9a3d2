-- What the portal publishes of job postings: one row per posting; no hiring manager
-- name or e-mail, and the description as plain text with names and e-mails removed.
select
    cast(posting_id as varchar) as posting_id,
    cast(title as varchar) as title,
    cast(division_id as varchar) as division_id,
    cast(employment_type as varchar) as employment_type,
    cast(union_name as varchar) as union_name,
    cast(salary_min as decimal(12, 2)) as salary_min,
    cast(salary_max as decimal(12, 2)) as salary_max,
    cast(pay_basis as varchar) as pay_basis,
    cast(posted_date as date) as posted_date,
    cast(closing_date as date) as closing_date,
    cast(status as varchar) as status,
    cast(positions as integer) as positions,
    cast(applicants as integer) as applicants,
    cast(description as varchar) as description
from {{ ref('fct_job_postings') }}
