"""Publish one dataset: organization, package, files, DataStore table, data package.

The steps the Dagster publish asset runs, kept out of the asset so they read in order
and can be called from anywhere (a one-off re-publication, a test).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .mapping import (
    datapackage,
    datastore_fields,
    organization_dict,
    package_dict,
    package_name,
    resource_dicts,
)
from .publisher import CkanPublisher, PublishError

DATAPACKAGE_RESOURCE = {
    "name": "Data package (datapackage.json)",
    "format": "JSON",
    "description": "Frictionless Data Package: the data dictionary "
    "(Table Schema) and licence, for tools that read it.",
}


def publish_dataset(
    publisher: CkanPublisher,
    spec: dict[str, Any],
    division: dict[str, Any],
    files: dict[str, Path],
    rows: int,
    batches: Callable[[], Iterable[list[dict]]],
    dictionary_page_url: str | None = None,
) -> tuple[dict, dict[str, str]]:
    """Create or update everything the portal shows for the dataset; return the package
    and what happened to each part (created / updated / replaced / unchanged / loaded)."""
    publisher.ensure_organization(organization_dict(division))
    package, package_action = publisher.upsert_package(
        package_dict(spec, division, dictionary_page_url)
    )
    actions = {"package": package_action}
    csv_url = None
    for resource in resource_dicts(spec):
        published, action = publisher.upsert_resource(
            package, resource, files[resource["file_suffix"]]
        )
        actions[resource["format"]] = action
        if resource["format"] != "CSV":
            continue
        csv_url = published["url"]
        if action != "unchanged" or publisher.datastore_count(published["id"]) != rows:
            publisher.load_datastore(published["id"], datastore_fields(spec), batches())
            actions["datastore"] = "loaded"
        elif publisher.sync_datastore_fields(published["id"], datastore_fields(spec)):
            actions["datastore"] = "data dictionary updated"
        if publisher.datastore_count(published["id"]) != rows:
            raise PublishError(
                f"{spec['dataset']}: the portal's DataStore does not hold the "
                f"{rows} rows the warehouse has"
            )
    package_file = files["csv"].with_name("datapackage.json")
    package_file.write_text(json.dumps(datapackage(spec, division, csv_url), indent=2) + "\n")
    _, actions["datapackage"] = publisher.upsert_resource(
        package, {**DATAPACKAGE_RESOURCE, "file_suffix": "json"}, package_file
    )
    return package, actions


def retire_dataset(publisher: CkanPublisher, spec: dict[str, Any], division: dict[str, Any]) -> str:
    """Mark a retired dataset as retired on the portal; never delete it (links live on)."""
    if publisher.package_exists(package_dict(spec, division)["name"]):
        return publisher.upsert_package(package_dict(spec, division))[1]
    return "never published"


CATALOG_RESOURCE = {
    "name": "data.json (DCAT-US v1.1 catalog)",
    "format": "JSON",
    "file_suffix": "json",
    "description": "Every open dataset of the city, machine-readable, in the "
    "Project Open Data v1.1 (DCAT-US) format.",
}


def publish_catalog(
    publisher: CkanPublisher,
    approved: list[dict[str, Any]],
    divisions: dict[str, dict[str, Any]],
    owner: str,
    portal_url: str,
    out_file: Path,
) -> tuple[int, str]:
    """Build data.json from what the portal holds, validate it, publish it as a resource."""
    from .dcat import catalog, catalog_package_name, dataset_entry, validate

    entries = []
    for spec in approved:
        package = publisher.show_package(package_name(spec["dataset"]))
        if package is not None:  # not yet published (e.g. blocked by its gate): not listed
            entries.append(
                dataset_entry(spec, divisions[spec["owner_division"]], package, portal_url)
            )
    document = catalog(entries)
    validate(document)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(json.dumps(document, indent=2) + "\n")
    holder, _ = publisher.upsert_package(
        {
            "name": catalog_package_name(),
            "title": "Open Data Catalog (data.json)",
            "owner_org": owner,
            "license_id": "cc-zero",
            "private": False,
            "notes": "The list of all the city's open datasets, with their files and contacts, "
            "in the DCAT-US (Project Open Data v1.1) format that catalog harvesters read.",
            "tags": [{"name": "catalog"}, {"name": "metadata"}],
        }
    )
    _, action = publisher.upsert_resource(holder, CATALOG_RESOURCE, out_file)
    return len(entries), action
