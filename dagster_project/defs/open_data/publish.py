"""One publish asset per dataset the governance group approved, retired or drafted.

Approved: runs only after the dataset's model passed its blocking quality and privacy
gates, then creates or updates its package, files, DataStore table and data package in
place; when the portal already has these very rows under these very rules, it sends
nothing and says "unchanged". Retired: the portal keeps the dataset, marked retired
with the group's note. Draft: a package a draft still has on the portal (its approval was
withdrawn) is made private, with the reason (publish/ckan/withdrawal.py).
A dataset whose dictionary entry is invalid gets an asset that fails with the entry's
problems: that dataset is blocked, every other one publishes.
"""

from datetime import UTC, datetime, timedelta

import dagster as dg

from dagster_project.lib.dictionary import Dataset, load_dictionary
from dagster_project.lib.exports import export_model, record_batches, row_count
from dagster_project.lib.gates.results import GateResults
from dagster_project.lib.incremental import published_version
from dagster_project.lib.ingest.loader import systems_waiting
from dagster_project.lib.quality_score import latest_extras
from dagster_project.lib.versions import VersionHistory
from dagster_project.settings import get_settings
from publish.ckan.dataset import publish_catalog, publish_dataset, retire_dataset
from publish.ckan.mapping import package_name
from publish.ckan.publisher import DATASTORE_CHUNK_ROWS
from publish.ckan.retirement import our_packages, removed_from_dictionary, retire_removed
from publish.ckan.versions import Versioning, expired_archives, tidy_previous_versions
from publish.ckan.withdrawal import withdraw_draft

from ..blocked import blocked_asset
from ..quality.gates import model_key
from ..resources import PortalResource, WarehouseResource
from .site import (
    build_dictionary_site_asset,
    build_quality_reports_asset,
    dictionary_page_url,
    quality_report_url,
)

GROUP = "open_data_portal"


def portal_key(dataset_id: str) -> dg.AssetKey:
    return dg.AssetKey(["portal", dataset_id])


def build_publish_asset(dataset: Dataset) -> dg.AssetsDefinition:
    @dg.asset(
        key=portal_key(dataset.id),
        deps=[model_key(dataset.id)],
        group_name=GROUP,
        kinds={"ckan"},
        description=f"{dataset.title} on the open-data portal.",
        metadata={"dictionary": f"data_dictionary/datasets/{dataset.path.name}"},
    )
    def publish(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, portal: PortalResource
    ) -> dg.MaterializeResult:
        dictionary = load_dictionary(strict=False)  # the governance group's latest words
        current = _current_entry(dictionary, dataset.id)
        settings = get_settings()
        with warehouse.connection() as conn:
            silent = systems_waiting(conn, list(current.source_systems))
            if silent:  # half its inputs would publish a misleading dataset: wait
                context.log.info(f"{current.id}: waiting for the first delivery from {silent}")
                return dg.MaterializeResult(metadata={"waiting_for": ", ".join(silent)})
            version = published_version(conn, current.model)
            versioning = Versioning(
                VersionHistory(settings.versions_dir, current.id),
                timedelta(days=dictionary.city.previous_versions_retention_days),
            )
            if unchanged := _already_published(portal, settings, current, version):
                _tidy_when_due(portal, dictionary, current, settings, versioning)
                context.log.info(f"{current.id}: unchanged, as published {unchanged}")
                return unchanged
            rows = row_count(conn, current.model)
            files = export_model(
                conn, current.model, settings.export_dir / current.id, current.key_columns
            )
            quality = latest_extras(conn, current.id)
        publisher = portal.publisher()
        package, actions = publish_dataset(
            publisher,
            current,
            dictionary.divisions[current.owner_division],
            files,
            rows,
            lambda: record_batches(files["parquet"], DATASTORE_CHUNK_ROWS),
            dictionary_page_url=dictionary_page_url(portal.url(), current.id),
            quality_report_url=quality_report_url(portal.url(), current.id),
            versioning=versioning,
            quality=quality,
        )
        url = f"{portal.url()}/dataset/{package['name']}"
        GateResults(settings.gate_reports_dir).record_publication(current.id, url, version=version)
        context.log.info(f"{current.id}: {actions} -> {url}")
        return dg.MaterializeResult(
            metadata={
                "url": dg.MetadataValue.url(url),
                "rows": rows,
                **{f"{k}_action": v for k, v in actions.items()},
                "datastore_load_s": round(publisher.datastore_seconds, 3),
            }
        )

    return publish


def _already_published(
    portal: PortalResource, settings, dataset: Dataset, version: str
) -> dg.MaterializeResult | None:
    """The portal has these very rows under these very rules (same dictionary, suites and
    code) and the dataset is still public there: nothing to send."""
    record = GateResults(settings.gate_reports_dir).get(dataset.id)
    if record is None or record.published_version != version:
        return None
    package = portal.publisher().show_package(package_name(dataset.id))
    if package is None or package.get("private") or package.get("state") != "active":
        return None  # deleted or withdrawn on the portal since: publish again
    url = f"{portal.url()}/dataset/{package['name']}"
    return dg.MaterializeResult(
        metadata={
            "url": dg.MetadataValue.url(url),
            "rows": int(version.split(":")[0]),
            "package_action": "unchanged",
            "sent_again": False,
        },
        data_version=dg.DataVersion(version),
    )


