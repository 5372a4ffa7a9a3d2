"""The KPI definitions as a resident sees them on the scorecard's dataset page, in
headless Chromium (screenshot ``kpi-definitions.png`` in ``data/screenshots/``, or
``SCREENSHOT_DIR``)."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from dagster_project.lib.dictionary import load_dictionary
from dagster_project.settings import PROJECT_DIR
from publish.ckan.kpi_definitions import HEADING
from publish.ckan.mapping import organization_dict, package_dict
from publish.ckan.publisher import CkanPublisher

pytestmark = pytest.mark.portal


def test_a_resident_reads_each_kpis_definition_on_the_scorecard_page(
    browser, portal, sysadmin, run_id
):
    dictionary = load_dictionary()
    dataset = dataclasses.replace(dictionary.datasets["service_scorecard"], id=f"kpi_page_{run_id}")
    division = dictionary.divisions[dataset.owner_division]
    publisher = CkanPublisher(sysadmin)
    publisher.ensure_organization(organization_dict(division))
    package, _ = publisher.upsert_package(package_dict(dataset, division))
    try:
        browser.get(f"{portal.url}/dataset/{package['name']}")
        heading = browser.find_element("xpath", f"//h3[normalize-space()='{HEADING}']")
        assert heading.is_displayed()
        section = heading.find_element("xpath", "./following-sibling::ul[1]")
        text = section.text
        for metric in dataset.kpis:
            assert metric.label in text and f"Owner: {metric.owner_name}." in text
        assert "Target: at least 0.6 (source: Digital strategy" in text
        folder = Path(os.environ.get("SCREENSHOT_DIR", PROJECT_DIR / "data" / "screenshots"))
        folder.mkdir(parents=True, exist_ok=True)
        browser.execute_script("arguments[0].scrollIntoView()", heading)
        heading.find_element("xpath", "..").screenshot(str(folder / "kpi-definitions.png"))
    finally:
        sysadmin.action.dataset_purge(id=package["id"])
