"""Publish one dataset: organization, package, files, DataStore table, data package.

The steps the Dagster publish asset runs, kept out of the asset so they read in order
and can be called from anywhere (a one-off re-publication, a test).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

from dagster_project.lib.dictionary import Dataset, Dictionary, Division
from dagster_project.lib.dictionary.render.datastore import datastore_fields
from publish.catalog.datapackage import datapackage
from publish.catalog.dcat import CATALOG_PACKAGE_NAME, catalog, dataset_entry, validate

from .datastore_load import PublishedRows, load_rows
from .mapping import organization_dict, package_dict, package_name, resource_dicts
from .publisher import CkanPublisher, PublishError

DATAPACKAGE_RESOURCE = {
    "name": "Data package (datapackage.json)",
    "format": "JSON",
    "description": "Frictionless Data Package: the data dictionary "
    "(Table Schema) and licence, for tools that read it.",
}


def publish_dataset(
    publisher: CkanPublisher,
    dataset: Dataset,
    division: Division,
    files: dict[str, Path],
    rows: int,
    batches: Callable[[], Iterable[list[dict]]],
    dictionary_page_url: str | None = None,
    quality: dict[str, str] | None = None,
) -> tuple[dict, dict[str, str]]:
    """Create or update everything the portal shows for the dataset; return the package
    and what happened to each part (created / updated / replaced / unchanged / loaded)."""
    publisher.ensure_organization(organization_dict(division))
    package, package_action = publisher.upsert_package(
        package_dict(dataset, division, dictionary_page_url, quality)
    )
    actions = {"package": package_action}
    fields = datastore_fields(dataset)
    key = dataset.key_columns
    csv_url = None
    for resource in resource_dicts(dataset):
        published, action = publisher.upsert_resource(
            package, resource, files[resource["file_suffix"]]
        )
        actions[resource["format"]] = action
        if resource["format"] != "CSV":
            continue
        csv_url = published["url"]
        if action != "unchanged" or publisher.datastore_count(published["id"]) != rows:
            actions["datastore"] = load_rows(
                publisher,
                published["id"],
                fields,
                PublishedRows(files["parquet"], rows, key),
                batches,
            )
        elif publisher.sync_datastore_fields(published["id"], fields):
            actions["datastore"] = "data dictionary updated"
        if publisher.datastore_count(published["id"]) != rows:
            raise PublishError(
                f"{dataset.id}: the portal's DataStore does not hold the "
                f"{rows} rows the warehouse has"
            )
    package_file = files["csv"].with_name("datapackage.json")
    document = datapackage(dataset, division, package_name(dataset.id), csv_url)
    package_file.write_text(json.dumps(document, indent=2) + "\n")
    _, actions["datapackage"] = publisher.upsert_resource(
        package, {**DATAPACKAGE_RESOURCE, "file_suffix": "json"}, package_file
    )
    return package, actions


def retire_dataset(publisher: CkanPublisher, dataset: Dataset, division: Division) -> str:
    """Mark a retired dataset as retired on the portal; never delete it (links live on)."""
    package = package_dict(dataset, division)
    if publisher.package_exists(package["name"]):
        return publisher.upsert_package(package)[1]
    return "never published"


CATALOG_RESOURCE = {
    "name": "data.json (DCAT-US v1.1 catalog)",
    "format": "JSON",
    "file_suffix": "json",
    "description": "Every open dataset of the city, machine-readable, in the "
    "Project Open Data v1.1 (DCAT-US) format.",
}


def publish_catalog(
    publisher: CkanPublisher, dictionary: Dictionary, portal_url: str, out_file: Path
) -> tuple[int, str]:
    """Build data.json from what the portal holds, validate it, publish it as a resource
    of a package owned by the city's catalog owner (``city.yml``)."""
    entries = []
    for dataset in dictionary.approved_datasets:
        package = publisher.show_package(package_name(dataset.id))
        if package is not None:  # not yet published (e.g. blocked by its gate): not listed
            division = dictionary.divisions[dataset.owner_division]
            entries.append(
                dataset_entry(dataset, division, dictionary.city.name, package, portal_url)
            )
    document = catalog(entries)
    validate(document)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(json.dumps(document, indent=2) + "\n")
    # the catalog owner may publish no dataset of its own (a new city's governance group)
    publisher.ensure_organization(
        organization_dict(dictionary.divisions[dictionary.city.catalog_owner])
    )
    holder, _ = publisher.upsert_package(
        {
            "name": CATALOG_PACKAGE_NAME,
            "title": "Open Data Catalog (data.json)",
            "owner_org": dictionary.city.catalog_owner,
            "license_id": "cc-zero",
            "private": False,
            "notes": "The list of all the city's open datasets, with their files and contacts, "
            "in the DCAT-US (Project Open Data v1.1) format that catalog harvesters read.",
            "tags": [{"name": "catalog"}, {"name": "metadata"}],
        }
    )
    _, action = publisher.upsert_resource(holder, CATALOG_RESOURCE, out_file)
    return len(entries), action