def _tidy_when_due(portal, dictionary, dataset: Dataset, settings, versioning) -> None:
    """Superseded files past their retention go even when the data did not change."""
    if not expired_archives(versioning.history, versioning.retention, versioning.clock()):
        return
    publisher = portal.publisher()
    package = publisher.show_package(package_name(dataset.id))
    tidy_previous_versions(
        publisher, package, dataset, dictionary.divisions[dataset.owner_division],
        dictionary_page_url(portal.url(), dataset.id), versioning, {},
    )  # fmt: skip


def _current_entry(dictionary, dataset_id: str) -> Dataset:
    """The entry as it is now; an entry broken since the code location loaded blocks."""
    if dataset_id in dictionary.invalid_datasets:
        raise dg.Failure(
            description=f"{dataset_id}: its dictionary entry has problems",
            metadata={"problems": "\n".join(dictionary.invalid_datasets[dataset_id])},
        )
    return dictionary.datasets[dataset_id]


def build_retire_asset(dataset: Dataset) -> dg.AssetsDefinition:
    @dg.asset(
        key=portal_key(dataset.id),
        group_name=GROUP,
        kinds={"ckan"},
        description=f"{dataset.title}: retired, marked so on the portal.",
    )
    def retire(portal: PortalResource) -> dg.MaterializeResult:
        dictionary = load_dictionary(strict=False)
        current = _current_entry(dictionary, dataset.id)
        action = retire_dataset(
            portal.publisher(),
            current,
            dictionary.divisions[current.owner_division],
            timedelta(days=dictionary.city.retired_dataset_retention_days),
        )
        return dg.MaterializeResult(metadata={"action": action})

    return retire


def build_withdraw_asset(dataset: Dataset) -> dg.AssetsDefinition:
    @dg.asset(
        key=portal_key(dataset.id),
        group_name=GROUP,
        kinds={"ckan"},
        description=f"{dataset.title}: a draft, not published; made private on the portal "
        "if it was published before its approval was withdrawn.",
    )
    def withdraw(portal: PortalResource) -> dg.MaterializeResult:
        current = _current_entry(load_dictionary(strict=False), dataset.id)
        return dg.MaterializeResult(
            metadata={"action": withdraw_draft(portal.publisher(), current)}
        )

    return withdraw


def build_removed_asset() -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey(["portal", "removed_datasets"]),
        group_name=GROUP,
        kinds={"ckan"},
        description="Datasets of ours on the portal whose dictionary entry was deleted: "
        "marked retired, deleted after the city's retention.",
    )
    def removed_datasets(portal: PortalResource) -> dg.MaterializeResult:
        dictionary = load_dictionary(strict=False)
        publisher = portal.publisher()
        retention = timedelta(days=dictionary.city.retired_dataset_retention_days)
        now = datetime.now(UTC)
        actions = {
            package["name"]: retire_removed(publisher, package, retention, now)
            for package in removed_from_dictionary(our_packages(publisher), dictionary)
        }
        return dg.MaterializeResult(metadata={"removed": len(actions), **actions})

    return removed_datasets


def build_catalog_asset(approved: list[Dataset]) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey(["portal", "open_data_catalog"]),
        group_name=GROUP,
        deps=[portal_key(d.id) for d in approved],
        kinds={"ckan"},
        description="data.json: the DCAT-US v1.1 catalog of every published dataset, "
        "served by the portal at /data.json. Rebuilt when every approved dataset has "
        "published in the run.",
    )
    def open_data_catalog(portal: PortalResource) -> dg.MaterializeResult:
        listed, action = publish_catalog(
            portal.publisher(),
            load_dictionary(strict=False),
            portal.url(),
            get_settings().export_dir / "data.json",
        )
        return dg.MaterializeResult(metadata={"datasets_listed": listed, "action": action})

    return open_data_catalog


@dg.definitions
def publish_assets() -> dg.Definitions:
    dictionary = load_dictionary(strict=False)
    datasets = dictionary.datasets.values()
    approved = [d for d in datasets if d.is_approved]
    return dg.Definitions(
        assets=[
            *[build_publish_asset(d) for d in approved],
            *[build_retire_asset(d) for d in datasets if d.status == "retired"],
            *[build_withdraw_asset(d) for d in datasets if d.status == "draft"],
            *[
                blocked_asset(portal_key(name), GROUP, "ckan", f"{name} is not published", problems)
                for name, problems in dictionary.invalid_datasets.items()
            ],
            build_catalog_asset(approved),
            build_dictionary_site_asset([portal_key(d.id) for d in approved]),
            build_quality_reports_asset([portal_key(d.id) for d in approved]),
            build_removed_asset(),
        ]
    )
