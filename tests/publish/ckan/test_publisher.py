"""The idempotent publisher against the real local CKAN: create, then patch, never duplicate."""

from __future__ import annotations

import pytest
import requests

from publish.ckan.publisher import CkanPublisher, PublishError

pytestmark = pytest.mark.portal


@pytest.fixture
def publisher(sysadmin):
    return CkanPublisher(sysadmin)


def test_publish_twice_creates_once_and_replaces_changed_files(
    publisher, sysadmin, make_organization, run_id, tmp_path
):
    org = make_organization("publisher", "Publisher Test Division")
    package = {
        "name": f"publisher-test-{run_id}",
        "title": "Publisher test",
        "owner_org": org["name"],
        "license_id": "odc-by",
        "private": False,
        "tags": [{"name": "test"}],
        "extras": [{"key": "update_frequency", "value": "daily"}],
    }
    created, action = publisher.upsert_package(package)
    assert action == "created"
    again, action = publisher.upsert_package(package)
    assert (again["id"], action) == (created["id"], "unchanged")
    _, action = publisher.upsert_package({**package, "title": "Publisher test, renamed"})
    assert action == "updated"

    data = tmp_path / "rows.csv"
    data.write_text("ward,n\n1,2\n")
    resource = {"name": "Rows (CSV)", "format": "CSV", "file_suffix": "csv"}
    first, action = publisher.upsert_resource(created, resource, data)
    assert action == "created"
    current = sysadmin.action.package_show(id=created["id"])
    assert publisher.upsert_resource(current, resource, data)[1] == "unchanged"
    data.write_text("ward,n\n1,2\n2,5\n")
    replaced, action = publisher.upsert_resource(current, resource, data)
    assert (replaced["id"], action) == (first["id"], "replaced")
    assert len(sysadmin.action.package_show(id=created["id"])["resources"]) == 1

    fields = [
        {"id": "ward", "type": "int4", "info": {"label": "Ward", "notes": "Ward."}},
        {"id": "n", "type": "int4", "info": {"label": "N", "notes": "Count."}},
    ]
    batches = [[{"ward": 1, "n": 2}], [{"ward": 2, "n": 5}]]
    assert publisher.load_datastore(first["id"], fields, batches) == 2
    assert publisher.load_datastore(first["id"], fields, batches) == 2  # replaced, not added
    assert publisher.datastore_count(first["id"]) == 2
    assert not publisher.sync_datastore_fields(first["id"], fields)  # nothing changed
    fields[0]["info"]["notes"] = "Ward number, 1 to 15."
    assert publisher.sync_datastore_fields(first["id"], fields)
    shown = sysadmin.action.datastore_search(resource_id=first["id"])
    assert shown["total"] == 2
    assert shown["fields"][1]["info"]["notes"] == "Ward number, 1 to 15."


def test_an_upload_streams_from_disk_and_arrives_whole(
    publisher, sysadmin, make_organization, run_id, tmp_path
):
    """The publisher's uploads go through MultipartBody (publish/ckan/multipart.py), not
    requests' in-memory encoding: the portal stores the very bytes, under the file's name."""
    org = make_organization("uploads", "Upload Test Division")
    package, _ = publisher.upsert_package(
        {"name": f"upload-test-{run_id}", "title": "Upload test", "owner_org": org["name"]}
    )
    rows = tmp_path / "pub_rows.csv"
    rows.write_bytes("ward,name\n1,Côte-Saint-Luc\n".encode() * 50_000)  # 1.4 MB
    resource = {"name": "Rows (CSV)", "format": "CSV", "file_suffix": "csv"}
    published, action = publisher.upsert_resource(package, resource, rows)
    assert action == "created" and published["url"].endswith("/download/pub_rows.csv")
    download = requests.get(
        published["url"], headers={"Authorization": sysadmin.apikey}, timeout=60
    )
    assert download.status_code == 200 and download.content == rows.read_bytes()


def test_errors_say_what_we_were_doing(anonymous, run_id):
    with pytest.raises(PublishError, match="creating organization .* may not do this"):
        CkanPublisher(anonymous).ensure_organization(
            {"name": f"nobody-{run_id}", "title": "Nobody", "description": "x"}
        )


def test_a_retired_dataset_stays_on_the_portal_marked_retired(publisher, sysadmin, run_id):
    import dataclasses

    from dagster_project.lib.dictionary import load_dictionary
    from publish.ckan.dataset import retire_dataset
    from publish.ckan.mapping import organization_dict, package_dict

    dictionary = load_dictionary()
    dataset = dataclasses.replace(
        dictionary.datasets["digital_adoption"], id=f"retire_test_{run_id}"
    )
    division = dictionary.divisions[dataset.owner_division]
    publisher.ensure_organization(organization_dict(division))
    created, _ = publisher.upsert_package(package_dict(dataset, division))
    retired = dataclasses.replace(
        dataset,
        publication=dataclasses.replace(
            dataset.publication, status="retired", retirement_note="Superseded."
        ),
    )
    try:
        assert retire_dataset(publisher, retired, division) == "updated"
        shown = sysadmin.action.package_show(id=created["id"])
        assert shown["state"] == "active"
        assert shown["notes"].startswith("**This dataset was retired.** Superseded.")
        never = dataclasses.replace(retired, id=f"never_{run_id}")
        assert retire_dataset(publisher, never, division) == "never published"
    finally:
        sysadmin.action.dataset_purge(id=created["id"])


def test_a_runs_publishers_ask_for_an_organization_once_while_it_stays_as_wanted(sysadmin, run_id):
    """Publishers sharing ``known`` (one run's) ask the portal for an organization once;
    a changed description is still sent."""
    asked = []

    class Counting:
        def __init__(self, client):
            self.client, self.action = client, self

        def __getattr__(self, name):
            asked.append(name)
            return getattr(self.client.action, name)

    known: dict = {}
    org = {"name": f"known-{run_id}", "title": "Known", "description": "first"}
    first = CkanPublisher(Counting(sysadmin), known=known).ensure_organization(org)
    again = CkanPublisher(Counting(sysadmin), known=known).ensure_organization(dict(org))
    assert again["id"] == first["id"]
    assert asked == ["organization_show", "organization_create"]
    changed = CkanPublisher(Counting(sysadmin), known=known).ensure_organization(
        {**org, "description": "second"}
    )
    assert changed["description"] == "second"
    assert asked[2:] == ["organization_show", "organization_patch"]
