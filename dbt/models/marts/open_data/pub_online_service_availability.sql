-- What the portal publishes of the share of the city's services available online: the
-- city, each division and each stage (kpi_online_service_availability), city first.
select
    cast(breakdown as varchar) as breakdown,
    cast(division_id as varchar) as division_id,
    cast(division_name as varchar) as division_name,
    cast(service_stage as varchar) as service_stage,
    cast(services as integer) as services,
    cast(services_online as integer) as services_online,
    cast(round(share_of_services_online, 4) as double) as share_of_services_online,
    cast(stages_offered as integer) as stages_offered,
    cast(stages_online as integer) as stages_online,
    cast(round(share_of_stages_online, 4) as double) as share_of_stages_online
from {{ ref('kpi_online_service_availability') }}
order by
    case breakdown when 'city' then 1 when 'division' then 2 else 3 end,
    division_name,
    case service_stage
        when 'information' then 1 when 'application' then 2 when 'payment' then 3
        when 'status_tracking' then 4 else 5
    end
