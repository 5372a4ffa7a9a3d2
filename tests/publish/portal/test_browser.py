"""What a resident sees: the dataset list and a dataset page in headless Chromium."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.portal, pytest.mark.browser]


@pytest.fixture(scope="module")
def published(sysadmin, make_organization, run_id):
    org = make_organization("browser", "Customer Service Division")
    dataset = sysadmin.action.package_create(
        name=f"browser-service-requests-{run_id}",
        title=f"311 Service Requests {run_id}",
        owner_org=org["id"],
        notes="One row per service request made to 311.",
        license_id="odc-by",
        tags=[{"name": "311"}],
    )
    resource = sysadmin.action.resource_create(
        package_id=dataset["id"], name="Service requests table", url="", format="CSV"
    )
    sysadmin.action.datastore_create(
        resource_id=resource["id"],
        force=True,
        fields=[
            {
                "id": "request_id",
                "type": "text",
                "info": {"label": "Request ID", "notes": "Identifier given by the 311 CRM."},
            },
            {
                "id": "ward",
                "type": "int",
                "info": {"label": "Ward", "notes": "City ward where the request was made."},
            },
        ],
        records=[{"request_id": "SR-1", "ward": 4}],
    )
    sysadmin.action.resource_create(
        package_id=dataset["id"],
        name="Service requests (Parquet)",
        url="http://127.0.0.1/requests.parquet",
        format="Parquet",
    )
    return dataset


def test_dataset_list_and_dataset_page(browser, portal, published):
    browser.get(f"{portal.url}/dataset/?q={published['name']}")
    listing = browser.find_element("css selector", "body").text
    assert published["title"] in listing
    assert "1 dataset found" in listing

    browser.get(f"{portal.url}/dataset/{published['name']}")
    page = browser.find_element("css selector", "body").text
    assert published["title"] in page
    assert "Service requests table" in page
    assert "Service requests (Parquet)" in page
    dictionary = browser.find_element("css selector", "section.data-dictionary").text
    assert "Data Dictionary" in dictionary
    for expected in (
        "request_id",
        "Request ID",
        "Identifier given by the 311 CRM.",
        "ward",
        "City ward where the request was made.",
    ):
        assert expected in dictionary
