-- What the portal publishes of the datasets' quality scores over time: every measurement
-- of every published dataset (its grade, total and each dimension's score, with the
-- reasons shown on its page). A view, like its staging model: the score step appends to
-- the history and both show the new rows at once, with no dbt build in the run (the
-- rows are few: one per dataset per measurement).
-- Its own scores stay out: measured before its own publication in each run, they change
-- with every publication of it (published, checks passed, listed), and each change would
-- call for another publication. They are in the warehouse's history and on its page.
{{ config(materialized='view') }}

select
    cast(measurement_id as varchar) as measurement_id,
    cast(measured_at as timestamp) as measured_at,
    cast(measured_date as date) as measured_date,
    cast(dataset_id as varchar) as dataset_id,
    cast(grade as varchar) as grade,
    cast(total_score as integer) as total_score,
    cast(gates_score as double) as gates_score,
    cast(freshness_score as double) as freshness_score,
    cast(metadata_score as double) as metadata_score,
    cast(completeness_score as double) as completeness_score,
    cast(accessibility_score as double) as accessibility_score,
    -- one line per row (a spreadsheet or a line count sees one record a line): the
    -- page's Markdown list "- **Freshness 100%:** ..." becomes "Freshness 100%: ... | ..."
    cast(replace(substr(replace(reasons, '**', ''), 3), chr(10) || '- ', ' | ') as varchar)
        as reasons
from {{ ref('stg_open_data_platform__dataset_quality_scores') }}
where dataset_id <> 'dataset_quality_scores'
