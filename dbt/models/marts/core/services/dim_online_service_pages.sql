-- One row per service page of the city website (dim_online_services' page register) with
-- the inventory's service it belongs to, so fct_web_service_page_days (joined on
-- page_path) gives each service its web starts and completions. A page for a stage of a
-- service (renewing or applying for a business licence, paying for a registration) maps to
-- that service. The building permit fee page serves the four permit services (one per
-- Building Code class) and the analytics cannot tell them apart: its service_id is empty
-- rather than charged to one class.
with mapping as (

    select listed.page_path, listed.service_id
    from (
        values
        ('/services/pay-property-tax', 'property-tax-payment'),
        ('/services/pay-water-bill', 'water-bill-payment'),
        ('/services/pay-parking-ticket', 'parking-ticket-payment'),
        ('/services/buy-animal-licence', 'animal-licence'),
        ('/services/renew-business-licence', 'business-licence'),
        ('/services/recreation-payments', 'recreation-registration'),
        ('/services/report-pothole', '311-roads'),
        ('/services/missed-garbage-pickup', '311-waste'),
        ('/services/park-maintenance', '311-parks'),
        ('/services/water-main-break', '311-water'),
        ('/services/bylaw-complaint', '311-bylaw'),
        ('/services/stray-animal', '311-animal-services'),
        ('/services/snow-clearing', '311-snow'),
        ('/services/transit-feedback', '311-transit'),
        ('/services/register-recreation-program', 'recreation-registration'),
        ('/services/apply-business-licence', 'business-licence'),
        ('/services/burn-permit', 'open-air-burn-permit'),
        ('/services/foi-request', 'foi-request')
    ) as listed (page_path, service_id)

)

select
    pages.page_path,
    mapping.service_id,
    pages.service_name,
    pages.division_id,
    pages.is_web_only
from {{ ref('dim_online_services') }} as pages
left join mapping on mapping.page_path = pages.page_path
