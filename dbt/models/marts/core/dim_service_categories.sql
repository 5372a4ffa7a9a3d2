-- One row per 311 service category, with its responsible division and target.
select
    categories.service_category,
    categories.division_id,
    divisions.division_name,
    categories.target_days
from {{ ref('service_categories') }} as categories
left join {{ ref('divisions') }} as divisions using (division_id)
