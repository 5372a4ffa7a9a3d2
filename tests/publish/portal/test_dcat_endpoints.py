"""ckanext-dcat's RDF endpoints on the real portal, with our ``city_dcat`` profile: a
dataset shaped as the publisher sends it (``publish/ckan/mapping.py``) comes out as a
dcat:Dataset with the dictionary's facts, parsed with rdflib. (The pipeline's own
datasets are checked the same way in tests/test_pipeline_e2e.py.)"""

from __future__ import annotations

import pytest
import requests
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS

from dagster_project.lib.dictionary import load_dictionary
from publish.ckan.mapping import package_dict

pytestmark = pytest.mark.portal
FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"


@pytest.fixture(scope="module")
def published(portal, sysadmin, make_organization, run_id, tmp_path_factory):
    dictionary = load_dictionary()
    dataset = dictionary.datasets["service_requests"]
    division = dictionary.divisions[dataset.owner_division]
    org = make_organization("dcat", division.name)
    package = package_dict(
        dataset,
        division,
        f"{portal.url}/dictionary/datasets/{dataset.id}.html",
        f"{portal.url}/quality-reports/{dataset.id}.html",
    )
    package.update(name=f"dcat-{run_id}", title=f"{dataset.title} {run_id}", owner_org=org["id"])
    created = sysadmin.action.package_create(**package)
    upload = tmp_path_factory.mktemp("dcat") / "rows.csv"
    upload.write_text("request_id,ward_number\nSR-2025-0000001,3\n")
    with upload.open("rb") as handle:
        sysadmin.action.resource_create(
            package_id=created["id"], name="All rows (CSV)", format="CSV", upload=handle
        )
    return sysadmin.action.package_show(id=created["id"]), dataset, division


@pytest.mark.parametrize("fmt,parser", [("ttl", "turtle"), ("jsonld", "json-ld"), ("rdf", "xml")])
def test_a_dataset_in_rdf_carries_the_dictionarys_facts(portal, published, fmt, parser):
    package, dataset, division = published
    response = requests.get(f"{portal.url}/dataset/{package['name']}.{fmt}", timeout=60)
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format=parser)
    [node] = list(graph.subjects(RDF.type, DCAT.Dataset))
    assert graph.value(node, DCTERMS.title) == Literal(package["title"])
    assert str(graph.value(graph.value(node, DCTERMS.publisher), FOAF.name)) == division.name
    assert graph.value(node, DCTERMS.license) == URIRef(package["license_url"])
    assert graph.value(node, DCTERMS.accrualPeriodicity) == URIRef(f"{FREQUENCY}DAILY")
    assert {str(k) for k in graph.objects(node, DCAT.keyword)} >= {"311"}
    place = graph.value(node, DCTERMS.spatial)
    assert str(graph.value(place, SKOS.prefLabel)) == dataset.spatial_coverage
    assert graph.value(node, DCTERMS.temporal) is not None
    pages = {str(p) for p in graph.objects(node, FOAF.page)}
    assert pages == {
        f"{portal.url}/dictionary/datasets/{dataset.id}.html",
        f"{portal.url}/quality-reports/{dataset.id}.html",
    }
    [distribution] = list(graph.objects(node, DCAT.distribution))
    [resource] = package["resources"]
    assert graph.value(distribution, DCAT.downloadURL) == URIRef(resource["url"])
    assert graph.value(distribution, DCTERMS.license) == URIRef(package["license_url"])
    contact = graph.value(node, DCAT.contactPoint)
    assert contact is not None


def test_the_catalog_endpoint_lists_it(portal, published):
    package, _, _ = published
    response = requests.get(f"{portal.url}/catalog.ttl", timeout=120)
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    titles = {str(graph.value(s, DCTERMS.title)) for s in graph.subjects(RDF.type, DCAT.Dataset)}
    assert package["title"] in titles
