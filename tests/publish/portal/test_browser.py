"""What a resident sees: the dataset list and a dataset page in headless Chromium."""

from __future__ import annotations

import json

import pytest

from dagster_project.lib.dictionary import load_dictionary
from dagster_project.lib.dictionary.site import build_site
from dagster_project.lib.gates.results import GateResults
from dagster_project.settings import DBT_PROJECT_DIR, PROJECT_DIR
from publish.ckan.publisher import CkanPublisher
from publish.ckan.site_files import folder_files, sync_site_files

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


SCREENSHOTS = PROJECT_DIR / "data" / "screenshots"


@pytest.fixture(scope="module")
def dictionary_on_portal(sysadmin, run_id, tmp_path_factory):
    """The real dictionary site's public edition (as the pipeline builds it), sent to the
    portal in a folder of this session's own, so a published site stays untouched."""
    out = tmp_path_factory.mktemp("docs")
    build_site(
        out,
        load_dictionary(),
        json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text()),
        GateResults(tmp_path_factory.mktemp("gate_results")),
        "http://portal.example",
        (PROJECT_DIR / "docs" / "analysts.md").read_text(),
        public=True,
    )
    folder = f"test-{run_id}-browser"
    files = {f"{folder}/{path}": local for path, local in folder_files(out).items()}
    sync_site_files(CkanPublisher(sysadmin), "dictionary", files, within=f"{folder}/")
    yield folder
    sync_site_files(CkanPublisher(sysadmin), "dictionary", {}, within=f"{folder}/")


def test_the_dictionary_site_served_by_the_portal(browser, portal, dictionary_on_portal):
    dataset = load_dictionary().datasets["service_requests"]
    browser.get(f"{portal.url}/dictionary/{dictionary_on_portal}/index.html")
    browser.find_element("id", "search").send_keys("ward")
    hits = browser.find_elements("css selector", "#results tr.hit")
    assert hits, "the dictionary's search found nothing for 'ward'"
    page = f"{portal.url}/dictionary/{dictionary_on_portal}/datasets/{dataset.id}.html"
    browser.get(page)
    text = browser.find_element("css selector", "body").text
    assert dataset.title in text
    assert all(column.name in text for column in dataset.columns)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "dictionary_site_dataset_page.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
