"""Data dictionary -> CKAN: organization, package and resources.

Pure functions over the dictionary's typed entries (no network), tested with fixtures.
Everything the portal says about a dataset comes from the dictionary, so it is written
once. (The DataStore's fields are rendered by ``dictionary/render/datastore.py``.)
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Literal

from dagster_project.lib.dictionary import Dataset, Division

from .kpi_definitions import kpi_definitions_markdown


@dataclass(frozen=True)
class DatasetField:
    """One dataset-level fact the portal shows as a labelled field.

    ``display`` says how the dataset page renders the value: ``text`` as is, ``markdown``
    rendered, ``url`` as a link, ``date`` as a date. The portal's ckanext-scheming schema
    is generated from this list (``publish/ckan/scheming.py``), so a new key is added here
    and nowhere else.
    """

    key: str
    label: str
    help_text: str
    display: Literal["text", "markdown", "url", "date"] = "text"


# The keys of ``package_dict``'s extras, in the order the dataset page shows them.
# Reserved keys filled by other parts of the pipeline (quality, versions, catalog) are
# listed too: the portal shows them when a publication sends them.
DATASET_FIELDS: tuple[DatasetField, ...] = (
    DatasetField("owner_division", "Owner division", "The city division that owns the data."),
    DatasetField("data_steward", "Data steward", "Who in the division answers for the data."),
    DatasetField("update_frequency", "Update frequency", "How often the city updates it."),
    DatasetField("data_last_updated", "Data last updated", "When the data last changed.", "date"),
    DatasetField("grain", "Grain", "What one row of the table is."),
    DatasetField("limitations", "Limitations", "What the data cannot tell you.", "markdown"),
    DatasetField("spatial_coverage", "Spatial coverage", "The area the data covers."),
    DatasetField("temporal_coverage_start", "Covers from", "First date the data covers.", "date"),
    DatasetField("temporal_coverage_end", "Covers until", "Last date the data covers.", "date"),
    DatasetField("source_systems", "Source systems", "The city systems the data comes from."),
    DatasetField("publication_status", "Publication status", "approved or retired."),
    DatasetField("approved_by", "Approved by", "Who approved the publication."),
    DatasetField("approved_on", "Approved on", "When it was approved.", "date"),
    DatasetField("quality_score", "Quality score", "Gold, Silver, Bronze or Not rated."),
    DatasetField("quality_score_value", "Quality score (0-100)", "The score behind the medal."),
    DatasetField("quality_reasons", "Why this score", "What raised or lowered it.", "markdown"),
    DatasetField("quality_measured_at", "Quality measured", "When it was measured.", "date"),
    DatasetField("version", "Version", "Publications that changed the data, counted."),
    DatasetField("changelog", "Changelog", "What changed, newest first.", "markdown"),
    DatasetField("previous_versions", "Previous versions", "Earlier files.", "markdown"),
    DatasetField("data_dictionary_url", "Data dictionary", "Every column explained.", "url"),
    DatasetField("quality_report_url", "Quality report", "The checks the data passed.", "url"),
    DatasetField(
        "retired_on", "Retired on", "When it was retired (deleted after the retention).", "date"
    ),
    DatasetField(
        "published_by", "Published by", "The system that publishes it from the warehouse."
    ),
)
SCHEMA_FIELD_KEYS = frozenset(f.key for f in DATASET_FIELDS)


def with_schema_fields(
    package: dict[str, Any], fields: Collection[str] = SCHEMA_FIELD_KEYS
) -> dict[str, Any]:
    """The package as the portal's dataset schema takes it: extras whose key is one of the
    schema's ``fields`` become top-level fields (CKAN refuses an extra named like a schema
    field); the others stay extras. ``fields``: our generated schema's by default; the
    publisher passes the target portal's (none on a CKAN without ckanext-scheming, where
    every fact stays an extra: CKAN's default schema drops unknown top-level keys)."""
    extras = package.get("extras")
    if extras is None:
        return package
    lifted = {e["key"]: e["value"] for e in extras if e["key"] in fields}
    rest = [e for e in extras if e["key"] not in fields]
    return {**package, **lifted, "extras": rest}


def package_facts(package: dict[str, Any]) -> dict[str, str]:
    """The dataset-level facts of a package as the portal returns it: its extras and the
    schema fields (top level on a portal with our schema, extras on one without)."""
    facts = {e["key"]: e["value"] for e in package.get("extras", [])}
    facts.update({k: package[k] for k in SCHEMA_FIELD_KEYS if package.get(k) not in (None, "")})
    return facts


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


def published_by_pipeline(package: dict[str, Any]) -> bool:
    """A package this pipeline made (packages made by hand are never its to change)."""
    return package_facts(package).get(PUBLISHER_MARKER) == PUBLISHER_NAME


CKAN_CORE_FIELDS = ("version",)

PRIVACY_NOTE = (
    "Personal information (names, phone numbers, e-mail addresses, exact "
    "addresses) is never published; each column's meaning is in the data "
    "dictionary below."
)


def package_dict(
    dataset: Dataset,
    division: Division,
    dictionary_page_url: str | None = None,
    quality_report_url: str | None = None,
    versions: dict[str, str] | None = None,
    quality: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The CKAN package for one dataset of the dictionary.

    A retired dataset keeps its package and files (links keep working) with a notice.
    ``versions``: the version, changelog and previous files (``versions.version_extras``).
    ``quality``: its latest quality score's extras (measured after each publication, so
    a re-publication keeps showing it).
    """
    # Grain and limitations are said once: as the labelled fields "Grain" and
    # "Limitations" (the schema's, shown on the dataset page and sent to the API), not
    # again in the description. A harvester that reads only a description gets them where
    # DCAT carries a dataset's description: the portal's city_dcat profile appends them to
    # dct:description (RDF endpoints) and data.json's description has them
    # (publish/catalog/dcat.py: catalog_description); DCAT has no property of its own for
    # either.
    notes = [dataset.description]
    if retirement := _retirement(dataset):
        notes.insert(0, retirement)
    if kpis := kpi_definitions_markdown(dataset):  # a KPI dataset: its KPIs' definitions
        notes.append(kpis)
    notes.append(PRIVACY_NOTE)
    extras = {
        "owner_division": division.name,
        "update_frequency": dataset.update_frequency.name,
        "grain": dataset.grain,
        "source_systems": "; ".join(dataset.source_names),  # as a resident reads them
        "publication_status": dataset.status,
        "spatial_coverage": dataset.spatial_coverage,
        "temporal_coverage_start": dataset.temporal_start,
        "temporal_coverage_end": dataset.temporal_end,
        "data_steward": division.steward.name,
        "limitations": dataset.limitations,
        **_approval(dataset),
    }
    if dataset.status == "retired" and (retired := dataset.publication.last("retired")):
        extras["retired_on"] = retired.on
    if dictionary_page_url:
        extras["data_dictionary_url"] = dictionary_page_url
    if quality_report_url:
        extras["quality_report_url"] = quality_report_url
    extras.update(versions or {})
    extras[PUBLISHER_MARKER] = PUBLISHER_NAME  # how a removed dataset is known to be ours
    # a key that is one of CKAN's own package fields ("version") cannot be an extra
    # (CKAN refuses it): it is sent as that field
    core = {k: str(extras.pop(k)) for k in CKAN_CORE_FIELDS if extras.get(k) is not None}
    extras.update(quality or {})
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
