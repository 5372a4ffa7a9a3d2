-- How much of the city's services can be done online, from the service inventory
-- (data_dictionary/services.yml): one row for the whole city, one per division and one
-- per stage (information, application, payment, status tracking, decision). Both shares
-- are the KPIs share_of_services_online and share_of_stages_online of
-- data_dictionary/metrics.yml (macro kpi_metric), over the stages the services have: a
-- stage a service does not have (n/a in the inventory) is neither online nor offline.
-- The inventory has no history: these are its figures as it stands at the build.
{%- set measures %}
        count(distinct service_id) as services,
        count(distinct service_id)
        - count(distinct case when is_online is not true then service_id end)
            as services_online,
        {{ kpi_metric('share_of_services_online') }} as share_of_services_online,
        count(*) as stages_offered,
        count(*) filter (where is_online) as stages_online,
        {{ kpi_metric('share_of_stages_online') }} as share_of_stages_online
{%- endset %}
with stages as (

    select
        service_stages.service_id,
        service_stages.stage as service_stage,
        service_stages.is_online,
        services.division_id
    from {{ ref('service_stages') }} as service_stages
    inner join {{ ref('services') }} as services
        on services.service_id = service_stages.service_id

),

grouped as (

    select
        'city' as breakdown,
        null as division_id,
        null as service_stage,
        {{ measures }}
    from stages
    union all
    select
        'division' as breakdown,
        division_id,
        null as service_stage,
        {{ measures }}
    from stages
    group by division_id
    union all
    select
        'stage' as breakdown,
        null as division_id,
        service_stage,
        {{ measures }}
    from stages
    group by service_stage

)

select
    grouped.breakdown,
    grouped.division_id,
    divisions.division_name,
    grouped.service_stage,
    grouped.services,
    grouped.services_online,
    grouped.share_of_services_online,
    grouped.stages_offered,
    grouped.stages_online,
    grouped.share_of_stages_online
from grouped
left join {{ ref('divisions') }} as divisions
    on divisions.division_id = grouped.division_id
