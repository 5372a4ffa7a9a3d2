"""Dictionary -> CKAN mapping (pure): what the portal will say about a dataset."""

import dataclasses

from dagster_project.lib.dictionary import PublicationEvent, load_dictionary
from dagster_project.lib.dictionary.render.datastore import datastore_fields
from publish.catalog.datapackage import datapackage
from publish.ckan.mapping import organization_dict, package_dict, package_name, resource_dicts


def entry(dataset_id="service_requests"):
    dictionary = load_dictionary()
    dataset = dictionary.datasets[dataset_id]
    return dataset, dictionary.divisions[dataset.owner_division]


def test_package_carries_the_dictionarys_metadata():
    spec, division = entry()
    package = package_dict(spec, division)
    assert package["name"] == "service-requests" == package_name("service_requests")
    assert package["title"] == "311 Service Requests"
    assert package["owner_org"] == "customer-service"
    assert package["license_id"] == "odc-by"
    assert package["maintainer_email"] == "311-data@riverton.example"
    assert package["private"] is False
    assert {"name": "311"} in package["tags"]
    extras = {e["key"]: e["value"] for e in package["extras"]}
    assert extras["update_frequency"] == "daily"
    assert extras["approved_by"] == "Data Governance Group"
    assert extras["approved_on"] == "2026-11-02"
    # grain and limitations are fields, said once (not repeated in the description)
    assert extras["grain"].startswith("one row per service request")
    assert "one row per service request" not in package["notes"]
    assert extras["limitations"] and extras["limitations"] not in package["notes"]
    # the systems as a resident reads them, not their ids
    assert extras["source_systems"] == "311 customer service CRM – Customer Service (311)"


def test_a_source_that_sends_no_extract_is_named_for_residents():
    spec, division = entry("service_inventory")
    extras = {e["key"]: e["value"] for e in package_dict(spec, division)["extras"]}
    assert extras["source_systems"] == "this data dictionary (kept by the data governance group)"


def test_datastore_fields_are_the_data_dictionary():
    spec, _ = entry()
    fields = {f["id"]: f for f in datastore_fields(spec)}
    assert list(fields) == [c.name for c in spec.columns]
    assert fields["ward_number"]["type"] == "int4"
    assert fields["ward_number"]["info"]["notes"].startswith("Ward the request is about")
    spec_permits, _ = entry("building_permits")
    assert {f["id"]: f["type"] for f in datastore_fields(spec_permits)}[
        "construction_value"
    ] == "numeric"


def test_organization_and_resources():
    spec, division = entry()
    assert organization_dict(division) == {
        "name": "customer-service",
        "title": "Customer Service (311)",
        "description": division.description,
    }
    assert [r["format"] for r in resource_dicts(spec)] == ["CSV", "Parquet"]


def test_datapackage_is_the_data_dictionary_as_a_table_schema():
    spec, division = entry("building_permits")
    package = datapackage(spec, division, "building-permits", "http://portal/permits.csv")
    resource = package["resources"][0]
    assert resource["path"] == "http://portal/permits.csv"
    fields = {f["name"]: f for f in resource["schema"]["fields"]}
    assert fields["permit_number"]["constraints"] == {
        "required": True,
        "unique": True,
        "pattern": "BP-[0-9]{4}-[0-9]{5,7}",  # Table Schema patterns match the whole value
    }
    assert fields["construction_value"]["type"] == "number"
    assert fields["ward_number"]["constraints"] == {"enum": list(range(1, 16))}
    assert fields["status"]["constraints"]["enum"][0] == "Applied"
    assert resource["schema"]["primaryKey"] == ["permit_number"]
    assert package["licenses"] == [{"name": "odc-by"}]


def test_a_retired_dataset_says_so_first():
    spec, division = entry("digital_adoption")
    retired = dataclasses.replace(
        spec,
        publication=dataclasses.replace(
            spec.publication,
            status="retired",
            retirement_note="Replaced by the Digital Services dataset.",
            history=(
                *spec.publication.history,
                PublicationEvent("retired", "Data Governance Group", "2027-01-15"),
            ),
        ),
    )
    package = package_dict(retired, division)
    assert package["notes"].startswith(
        "**This dataset was retired on 2027-01-15.** Replaced by the Digital Services dataset."
    )
    assert {"key": "publication_status", "value": "retired"} in package["extras"]


def test_the_dictionary_page_and_quality_report_links_are_dataset_fields():
    from publish.ckan.mapping import DATASET_FIELDS

    spec, division = entry()
    package = package_dict(
        spec,
        division,
        "http://portal.example/dictionary/datasets/service_requests.html",
        "http://portal.example/quality-reports/service_requests.html",
    )
    extras = {e["key"]: e["value"] for e in package["extras"]}
    assert extras["data_dictionary_url"].endswith("/dictionary/datasets/service_requests.html")
    assert extras["quality_report_url"].endswith("/quality-reports/service_requests.html")
    fields = {f.key: f for f in DATASET_FIELDS}
    assert fields["data_dictionary_url"].display == fields["quality_report_url"].display == "url"
    without = {e["key"] for e in package_dict(spec, division)["extras"]}
    assert not without & {"data_dictionary_url", "quality_report_url"}


def test_version_fields_marker_and_the_shared_field_list():
    from publish.ckan.mapping import DATASET_FIELDS, PUBLISHER_MARKER

    dictionary = load_dictionary()
    dataset = dictionary.datasets["digital_adoption"]
    package = package_dict(
        dataset,
        dictionary.divisions[dataset.owner_division],
        versions={"version": "3", "changelog": "- **Version 3** ...", "data_last_updated": "x"},
    )
    extras = {e["key"]: e["value"] for e in package["extras"]}
    assert package["version"] == "3" and "version" not in extras  # CKAN's own field
    assert extras["changelog"] == "- **Version 3** ..."
    assert extras[PUBLISHER_MARKER] == "city-data-platform"
    keys = {f.key for f in DATASET_FIELDS}
    assert {"version", "data_last_updated", "changelog", "previous_versions"} <= keys
    assert {f.display for f in DATASET_FIELDS} <= {"text", "markdown", "url", "date"}
