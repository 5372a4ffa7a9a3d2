-- One row per dataset per quality measurement, from the history the pipeline appends to.
-- A view: see pub_dataset_quality_scores.
{{ config(materialized='view') }}

with source as (

    select * from {{ source('open_data_platform', '_dataset_quality_scores') }}

)

select
    dataset_id || ' @ ' || cast(measured_at as varchar) as measurement_id,
    measured_at,
    cast(measured_at as date) as measured_date,
    dataset_id,
    grade,
    total_score,
    gates_score,
    freshness_score,
    metadata_score,
    completeness_score,
    accessibility_score,
    reasons
from source
