"""The portal's dataset schema and settings, generated from the dictionary (pure)."""

from __future__ import annotations

import json

from dagster_project.lib.dictionary import load_dictionary
from dagster_project.settings import PROJECT_DIR
from publish.ckan.mapping import DATASET_FIELDS, package_dict, with_schema_fields
from publish.ckan.scheming import dataset_schema, portal_config
from publish.portal.theme_files import drifted_portal_files


def test_every_dataset_fact_is_a_labelled_schema_field():
    dictionary = load_dictionary()
    fields = {f["field_name"]: f for f in dataset_schema(dictionary)["dataset_fields"]}
    for field in DATASET_FIELDS:
        assert fields[field.key]["label"] == field.label
    assert "daily" in fields["update_frequency"]["help_text"]
    assert fields["limitations"]["display_snippet"] == "markdown.html"
    assert fields["data_dictionary_url"]["display_snippet"] == "link.html"
    # shown as the badge and its own sections, not repeated in the fields' table
    assert fields["quality_score"]["display_snippet"] is None
    assert fields["changelog"]["display_snippet"] is None
    # every fact the publisher sends is a field of the schema (none left as a raw extra)
    dataset = dictionary.datasets["service_requests"]
    package = with_schema_fields(package_dict(dataset, dictionary.divisions["customer-service"]))
    assert package["extras"] == []
    assert package["owner_division"] == "Customer Service (311)"
    assert package["update_frequency"] == "daily"


def test_portal_settings_name_the_city_its_licences_and_contact():
    config = portal_config(load_dictionary())
    assert config["site_title"] == "City of Riverton Open Data"
    assert config["contact"]["email"] == "performance@riverton.example"
    assert [lic["id"] for lic in config["licences"]] == ["odc-by"]
    assert "service-scorecard" in config["featured"]
    assert config["kpis"]["dataset"] == "service-scorecard"


def test_generated_portal_files_are_committed_and_current():
    assert drifted_portal_files(load_dictionary(), PROJECT_DIR) == []
    schema = json.loads((PROJECT_DIR / "portal" / "city_dataset.json").read_text())
    assert schema["dataset_type"] == "dataset"
