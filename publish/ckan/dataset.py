"""Publish one dataset: organization, package, files, DataStore table, data package.

The steps the Dagster publish asset runs, kept out of the asset so they read in order
and can be called from anywhere (a one-off re-publication, a test).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from concurrent import futures
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dagster_project.lib.dictionary import Dataset, Dictionary, Division
from dagster_project.lib.dictionary.render.datastore import datastore_fields
from publish.catalog.datapackage import datapackage
from publish.catalog.dcat import LEGACY_CATALOG_PACKAGE, catalog, dataset_entry, validate

from .datastore_load import PublishedRows, load_rows, upload_while_loading
from .mapping import organization_dict, package_dict, package_name, resource_dicts
from .publisher import CkanPublisher, PublishError
from .retirement import approved_packages, retention_over
from .site_files import sync_site_files
from .versions import (
    Versioning,
    archive_before_comparing,
    archive_superseded_csv,
    drop_archive_of_current,
    finish_version,
    pending_version,
    version_extras,
)
from .views import wanted_views

VERSION_KEYS = ("version", "changelog", "previous_versions", "data_last_updated")

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
    *,  # the optional parts by name: several branches added them, an order is easy to miss
    dictionary_page_url: str | None = None,
    quality_report_url: str | None = None,
    versioning: Versioning | None = None,
    quality: dict[str, str] | None = None,
) -> tuple[dict, dict[str, str]]:
    """Create or update everything the portal shows for the dataset; return the package
    and what happened to each part (created / updated / replaced / unchanged / loaded).
    With ``versioning``, a publication that changes the data or its dictionary entry
    records a version, keeps the superseded CSV and shows the changelog."""
    publisher.ensure_organization(organization_dict(division))
    history = versioning.history if versioning is not None else None
    recorded = history.versions() if history is not None else []
    # The comparison with the last publication (the version's rows added, changed and
    # removed; the DataStore's delta is the same comparison, remembered) runs on a thread
    # while the portal takes the files: DuckDB scans the two exports in this process
    # while CKAN reads the upload in its own. One after the other they took 1.4 s and
    # 1.3 s for a scale-20 city's 311 requests (10M: over 10 s each).
    with futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="compare") as pool:
        comparing = pool.submit(pending_version, dataset, files, versioning)
        # A package the portal has keeps its version's facts until its files are sent:
        # the new version's (and the link to the file it supersedes, archived below) go
        # in one update at the end (``finish_version``), not in two (each rewrites the
        # package and its search index: 0.2 s a changed dataset). A new package is made
        # with the versions recorded so far; the end's update adds this one's.
        package, package_action = publisher.upsert_package(
            package_dict(
                dataset,
                division,
                dictionary_page_url,
                quality_report_url,
                versions=version_extras(recorded),
                quality=quality,
            ),
            keep=VERSION_KEYS if versioning is not None else (),
        )
        actions = {"package": package_action}
        archived_early = archive_before_comparing(
            publisher, package, dataset, versioning, recorded, files["csv"], actions
        )
        if not archived_early:  # whether a version is superseded is the comparison's word
            pending, _ = comparing.result()
            superseded_csv = history is not None and history.published_csv.exists()
            if pending is not None and pending.data_changed and recorded and superseded_csv:
                actions["previous_version"] = archive_superseded_csv(
                    publisher, package, dataset, history, recorded[-1]
                )
        try:
            csv_url = _publish_files(publisher, package, dataset, files, rows, batches, actions)
        except BaseException as failed:
            try:  # no version follows: a CSV kept ahead for an unchanged one goes
                if history is not None and not comparing.exception() and not _changed(comparing):
                    drop_archive_of_current(publisher, history, actions)
            except Exception as also:  # noqa: BLE001 (the first failure is the one to see)
                failed.add_note(f"(the superseded CSV kept ahead was not removed: {also})")
            raise
        try:
            pending, _ = comparing.result()
        except Exception as failed:
            failed.add_note(
                f"{dataset.id}: its files and DataStore table were sent before the "
                "comparison failed; the next publication records the version"
            )
            raise
    if history is not None and (pending is None or not pending.data_changed):
        # the superseded CSV kept ahead of the comparison (this run's, or one a stopped
        # run left) while the data did not change: the current version is not a previous one
        drop_archive_of_current(publisher, history, actions)
    package_file = files["csv"].with_name("datapackage.json")
    document = datapackage(dataset, division, package_name(dataset.id), csv_url)
    package_file.write_text(json.dumps(document, indent=2) + "\n")
    _, actions["datapackage"] = publisher.upsert_resource(
        package, {**DATAPACKAGE_RESOURCE, "file_suffix": "json"}, package_file
    )
    if versioning is not None:
        package = finish_version(publisher, package, dataset, division, dictionary_page_url,
                                 files, versioning, pending, actions)  # fmt: skip
    return package, actions


def _changed(comparing: futures.Future) -> bool:
    pending, _ = comparing.result()
    return pending is not None and pending.data_changed


def _publish_files(
    publisher: CkanPublisher,
    package: dict,
    dataset: Dataset,
    files: dict[str, Path],
    rows: int,
    batches: Callable[[], Iterable[list[dict]]],
    actions: dict[str, str],
) -> str | None:
    """Send the CSV (its DataStore table loaded beside the upload, then checked, with
    its views) and the Parquet file; return the CSV's download URL."""
    fields = datastore_fields(dataset)
    key = dataset.key_columns
    csv_url = None
    for resource in resource_dicts(dataset):
        path = files[resource["file_suffix"]]
        if resource["format"] != "CSV":
            _, actions[resource["format"]] = publisher.upsert_resource(package, resource, path)
            continue
        published_rows = PublishedRows(files["parquet"], rows, key)
        published, action, loaded = upload_while_loading(
            publisher, package, resource, path, fields, published_rows, batches
        )
        actions["CSV"] = action
        csv_url = published["url"]
        if loaded is not None:
            actions["datastore"] = loaded
        elif (
            action != "unchanged"
            or publisher.datastore_count(published["id"]) != rows
            or not published_rows.sent_already()
        ):
            actions["datastore"] = load_rows(
                publisher, published["id"], fields, published_rows, batches
            )
        elif publisher.sync_datastore_fields(published["id"], fields):
            actions["datastore"] = "data dictionary updated"
        if publisher.datastore_count(published["id"]) != rows:
            raise PublishError(
                f"{dataset.id}: the portal's DataStore does not hold the "
                f"{rows} rows the warehouse has"
            )
        # a table preview, and the dictionary's charts, on the DataStore table
        views = publisher.ensure_views(published["id"], wanted_views(dataset))
        # "unchanged" as one word when no view changed: the run summary counts any other
        # action as a change
        changed_views = {t: a for t, a in views.items() if a != "unchanged"}
        actions["views"] = (
            ", ".join(f"{t}: {a}" for t, a in changed_views.items())
            if changed_views
            else "unchanged"
        )
    return csv_url


