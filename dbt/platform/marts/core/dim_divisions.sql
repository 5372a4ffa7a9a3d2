-- One row per city division.
select division_id, division_name
from {{ ref('divisions') }}
