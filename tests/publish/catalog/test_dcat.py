"""The DCAT-US v1.1 data.json: built from the dictionary and the portal's records."""

import jsonschema
import pytest

from dagster_project.lib.dictionary import load_dictionary
from publish.catalog.dcat import catalog, dataset_entry, validate


def entry():
    dictionary = load_dictionary()
    dataset = dictionary.datasets["service_requests"]
    package = {
        "name": "service-requests",
        "metadata_modified": "2026-11-24T04:00:00.123",
        "resources": [
            {"name": "311 (CSV)", "format": "CSV", "url": "http://portal/sr.csv"},
            {"name": "311 (Parquet)", "format": "Parquet", "url": "http://portal/sr.pq"},
            {"name": "Data package", "format": "JSON", "url": "http://portal/dp.json"},
        ],
    }
    return dataset_entry(
        dataset,
        dictionary.divisions[dataset.owner_division],
        dictionary.city.name,
        package,
        "http://portal",
    )


def test_catalog_is_valid_dcat_us():
    document = catalog([entry()])
    validate(document)
    dataset = document["dataset"][0]
    assert dataset["accrualPeriodicity"] == "R/P1D"
    assert dataset["contactPoint"]["hasEmail"] == "mailto:311-data@riverton.example"
    assert dataset["license"] == "https://opendatacommons.org/licenses/by/1-0/"
    assert dataset["describedBy"] == "http://portal/dp.json"
    csv = dataset["distribution"][0]
    assert (csv["downloadURL"], csv["mediaType"]) == ("http://portal/sr.csv", "text/csv")
    assert dataset["temporal"].startswith("2024-01-01/")
    assert "bureauCode" not in dataset  # US-federal only
    assert dataset["publisher"]["subOrganizationOf"]["name"] == "City of Riverton"
    assert dataset["spatial"] == "City of Riverton, 15 wards"


def test_a_broken_entry_is_rejected():
    broken = entry()
    broken["contactPoint"]["hasEmail"] = "311-data@riverton.example"  # mailto: missing
    with pytest.raises(jsonschema.ValidationError):
        validate(catalog([broken]))