def retire_dataset(
    publisher: CkanPublisher,
    dataset: Dataset,
    division: Division,
    retention: timedelta | None = None,
    now: datetime | None = None,
) -> str:
    """Mark a retired dataset as retired on the portal (its links live on); with a
    ``retention``, delete it once that long has passed since the day it was retired."""
    package = package_dict(dataset, division)
    current = publisher.show_package(package["name"])
    if current is None or current.get("state") == "deleted":
        return "never published" if current is None else "deleted"
    retired = dataset.publication.last("retired")
    when = now or datetime.now(UTC)
    if retention is not None and retention_over(retired and retired.on, retention, when):
        publisher.delete_package(package["name"])
        return "deleted (retention over)"
    # the changelog and previous files stay readable while the dataset is retired, as
    # the portal has them ("version" is CKAN's own field: sent as an extra, a CKAN
    # without the city's dataset schema refused it)
    return publisher.upsert_package(package, keep=VERSION_KEYS)[1]


def publish_catalog(
    publisher: CkanPublisher, dictionary: Dictionary, portal_url: str, out_file: Path
) -> tuple[int, str]:
    """Build data.json from what the portal holds, validate it and send it to the portal,
    which serves it at ``/data.json`` (where harvesters look), not as a dataset."""
    entries = []
    packages = approved_packages(publisher, dictionary)
    for dataset in dictionary.approved_datasets:
        package = packages[dataset.id]
        if listed_in_catalog(package):
            division = dictionary.divisions[dataset.owner_division]
            entries.append(
                dataset_entry(dataset, division, dictionary.city.name, package, portal_url)
            )
    document = catalog(entries)
    validate(document)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(json.dumps(document, indent=2) + "\n")
    sent = sync_site_files(publisher, "catalog", {"data.json": out_file})
    remove_catalog_package(publisher)
    return len(entries), "sent" if sent.sent else "unchanged"


def listed_in_catalog(package: dict | None) -> bool:
    """Whether data.json lists the dataset whose package the portal holds: a public,
    active one (None: not there yet, e.g. blocked by its gate; private: withdrawn by a
    privacy gate, which the public catalog must not point to either). The quality
    score's accessibility counts the same listing, from the same packages, before this
    run's catalog is written."""
    return package is not None and package.get("state") == "active" and not package.get("private")


def remove_catalog_package(publisher: CkanPublisher) -> bool:
    """Earlier versions published data.json as a dataset, listed first among the city's
    datasets; it is served at /data.json now, so that package goes (purged: a deleted one
    would still show to sysadmins and keep its name taken)."""
    if publisher.show_package(LEGACY_CATALOG_PACKAGE) is None:
        return False
    publisher.call("dataset_purge", "removing the old catalog dataset", id=LEGACY_CATALOG_PACKAGE)
    return True
