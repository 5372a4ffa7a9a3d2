"""Data dictionary -> CKAN: organization, package, resources and DataStore fields.

Pure functions over plain dicts (no network), tested with fixtures. Everything the portal
says about a dataset comes from the dictionary, so it is written once.
"""

from __future__ import annotations

import re
from typing import Any

# DuckDB/dictionary type -> DataStore (PostgreSQL) type.
DATASTORE_TYPES = {
    "varchar": "text",
    "integer": "int4",
    "bigint": "int8",
    "double": "float8",
    "boolean": "bool",
    "date": "date",
    "timestamp": "timestamp",
}


def package_name(dataset_id: str) -> str:
    """CKAN's URL name: lower case, digits, - and _ only."""
    return dataset_id.replace("_", "-")


def organization_dict(division: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": division["id"],
        "title": division["name"],
        "description": division["description"],
    }


def _tag(keyword: str) -> str:
    return re.sub(r"[^\w .-]", "", keyword).strip()[:100]


def _approval(spec: dict[str, Any]) -> dict[str, str]:
    approvals = [h for h in spec["publication"]["history"] if h["status"] == "approved"]
    if not approvals:
        return {}
    last = approvals[-1]
    return {"approved_by": str(last["by"]), "approved_on": str(last["on"])}


def _retirement(spec: dict[str, Any]) -> str | None:
    if spec["publication"]["status"] != "retired":
        return None
    retired = [h for h in spec["publication"]["history"] if h["status"] == "retired"]
    when = f" on {retired[-1]['on']}" if retired else ""
    note = spec["publication"].get("retirement_note", "It is no longer updated.")
    return f"**This dataset was retired{when}.** {note}"


def package_dict(
    spec: dict[str, Any], division: dict[str, Any], dictionary_page_url: str | None = None
) -> dict[str, Any]:
    """The CKAN package for one dataset entry of the dictionary (``spec`` is its YAML).

    A retired dataset keeps its package and files (links keep working) with a notice.
    """
    notes = [spec["description"].strip(), f"**Grain:** {spec['grain']}."]
    if retirement := _retirement(spec):
        notes.insert(0, retirement)
    if spec.get("limitations"):
        notes.append(f"**Limitations:** {spec['limitations'].strip()}")
    notes.append(
        "Personal information (names, phone numbers, e-mail addresses, exact "
        "addresses) is never published; each column's meaning is in the data "
        "dictionary below."
    )
    extras = {
        "update_frequency": spec["update_frequency"],
        "grain": spec["grain"],
        "source_systems": ", ".join(spec["source_systems"]),
        "publication_status": spec["publication"]["status"],
        "spatial_coverage": spec.get("spatial_coverage"),
        "temporal_coverage_start": (spec.get("temporal_coverage") or {}).get("start"),
        "temporal_coverage_end": (spec.get("temporal_coverage") or {}).get("end"),
        "data_steward": division["steward"]["name"],
        **_approval(spec),
    }
    if dictionary_page_url:
        extras["data_dictionary_url"] = dictionary_page_url
    return {
        "name": package_name(spec["dataset"]),
        "title": spec["title"],
        "notes": "\n\n".join(notes),
        "owner_org": division["id"],
        "license_id": spec["licence"],
        "author": division["name"],
        "maintainer": division["steward"]["name"],
        "maintainer_email": division["steward"]["email"],
        "private": False,
        "tags": [{"name": _tag(k)} for k in spec["keywords"] if _tag(k)],
        "extras": [{"key": k, "value": str(v)} for k, v in extras.items() if v is not None],
    }


def datastore_type(column_type: str) -> str:
    if column_type.startswith("decimal"):
        return "numeric"
    return DATASTORE_TYPES[column_type]


def datastore_fields(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """DataStore fields with the dictionary's label and description (the portal's data
    dictionary tab and our dataset-page table read ``info``)."""
    return [
        {
            "id": column["name"],
            "type": datastore_type(column["type"]),
            "info": {
                "label": column["name"].replace("_", " ").capitalize(),
                "notes": column["description"],
                "type_override": datastore_type(column["type"]),
            },
        }
        for column in spec["columns"]
    ]


def resource_dicts(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The files published for a dataset: CSV for everyone, Parquet for analysts."""
    title = spec["title"]
    return [
        {
            "name": f"{title} (CSV)",
            "format": "CSV",
            "file_suffix": "csv",
            "description": f"All rows as CSV (UTF-8, comma-separated, header row). "
            f"{spec['grain'].capitalize()}.",
        },
        {
            "name": f"{title} (Parquet)",
            "format": "Parquet",
            "file_suffix": "parquet",
            "description": "All rows as Apache Parquet, typed, for analysis tools.",
        },
    ]


# Dictionary type -> Frictionless Table Schema type.
FRICTIONLESS_TYPES = {
    "varchar": "string",
    "integer": "integer",
    "bigint": "integer",
    "double": "number",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "datetime",
}


def table_schema(spec: dict[str, Any]) -> dict[str, Any]:
    """The dataset's columns as a Frictionless Table Schema (its data dictionary)."""
    fields = []
    for column in spec["columns"]:
        kind = (
            "number" if column["type"].startswith("decimal") else FRICTIONLESS_TYPES[column["type"]]
        )
        constraints = {
            key: value
            for key, value in {
                "required": column.get("required"),
                "unique": column.get("unique"),
                "enum": column.get("accepted_values"),
                "minimum": column.get("min"),
                "maximum": column.get("max"),
            }.items()
            if value not in (None, False)
        }
        field = {
            "name": column["name"],
            "title": column["name"].replace("_", " ").capitalize(),
            "type": kind,
            "description": column["description"],
        }
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    keys = [c["name"] for c in spec["columns"] if c.get("unique")]
    if keys:
        schema["primaryKey"] = keys
    return schema


def datapackage(spec: dict[str, Any], division: dict[str, Any], csv_url: str) -> dict[str, Any]:
    """A Frictionless Data Package describing the CSV, published beside it."""
    return {
        "profile": "tabular-data-package",
        "name": package_name(spec["dataset"]),
        "title": spec["title"],
        "description": spec["description"].strip(),
        "keywords": list(spec["keywords"]),
        "licenses": [{"name": spec["licence"]}],
        "contributors": [
            {"title": division["name"], "role": "publisher"},
            {
                "title": division["steward"]["name"],
                "email": division["steward"]["email"],
                "role": "maintainer",
            },
        ],
        "resources": [
            {
                "name": package_name(spec["dataset"]),
                "path": csv_url,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": table_schema(spec),
            }
        ],
    }
