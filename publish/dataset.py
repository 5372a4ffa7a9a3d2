"""Publish one dataset: organization, package, files, DataStore table, data package.

The steps the Dagster publish asset runs, kept out of the asset so they read in order
and can be called from anywhere (a one-off re-publication, a test).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .mapping import datapackage, datastore_fields, organization_dict, package_dict, resource_dicts
from .publisher import CkanPublisher, PublishError

DATAPACKAGE_RESOURCE = {"name": "Data package (datapackage.json)", "format": "JSON",
                        "description": "Frictionless Data Package: the data dictionary "
                                       "(Table Schema) and licence, for tools that read it."}


def publish_dataset(publisher: CkanPublisher, spec: dict[str, Any], division: dict[str, Any],
                    files: dict[str, Path], rows: int,
                    batches: Callable[[], Iterable[list[dict]]]) -> tuple[dict, dict[str, str]]:
    """Create or update everything the portal shows for the dataset; return the package
    and what happened to each part (created / updated / replaced / unchanged / loaded)."""
    publisher.ensure_organization(organization_dict(division))
    package, package_action = publisher.upsert_package(package_dict(spec, division))
    actions = {"package": package_action}
    csv_url = None
    for resource in resource_dicts(spec):
        published, action = publisher.upsert_resource(
            package, resource, files[resource["file_suffix"]])
        actions[resource["format"]] = action
        if resource["format"] != "CSV":
            continue
        csv_url = published["url"]
        if action != "unchanged" or publisher.datastore_count(published["id"]) != rows:
            publisher.load_datastore(published["id"], datastore_fields(spec), batches())
            actions["datastore"] = "loaded"
        if publisher.datastore_count(published["id"]) != rows:
            raise PublishError(f"{spec['dataset']}: the portal's DataStore does not hold the "
                               f"{rows} rows the warehouse has")
    package_file = files["csv"].with_name("datapackage.json")
    package_file.write_text(json.dumps(datapackage(spec, division, csv_url), indent=2) + "\n")
    _, actions["datapackage"] = publisher.upsert_resource(
        package, {**DATAPACKAGE_RESOURCE, "file_suffix": "json"}, package_file)
    return package, actions


def retire_dataset(publisher: CkanPublisher, spec: dict[str, Any],
                   division: dict[str, Any]) -> str:
    """Mark a retired dataset as retired on the portal; never delete it (links live on)."""
    if publisher.package_exists(package_dict(spec, division)["name"]):
        return publisher.upsert_package(package_dict(spec, division))[1]
    return "never published"
