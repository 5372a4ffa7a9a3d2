-- One row per ward.
select ward_number, ward_name
from {{ ref('wards') }}
