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


# The dataset-level facts the portal shows as labelled fields (the theme branch turns this
# list into the ckanext-scheming schema): key, label, help text, display kind
# (text | markdown | url | date). Sent as keys of package_dict's extras.
DATASET_FIELDS: list[dict[str, str]] = [
    {
        "key": "quality_score",
        "label": "Quality score",
        "help": "Gold, Silver or Bronze, from measured facts: the city's checks, freshness "
        "against the promised update frequency, column descriptions, completeness of key "
        "columns and machine-readable formats offered. Not rated before first publication.",
        "kind": "text",
    },
    {
        "key": "quality_score_value",
        "label": "Quality score (0-100)",
        "help": "The weighted total of the five dimensions; weights and grade thresholds "
        "are set by the data governance group (quality_score.yml).",
        "kind": "text",
    },
    {
        "key": "quality_reasons",
        "label": "Why this score",
        "help": "Each dimension's score and what was measured.",
        "kind": "markdown",
    },
    {
        "key": "quality_measured_at",
        "label": "Quality measured",
        "help": "When the pipeline last measured this dataset's quality (UTC).",
        "kind": "date",
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
    quality: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The CKAN package for one dataset of the dictionary.

    A retired dataset keeps its package and files (links keep working) with a notice.
    ``quality``: its latest quality score's extras (measured after each publication, so
    a re-publication keeps showing it).
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
    if dictionary_page_url:
        extras["data_dictionary_url"] = dictionary_page_url
    extras.update(quality or {})
    return {
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
