"""A DCAT-US (Project Open Data v1.1) ``data.json`` catalog of the published datasets.

Built from the dictionary (meaning, contacts, licence, frequency) and the portal's own
records (URLs), so it lists what residents can actually download. Fields that only
federal agencies must fill (``bureauCode``, ``programCode``) are left out: the POD schema
requires them of US federal agencies, not of a municipality; ``publisher`` names the
division and the city above it instead.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema

from dagster_project.lib.dictionary import Dataset, Division
from dagster_project.lib.dictionary.vocabulary import MEDIA_TYPES

SCHEMA = Path(__file__).parent / "schemas" / "dcat_us_1_1.schema.json"


def catalog_description(dataset: Dataset) -> str:
    """The description harvesters read: the dictionary's, then what one row is and what
    the data cannot tell (the portal shows both as fields; DCAT-US has no field for
    either, and a harvester may read nothing else). The same text as the portal's RDF
    (``city_dcat`` profile)."""
    parts = [dataset.description, f"Grain: {dataset.grain}."]
    if dataset.limitations:
        parts.append(f"Limitations: {dataset.limitations}")
    return "\n\n".join(parts)


def dataset_entry(
    dataset: Dataset, division: Division, city_name: str, package: dict[str, Any], portal_url: str
) -> dict[str, Any]:
    page = f"{portal_url}/dataset/{package['name']}"
    described = next((r["url"] for r in package["resources"] if r["format"] == "JSON"), None)
    entry: dict[str, Any] = {
        "@type": "dcat:Dataset",
        "identifier": page,
        "title": dataset.title,
        "description": catalog_description(dataset),
        "keyword": list(dataset.keywords),
        "modified": package["metadata_modified"][:10],
        "publisher": {
            "@type": "org:Organization",
            "name": division.name,
            "subOrganizationOf": {"@type": "org:Organization", "name": city_name},
        },
        "contactPoint": {
            "@type": "vcard:Contact",
            "fn": division.steward.name,
            "hasEmail": f"mailto:{division.steward.email}",
        },
        "accessLevel": "public",
        "accrualPeriodicity": dataset.update_frequency.periodicity,
        "landingPage": page,
        "theme": [division.name],
        "distribution": [
            {
                "@type": "dcat:Distribution",
                "title": resource["name"],
                "downloadURL": resource["url"],
                "mediaType": MEDIA_TYPES.get(resource["format"], "application/octet-stream"),
                "format": resource["format"],
                **(
                    {"describedBy": described, "describedByType": "application/json"}
                    if described and resource["format"] != "JSON"
                    else {}
                ),
            }
            for resource in package["resources"]
        ],
    }
    if dataset.licence.url:
        entry["license"] = dataset.licence.url
    if dataset.spatial_coverage:
        entry["spatial"] = dataset.spatial_coverage
    if dataset.temporal_start:
        entry["temporal"] = f"{dataset.temporal_start}/{dataset.temporal_end or date.today()}"
    if described:
        entry["describedBy"], entry["describedByType"] = described, "application/json"
    return entry


def catalog(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "@context": "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
        "@type": "dcat:Catalog",
        "conformsTo": "https://project-open-data.cio.gov/v1.1/schema",
        "describedBy": "https://project-open-data.cio.gov/v1.1/schema/catalog.json",
        "dataset": sorted(entries, key=lambda e: e["identifier"]),
    }


def validate(document: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError when the catalog breaks a DCAT-US v1.1 rule."""
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text())).validate(document)


# Before /data.json, the catalog was a dataset of this name; publishing removes it.
LEGACY_CATALOG_PACKAGE = "open-data-catalog"
