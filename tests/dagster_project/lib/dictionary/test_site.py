"""The browsable data dictionary, as a reader uses it: in headless Chromium."""

from __future__ import annotations

import json

import pytest

from dagster_project.lib.dictionary import load_dictionary
from dagster_project.lib.dictionary.site import build_site
from dagster_project.lib.gates.results import GateResults
from dagster_project.settings import DBT_PROJECT_DIR, PROJECT_DIR

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("docs")
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    results = GateResults(tmp_path_factory.mktemp("gate_results"))
    results.record_gate("service_requests", "quality_gate", True, "all expectations met")
    results.record_gate(
        "service_requests", "privacy_gate", True, "no personal value found; WARNING: n: cells"
    )
    build_site(
        out,
        load_dictionary(),
        manifest,
        results,
        "http://portal.example",
        (PROJECT_DIR / "docs" / "analysts.md").read_text(),
    )
    return out


def test_search_finds_a_column(browser, site):
    browser.get((site / "index.html").as_uri())
    browser.find_element("id", "search").send_keys("hundred-block")
    hits = browser.find_elements("css selector", "#results tr.hit")
    texts = [row.text for row in hits]
    assert any("address_block" in text for text in texts), texts
    link = hits[0].find_element("css selector", "a")
    link.click()
    assert "datasets/" in browser.current_url and "#col-address_block" in browser.current_url


def test_a_dataset_page_shows_meaning_owner_and_lineage(browser, site):
    browser.get((site / "datasets" / "service_requests.html").as_uri())
    page = browser.find_element("css selector", "body").text
    assert "311 Service Requests" in page and "311 Data Steward" in page
    ward = browser.find_element("id", "col-ward_number").text
    assert "crm311.ward" in ward and "public" in ward
    chain = browser.find_element("css selector", "ul.chain").text
    assert "raw.crm311_service_requests (source system crm311)" in chain
    assert "staging.stg_crm311__service_requests" in chain
    assert "one of the city's wards" in ward  # the rule, in words
    assert "quality gate: passed" in page
    assert "privacy gate: passed with a warning (see the quality report)" in page


def test_the_glossary_and_the_guide_render(browser, site):
    browser.get((site / "index.html").as_uri())
    assert (
        "electoral wards"
        in browser.find_element("id", "term-ward")
        .find_element("xpath", "following-sibling::dd")
        .text
    )
    browser.get((site / "analysts.html").as_uri())
    assert browser.find_elements("css selector", "pre code")  # fenced SQL as code blocks


def test_the_kpi_page_shows_each_definition_and_each_services_statute():
    from dagster_project.lib.dictionary import load_dictionary
    from dagster_project.lib.dictionary.site_kpis import kpi_body

    dictionary = load_dictionary()
    page = kpi_body(dictionary)
    for metric in dictionary.metrics.values():
        assert f"id='kpi-{metric.name}'" in page and metric.formula in page
    for service in dictionary.services.values():
        assert f"id='service-{service.id}'" in page
        if service.legislated and service.legislated.source:
            assert f"href='{service.legislated.source}'" in page
    # a law that sets its timeline per road class shows each class's hours
    assert "By road class: class 1: 4 hours (from 2.5 cm); class 2: 6 hours" in page
