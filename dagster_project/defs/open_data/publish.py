"""One publish asset per dataset the governance group approved or retired.

Approved: runs only after the dataset's model passed its blocking quality and privacy
gates, then creates or updates its package, files, DataStore table and data package in
place. Retired: the portal keeps the dataset, marked retired with the group's note.
"""

from datetime import UTC, datetime

import dagster as dg

from dagster_project.lib.dictionary import Dataset, load_dictionary
from dagster_project.lib.exports import export_model, record_batches, row_count
from dagster_project.lib.governance_report import record
from dagster_project.settings import get_settings
from publish.dataset import publish_catalog, publish_dataset, retire_dataset
from publish.publisher import DATASTORE_CHUNK_ROWS

from ..quality.gates import model_key
from ..resources import PortalResource, WarehouseResource


def _sort_column(dataset: Dataset) -> str:
    return next((c.name for c in dataset.columns if c.spec.get("unique")), dataset.columns[0].name)


def build_publish_asset(dataset: Dataset) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey(["portal", dataset.id]),
        deps=[model_key(dataset)],
        group_name="open_data_portal",
        kinds={"ckan"},
        description=f"{dataset['title']} on the open-data portal.",
        metadata={"dictionary": f"data_dictionary/datasets/{dataset.path.name}"},
    )
    def publish(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, portal: PortalResource
    ) -> dg.MaterializeResult:
        dictionary = load_dictionary()  # at run time: the governance group's latest words
        spec = dictionary.datasets[dataset.id].spec
        with warehouse.connection() as conn:
            rows = row_count(conn, dataset.model)
            files = export_model(
                conn, dataset.model, get_settings().export_dir / dataset.id, _sort_column(dataset)
            )
        package, actions = publish_dataset(
            portal.publisher(),
            spec,
            dictionary.divisions[spec["owner_division"]],
            files,
            rows,
            lambda: record_batches(files["parquet"], DATASTORE_CHUNK_ROWS),
            f"{get_settings().dictionary_site_url}/datasets/{dataset.id}.html",
        )
        url = f"{portal.url()}/dataset/{package['name']}"
        record(
            get_settings().gate_reports_dir,
            dataset.id,
            published_at=datetime.now(UTC).isoformat(),
            portal_url=url,
        )
        context.log.info(f"{dataset.id}: {actions} -> {url}")
        return dg.MaterializeResult(
            metadata={
                "url": dg.MetadataValue.url(url),
                "rows": rows,
                **{f"{k}_action": v for k, v in actions.items()},
            }
        )

    return publish


def build_retire_asset(dataset: Dataset) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey(["portal", dataset.id]),
        group_name="open_data_portal",
        kinds={"ckan"},
        description=f"{dataset['title']}: retired, marked so on the portal.",
    )
    def retire(portal: PortalResource) -> dg.MaterializeResult:
        dictionary = load_dictionary()
        spec = dictionary.datasets[dataset.id].spec
        action = retire_dataset(
            portal.publisher(), spec, dictionary.divisions[spec["owner_division"]]
        )
        return dg.MaterializeResult(metadata={"action": action})

    return retire


CATALOG_OWNER = "strategy-performance"


def build_catalog_asset(approved: list[Dataset]) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey(["portal", "open_data_catalog"]),
        group_name="open_data_portal",
        deps=[dg.AssetKey(["portal", d.id]) for d in approved],
        kinds={"ckan"},
        description="data.json: the DCAT-US v1.1 catalog of every published dataset. "
        "Rebuilt when every approved dataset has published in the run.",
    )
    def open_data_catalog(portal: PortalResource) -> dg.MaterializeResult:
        dictionary = load_dictionary()
        listed, action = publish_catalog(
            portal.publisher(),
            [d.spec for d in dictionary.approved_datasets],
            dictionary.divisions,
            CATALOG_OWNER,
            portal.url(),
            get_settings().export_dir / "data.json",
        )
        return dg.MaterializeResult(metadata={"datasets_listed": listed, "action": action})

    return open_data_catalog


@dg.definitions
def publish_assets() -> dg.Definitions:
    datasets = load_dictionary().datasets.values()
    approved = [d for d in datasets if d.status == "approved"]
    return dg.Definitions(
        assets=[
            *[build_publish_asset(d) for d in approved],
            *[build_retire_asset(d) for d in datasets if d.status == "retired"],
            build_catalog_asset(approved),
        ]
    )
