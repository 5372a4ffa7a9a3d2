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

from .mapping import package_name

CITY = "City of Riverton"
SCHEMA = Path(__file__).parent / "schemas" / "dcat_us_1_1.schema.json"
PERIODICITY = {
    "daily": "R/P1D",
    "weekly": "R/P1W",
    "monthly": "R/P1M",
    "quarterly": "R/P3M",
    "yearly": "R/P1Y",
    "as needed": "irregular",
}
LICENSES = {
    "odc-by": "https://opendatacommons.org/licenses/by/1-0/",
    "odc-odbl": "https://opendatacommons.org/licenses/odbl/1-0/",
    "odc-pddl": "https://opendatacommons.org/licenses/pddl/1-0/",
    "cc-by": "https://creativecommons.org/licenses/by/4.0/",
    "cc-by-sa": "https://creativecommons.org/licenses/by-sa/4.0/",
    "cc-zero": "https://creativecommons.org/publicdomain/zero/1.0/",
}
MEDIA_TYPES = {
    "CSV": "text/csv",
    "Parquet": "application/vnd.apache.parquet",
    "JSON": "application/json",
}


def dataset_entry(
    spec: dict[str, Any], division: dict[str, Any], package: dict[str, Any], portal_url: str
) -> dict[str, Any]:
    page = f"{portal_url}/dataset/{package['name']}"
    described = next((r["url"] for r in package["resources"] if r["format"] == "JSON"), None)
    coverage = spec.get("temporal_coverage") or {}
    entry: dict[str, Any] = {
        "@type": "dcat:Dataset",
        "identifier": page,
        "title": spec["title"],
        "description": spec["description"].strip(),
        "keyword": list(spec["keywords"]),
        "modified": package["metadata_modified"][:10],
        "publisher": {
            "@type": "org:Organization",
            "name": division["name"],
            "subOrganizationOf": {"@type": "org:Organization", "name": CITY},
        },
        "contactPoint": {
            "@type": "vcard:Contact",
            "fn": division["steward"]["name"],
            "hasEmail": f"mailto:{division['steward']['email']}",
        },
        "accessLevel": "public",
        "accrualPeriodicity": PERIODICITY[spec["update_frequency"]],
        "landingPage": page,
        "theme": [division["name"]],
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
    if spec["licence"] in LICENSES:
        entry["license"] = LICENSES[spec["licence"]]
    if spec.get("spatial_coverage"):
        entry["spatial"] = spec["spatial_coverage"]
    if coverage.get("start"):
        entry["temporal"] = f"{coverage['start']}/{coverage.get('end') or date.today()}"
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


def catalog_package_name() -> str:
    return package_name("open_data_catalog")
