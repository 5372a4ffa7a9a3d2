-- What the portal publishes of the city's service inventory: each service, who delivers
-- it, where it is offered, which of its stages can be done online, and the standards and
-- legislated timelines it is measured against (all from data_dictionary/services.yml).
with stages as (

    select
        service_id,
        bool_or(stage = 'information' and is_online) as is_information_online,
        bool_or(stage = 'application' and is_online) as is_application_online,
        bool_or(stage = 'payment' and is_online) as is_payment_online,
        bool_or(stage = 'status_tracking' and is_online) as is_status_tracking_online,
        bool_or(stage = 'decision' and is_online) as is_decision_online
    from {{ ref('service_stages') }}
    group by service_id

)

select
    cast(services.service_id as varchar) as service_id,
    cast(services.service_name as varchar) as service_name,
    cast(services.division_id as varchar) as division_id,
    cast(services.channel_codes as varchar) as channel_codes,
    cast(services.stages_offered as integer) as stages_offered,
    cast(services.stages_online as integer) as stages_online,
    cast(services.stages_online / nullif(services.stages_offered, 0) as double)
        as share_of_stages_online,
    cast(stages.is_information_online as boolean) as is_information_online,
    cast(stages.is_application_online as boolean) as is_application_online,
    cast(stages.is_payment_online as boolean) as is_payment_online,
    cast(stages.is_status_tracking_online as boolean) as is_status_tracking_online,
    cast(stages.is_decision_online as boolean) as is_decision_online,
    cast(services.standard_days as double) as standard_days,
    cast(services.standard_target_share as double) as standard_target_share,
    cast(services.legislated_days as double) as legislated_days,
    cast(services.legislated_statute as varchar) as legislated_statute,
    cast(services.legislated_source as varchar) as legislated_source
from {{ ref('services') }} as services
left join stages on stages.service_id = services.service_id
