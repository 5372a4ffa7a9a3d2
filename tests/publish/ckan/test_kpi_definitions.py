"""Each KPI dataset's page says how its KPIs are defined (label, meaning, formula, unit,
target and its source, owner), generated from data_dictionary/metrics.yml: in the mapped
package, and on the real local CKAN (package_show and the dataset page a resident
reads)."""

from __future__ import annotations

import dataclasses
import html
import re

import pytest
import requests

from dagster_project.lib.dictionary import load_dictionary
from publish.ckan.kpi_definitions import HEADING, kpi_definitions_markdown
from publish.ckan.mapping import organization_dict, package_dict
from publish.ckan.publisher import CkanPublisher

KPI_DATASETS = ("service_scorecard", "service_request_performance", "digital_adoption")


@pytest.mark.parametrize("dataset_id", KPI_DATASETS)
def test_every_kpi_a_dataset_carries_is_defined_in_its_description(dataset_id):
    dictionary = load_dictionary()
    dataset = dictionary.datasets[dataset_id]
    held = {c.spec["metric"] for c in dataset.columns if "metric" in c.spec}
    assert held, f"{dataset_id} names no KPI in its columns (metric:)"
    notes = package_dict(dataset, dictionary.divisions[dataset.owner_division])["notes"]
    assert f"### {HEADING}" in notes
    for name in held:
        metric = dictionary.metrics[name]
        for fact in (metric.label, metric.description, metric.formula, metric.unit):
            assert fact in notes, (dataset_id, name, fact)
        assert dictionary.divisions[metric.owner].name in notes


def test_the_target_and_its_source_are_stated_and_a_kpi_without_one_says_so():
    dictionary = load_dictionary()
    section = kpi_definitions_markdown(dictionary.datasets["service_scorecard"])
    online = next(e for e in section.split("\n- ") if e.startswith("**Share online**"))
    assert "Target: at least 0.6 (source: Digital strategy: share of services used online)" in (
        online
    )
    assert "(column `online_share`)" in online
    standard = next(e for e in section.split("\n- ") if "Share within the service standard" in e)
    assert "each service's own target share (source: The service's standard" in standard
    median = next(e for e in section.split("\n- ") if e.startswith("**Median processing"))
    assert "Target: none set." in median


def test_one_kpi_in_two_columns_is_defined_once_naming_both():
    section = kpi_definitions_markdown(load_dictionary().datasets["digital_adoption"])
    assert section.count("**Share online**") == 1
    assert "(column `share_service_requests_online`, `share_payments_online`)" in section


def test_a_dataset_without_kpis_has_no_section():
    dictionary = load_dictionary()
    dataset = dictionary.datasets["service_requests"]
    assert kpi_definitions_markdown(dataset) is None
    assert (
        HEADING not in package_dict(dataset, dictionary.divisions[dataset.owner_division])["notes"]
    )


@pytest.mark.portal
@pytest.mark.parametrize("dataset_id", KPI_DATASETS)
def test_the_portal_dataset_page_shows_the_kpi_definitions(portal, sysadmin, run_id, dataset_id):
    dictionary = load_dictionary()
    dataset = dataclasses.replace(
        dictionary.datasets[dataset_id], id=f"kpi_definitions_{dataset_id}_{run_id}"
    )
    division = dictionary.divisions[dataset.owner_division]
    publisher = CkanPublisher(sysadmin)
    publisher.ensure_organization(organization_dict(division))
    package, _ = publisher.upsert_package(package_dict(dataset, division))
    try:
        shown = sysadmin.action.package_show(id=package["id"])
        assert kpi_definitions_markdown(dataset) in shown["notes"]

        page = requests.get(f"{portal.url}/dataset/{package['name']}", timeout=30)
        assert page.status_code == 200
        # the markdown rendered (a heading, a list), not shown as source
        text = html.unescape(page.text)
        assert re.search(rf"<h3[^>]*>\s*{HEADING}\s*</h3>", text), "no rendered KPI heading"
        for metric in dataset.kpis:
            assert f"<strong>{metric.label}</strong>" in text, metric.name
            assert f"Formula: {metric.formula}." in text, metric.name
            assert f"Owner: {metric.owner_name}." in text, metric.name
        if dataset_id == "service_scorecard":
            assert "source: Digital strategy: share of services used online" in text
    finally:
        sysadmin.action.dataset_purge(id=package["id"])
