"""Grain and limitations are said once on the dataset page (as labelled fields, not again
in the description), and a harvester that reads only a description still gets them: in
the RDF's dct:description (our city_dcat profile) and in data.json's description."""

from __future__ import annotations

import re

import pytest
import requests
from rdflib import Graph
from rdflib.namespace import DCAT, DCTERMS, RDF

from dagster_project.lib.dictionary import load_dictionary
from publish.catalog.dcat import catalog_description
from publish.ckan.mapping import package_dict

pytestmark = pytest.mark.portal


@pytest.fixture(scope="module")
def published(portal, sysadmin, make_organization, run_id):
    dictionary = load_dictionary()
    dataset = dictionary.datasets["service_requests"]
    division = dictionary.divisions[dataset.owner_division]
    org = make_organization("grain", division.name)
    package = package_dict(dataset, division)
    package.update(name=f"grain-{run_id}", title=f"{dataset.title} {run_id}", owner_org=org["id"])
    created = sysadmin.action.package_create(**package)
    yield created, dataset
    sysadmin.action.dataset_purge(id=created["id"])


def _visible_text(html: str) -> str:
    main = html[html.index('role="main"') :]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_the_dataset_page_shows_grain_and_limitations_once(portal, published):
    package, dataset = published
    page = requests.get(f"{portal.url}/dataset/{package['name']}", timeout=60)
    assert page.status_code == 200
    text = _visible_text(page.text)
    assert text.count(dataset.grain) == 1, text
    first_words = " ".join(dataset.limitations.split()[:8])
    assert text.count(first_words) == 1
    assert "Grain" in text and "Limitations" in text  # the fields' labels


def test_a_harvester_reading_only_the_description_gets_them(portal, published):
    package, dataset = published
    response = requests.get(f"{portal.url}/dataset/{package['name']}.ttl", timeout=60)
    graph = Graph().parse(data=response.text, format="turtle")
    [node] = list(graph.subjects(RDF.type, DCAT.Dataset))
    [description] = [str(d) for d in graph.objects(node, DCTERMS.description)]
    assert description.startswith(dataset.description.strip()[:40])
    assert f"Grain: {dataset.grain}." in description
    assert f"Limitations: {dataset.limitations}" in description
    # data.json says the same
    assert catalog_description(dataset) == (
        f"{dataset.description}\n\nGrain: {dataset.grain}.\n\nLimitations: {dataset.limitations}"
    )
