-- One row per service page of the city website: the service it offers under the city's
-- name for it and the division that owns it. The analytics tool's own service names
-- vary ("(not set)"); this list is the digital-services team's page register.
select
    pages.page_path,
    pages.service_name,
    pages.division_id,
    pages.is_web_only
from (
    values
    ('/services/pay-property-tax', 'Property tax', 'finance', false),
    ('/services/pay-water-bill', 'Water bill', 'water', false),
    ('/services/pay-parking-ticket', 'Parking ticket', 'bylaw-enforcement', false),
    ('/services/pay-building-permit-fee', 'Building permit fee', 'building-services', false),
    ('/services/buy-animal-licence', 'Animal licence', 'bylaw-enforcement', false),
    ('/services/renew-business-licence', 'Business licence', 'licensing', false),
    ('/services/recreation-payments', 'Recreation registration', 'parks-recreation', false),
    ('/services/report-pothole', 'Roads', 'transportation', false),
    ('/services/missed-garbage-pickup', 'Waste', 'solid-waste', false),
    ('/services/park-maintenance', 'Parks', 'parks-recreation', false),
    ('/services/water-main-break', 'Water', 'water', false),
    ('/services/bylaw-complaint', 'By-law', 'bylaw-enforcement', false),
    ('/services/stray-animal', 'Animal Services', 'bylaw-enforcement', false),
    ('/services/snow-clearing', 'Snow', 'transportation', false),
    ('/services/transit-feedback', 'Transit', 'transit', false),
    (
        '/services/register-recreation-program',
        'Register for a recreation program',
        'parks-recreation',
        true
    ),
    ('/services/apply-business-licence', 'Apply for a business licence', 'licensing', true),
    ('/services/burn-permit', 'Request a burn permit', 'fire-services', true),
    ('/services/foi-request', 'Submit an FOI request', 'clerk', true)
) as pages (page_path, service_name, division_id, is_web_only)
