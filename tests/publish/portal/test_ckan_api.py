"""The local portal is a real CKAN: organizations, datasets, uploads, privacy, DataStore."""

from __future__ import annotations

import hashlib
import os

import ckanapi
import pytest
import requests

pytestmark = pytest.mark.portal

FIVE_MB = 5 * 1024 * 1024


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def dataset(sysadmin, organization, run_id, request):
    name = f"{request.node.name[:40].replace('_', '-')}-{run_id}".lower()
    return sysadmin.action.package_create(
        name=name,
        title="Service requests (311), test copy",
        owner_org=organization["id"],
        notes="Every 311 service request, one row per request.",
        license_id="odc-by",
        tags=[{"name": "311"}, {"name": "service-requests"}],
        extras=[
            {"key": "update_frequency", "value": "daily"},
            {"key": "steward", "value": "Customer Service division"},
        ],
    )


def test_organization_create_and_show(sysadmin, organization):
    shown = sysadmin.action.organization_show(id=organization["name"])
    assert shown["title"] == "Open Data Test Division"
    assert shown["is_organization"] is True


def test_package_create_keeps_tags_and_extras(sysadmin, dataset):
    shown = sysadmin.action.package_show(id=dataset["name"])
    assert sorted(tag["name"] for tag in shown["tags"]) == ["311", "service-requests"]
    # a fact named like a field of the city's dataset schema is that field (extras_fields.py)
    assert shown["update_frequency"] == "daily"
    assert {extra["key"]: extra["value"] for extra in shown["extras"]} == {
        "steward": "Customer Service division",
    }
    assert shown["organization"]["name"].startswith("test-division-")


def test_upload_5mb_then_download_byte_identical(sysadmin, dataset, tmp_path):
    payload = os.urandom(FIVE_MB)
    upload = tmp_path / "requests.csv"
    upload.write_bytes(payload)
    with upload.open("rb") as handle:
        resource = sysadmin.action.resource_create(
            package_id=dataset["id"], name="All requests (CSV)", format="CSV", upload=handle
        )
    assert resource["url_type"] == "upload"
    assert resource["url"].startswith(sysadmin.address)  # built from ckan.site_url
    downloaded = requests.get(resource["url"], timeout=60)
    assert downloaded.status_code == 200
    assert sha256(downloaded.content) == sha256(payload)


def test_package_and_resource_patch_replaces_the_file(sysadmin, dataset, tmp_path):
    first, second = tmp_path / "v1.csv", tmp_path / "v2.csv"
    first.write_text("ward,requests\n1,10\n")
    second.write_text("ward,requests\n1,10\n2,20\n")
    with first.open("rb") as handle:
        resource = sysadmin.action.resource_create(
            package_id=dataset["id"], name="By ward", format="CSV", upload=handle
        )
    with second.open("rb") as handle:
        patched = sysadmin.action.resource_patch(
            id=resource["id"], upload=handle, description="Requests per ward"
        )
    assert patched["id"] == resource["id"]
    assert patched["description"] == "Requests per ward"
    assert requests.get(patched["url"], timeout=30).content == second.read_bytes()

    sysadmin.action.package_patch(id=dataset["id"], title="Service requests (311), renamed")
    shown = sysadmin.action.package_show(id=dataset["id"])
    assert shown["title"] == "Service requests (311), renamed"
    assert [res["id"] for res in shown["resources"]] == [resource["id"]]  # nothing duplicated


def test_private_dataset_is_hidden_from_the_public(sysadmin, anonymous, organization, run_id):
    private = sysadmin.action.package_create(
        name=f"private-draft-{run_id}",
        title="Unreleased inspections",
        private=True,
        owner_org=organization["id"],
    )
    with pytest.raises(ckanapi.NotAuthorized):
        anonymous.action.package_show(id=private["name"])
    public_names = [
        d["name"]
        for d in anonymous.action.package_search(q="Unreleased", include_private=True, rows=100)[
            "results"
        ]
    ]
    assert private["name"] not in public_names
    admin_names = [
        d["name"]
        for d in sysadmin.action.package_search(q="Unreleased", include_private=True, rows=100)[
            "results"
        ]
    ]
    assert private["name"] in admin_names
    assert sysadmin.action.package_show(id=private["name"])["private"] is True


def test_datastore_create_search_upsert_with_field_descriptions(sysadmin, anonymous, dataset):
    resource = sysadmin.action.resource_create(
        package_id=dataset["id"], name="Requests table", url="", format="CSV"
    )
    fields = [
        {
            "id": "request_id",
            "type": "text",
            "info": {"label": "Request ID", "notes": "Identifier given by the 311 CRM."},
        },
        {
            "id": "ward",
            "type": "int",
            "info": {"label": "Ward", "notes": "City ward (1-15) where the request was made."},
        },
        {
            "id": "status",
            "type": "text",
            "info": {"label": "Status", "notes": "Open, In progress or Closed."},
        },
    ]
    sysadmin.action.datastore_create(
        resource_id=resource["id"],
        fields=fields,
        primary_key=["request_id"],
        force=True,
        records=[
            {"request_id": "SR-1", "ward": 3, "status": "Open"},
            {"request_id": "SR-2", "ward": 7, "status": "Closed"},
        ],
    )
    sysadmin.action.datastore_upsert(
        resource_id=resource["id"],
        method="upsert",
        force=True,
        records=[
            {"request_id": "SR-1", "ward": 3, "status": "Closed"},
            {"request_id": "SR-3", "ward": 12, "status": "Open"},
        ],
    )

    result = anonymous.action.datastore_search(resource_id=resource["id"], sort="request_id")
    assert result["total"] == 3
    assert [(r["request_id"], r["status"]) for r in result["records"]] == [
        ("SR-1", "Closed"),
        ("SR-2", "Closed"),
        ("SR-3", "Open"),
    ]
    info = {field["id"]: field.get("info") for field in result["fields"]}
    assert info["ward"] == {
        "label": "Ward",
        "notes": "City ward (1-15) where the request was made.",
    }
    assert info["request_id"]["label"] == "Request ID"

    filtered = anonymous.action.datastore_search(
        resource_id=resource["id"], filters={"status": "Open"}
    )
    assert [r["request_id"] for r in filtered["records"]] == ["SR-3"]
    assert sysadmin.action.resource_show(id=resource["id"])["datastore_active"] is True
