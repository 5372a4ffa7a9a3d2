"""One publish asset per approved dataset: metadata, files and data dictionary to CKAN.

Runs only after the dataset's model passed its blocking quality and privacy gates.
Publishing again updates the same package and resources in place.
"""

import dagster as dg

from dagster_project.lib.dictionary import Dataset, load_dictionary
from dagster_project.lib.exports import export_model, record_batches, row_count
from dagster_project.settings import get_settings
from publish.mapping import datastore_fields, organization_dict, package_dict, resource_dicts
from publish.publisher import DATASTORE_CHUNK_ROWS, PublishError

from ..quality.gates import model_key
from ..resources import PortalResource, WarehouseResource


def _sort_column(dataset: Dataset) -> str:
    return next((c.name for c in dataset.columns if c.spec.get("unique")),
                dataset.columns[0].name)


def build_publish_asset(dataset: Dataset) -> dg.AssetsDefinition:
    @dg.asset(key=dg.AssetKey(["portal", dataset.id]), deps=[model_key(dataset)],
              group_name="open_data_portal", kinds={"ckan"},
              description=f"{dataset['title']} on the open-data portal.",
              metadata={"dictionary": f"data_dictionary/datasets/{dataset.path.name}"})
    def publish(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                portal: PortalResource) -> dg.MaterializeResult:
        dictionary = load_dictionary()
        spec, division = dictionary.datasets[dataset.id].spec, \
            dictionary.divisions[dataset["owner_division"]]
        with warehouse.connection() as conn:
            rows = row_count(conn, dataset.model)
            files = export_model(conn, dataset.model,
                                 get_settings().export_dir / dataset.id, _sort_column(dataset))
        publisher = portal.publisher()
        publisher.ensure_organization(organization_dict(division))
        package, package_action = publisher.upsert_package(package_dict(spec, division))
        actions = {"package": package_action}
        for resource in resource_dicts(spec):
            published, action = publisher.upsert_resource(
                package, resource, files[resource["file_suffix"]])
            actions[resource["format"]] = action
            if resource["format"] == "CSV" and (
                    action != "unchanged" or publisher.datastore_count(published["id"]) != rows):
                publisher.load_datastore(published["id"], datastore_fields(spec),
                                         record_batches(files["parquet"], DATASTORE_CHUNK_ROWS))
                actions["datastore"] = "loaded"
            if resource["format"] == "CSV" and publisher.datastore_count(published["id"]) != rows:
                raise PublishError(f"{dataset.id}: the portal's DataStore does not hold the "
                                   f"{rows} rows the warehouse has")
        url = f"{portal.url()}/dataset/{package['name']}"
        context.log.info(f"{dataset.id}: {actions} -> {url}")
        return dg.MaterializeResult(metadata={"url": dg.MetadataValue.url(url), "rows": rows,
                                              **{f"{k}_action": v for k, v in actions.items()}})

    return publish


@dg.definitions
def publish_assets() -> dg.Definitions:
    return dg.Definitions(assets=[build_publish_asset(d)
                                  for d in load_dictionary().approved_datasets])
