"""Data dictionary -> CKAN: organization, package and resources.

Pure functions over the dictionary's typed entries (no network), tested with fixtures.
Everything the portal says about a dataset comes from the dictionary, so it is written
once. (The DataStore's fields are rendered by ``dictionary/render/datastore.py``.)
"""

from __future__ import annotations

import re
from typing import Any

from dagster_project.lib.dictionary import Dataset, Division


def package_name(dataset_id: str) -> str:
    """CKAN's URL name: lower case, digits, - and _ only."""
    return dataset_id.replace("_", "-")


def organization_dict(division: Division) -> dict[str, Any]:
    return {"name": division.id, "title": division.name, "description": division.description}


def _tag(keyword: str) -> str:
    return re.sub(r"[^\w .-]", "", keyword).strip()[:100]


def _approval(dataset: Dataset) -> dict[str, str]:
    last = dataset.publication.last("approved")
    return {"approved_by": last.by, "approved_on": last.on} if last else {}


def _retirement(dataset: Dataset) -> str | None:
    if dataset.status != "retired":
        return None
    retired = dataset.publication.last("retired")
    when = f" on {retired.on}" if retired else ""
    note = dataset.publication.retirement_note or "It is no longer updated."
    return f"**This dataset was retired{when}.** {note}"


# Set on every package the pipeline publishes: a package with this marker and no entry in
# the dictionary was removed from it, and is retired (``retirement.py``); a package
# without it (made by hand on the portal) is never touched.
PUBLISHER_MARKER = "published_by"
PUBLISHER_NAME = "city-data-platform"

CKAN_CORE_FIELDS = ("version",)

# The dataset-level fields the portal shows (shared contract: the theme renders them as
# labelled ckanext-scheming fields). display: text | markdown | url | date.
DATASET_FIELDS: list[dict[str, str]] = [
    {
        "key": "data_last_updated",
        "label": "Data last updated",
        "help": "The day a publication last changed the rows or columns.",
        "display": "date",
    },
    {
        "key": "version",
        "label": "Version",
        "help": "Counts the publications that changed the data or its dictionary entry.",
        "display": "text",
    },
    {
        "key": "changelog",
        "label": "Changelog",
        "help": "What each version changed, newest first: rows added, changed and removed, "
        "columns added and removed, and changes to the data dictionary.",
        "display": "markdown",
    },
    {
        "key": "previous_versions",
        "label": "Previous versions",
        "help": "The files of earlier versions, kept for a while after they are superseded.",
        "display": "markdown",
    },
    {
        "key": "retired_on",
        "label": "Retired on",
        "help": "The day the dataset was retired; it is deleted from the portal after the "
        "city's retention period.",
        "display": "date",
    },
    {
        "key": PUBLISHER_MARKER,
        "label": "Published by",
        "help": "The system that publishes this dataset from the city's data warehouse.",
        "display": "text",
    },
]

PRIVACY_NOTE = (
    "Personal information (names, phone numbers, e-mail addresses, exact "
    "addresses) is never published; each column's meaning is in the data "
    "dictionary below."
)


def package_dict(
    dataset: Dataset,
    division: Division,
    dictionary_page_url: str | None = None,
    versions: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The CKAN package for one dataset of the dictionary.

    A retired dataset keeps its package and files (links keep working) with a notice.
    ``versions``: the version, changelog and previous files (``versions.version_extras``).
    """
    notes = [dataset.description, f"**Grain:** {dataset.grain}."]
    if retirement := _retirement(dataset):
        notes.insert(0, retirement)
    if dataset.limitations:
        notes.append(f"**Limitations:** {dataset.limitations}")
    notes.append(PRIVACY_NOTE)
    extras = {
        "update_frequency": dataset.update_frequency.name,
        "grain": dataset.grain,
        "source_systems": ", ".join(dataset.source_systems),
        "publication_status": dataset.status,
        "spatial_coverage": dataset.spatial_coverage,
        "temporal_coverage_start": dataset.temporal_start,
        "temporal_coverage_end": dataset.temporal_end,
        "data_steward": division.steward.name,
        **_approval(dataset),
    }
    if dataset.status == "retired" and (retired := dataset.publication.last("retired")):
        extras["retired_on"] = retired.on
    if dictionary_page_url:
        extras["data_dictionary_url"] = dictionary_page_url
    extras.update(versions or {})
    extras[PUBLISHER_MARKER] = PUBLISHER_NAME  # how a removed dataset is known to be ours
    # a key that is one of CKAN's own package fields ("version") cannot be an extra
    # (CKAN refuses it): it is sent as that field
    core = {k: str(extras.pop(k)) for k in CKAN_CORE_FIELDS if extras.get(k) is not None}
    return {
        **core,
        "name": package_name(dataset.id),
        "title": dataset.title,
        "notes": "\n\n".join(notes),
        "owner_org": division.id,
        "license_id": dataset.licence.id,
        "author": division.name,
        "maintainer": division.steward.name,
        "maintainer_email": division.steward.email,
        "private": False,
        "tags": [{"name": _tag(k)} for k in dataset.keywords if _tag(k)],
        "extras": [{"key": k, "value": str(v)} for k, v in extras.items() if v is not None],
    }


def resource_dicts(dataset: Dataset) -> list[dict[str, Any]]:
    """The files published for a dataset: CSV for everyone, Parquet for analysts."""
    return [
        {
            "name": f"{dataset.title} (CSV)",
            "format": "CSV",
            "file_suffix": "csv",
            "description": "All rows as CSV (UTF-8, comma-separated, header row). "
            f"{dataset.grain.capitalize()}.",
        },
        {
            "name": f"{dataset.title} (Parquet)",
            "format": "Parquet",
            "file_suffix": "parquet",
            "description": "All rows as Apache Parquet, typed, for analysis tools.",
        },
    ]
