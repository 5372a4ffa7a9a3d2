"""The portal's site files (our ``city_site`` plugin) on the real local CKAN: stored by
a sysadmin only, served at fixed addresses with the right content types, synced by the
pipeline sending only what changed.

Each test works in a folder of its own (``test-<run id>/``) of the dictionary area, so
the site a demo published stays as it is.
"""

from __future__ import annotations

import ckanapi
import pytest
import requests

from publish.ckan.publisher import CkanPublisher
from publish.ckan.site_files import folder_files, site_url, sync_site_files

pytestmark = pytest.mark.portal


@pytest.fixture
def folder(run_id, request, sysadmin):
    name = f"test-{run_id}-{request.node.name[5:30].replace('_', '-')}"
    yield name
    held = sysadmin.action.city_site_file_list(area="dictionary")
    for path in held:
        if path.startswith(f"{name}/"):
            sysadmin.action.city_site_file_delete(area="dictionary", path=path)


def put(client, path: str, data: bytes, tmp_path, area: str = "dictionary"):
    local = tmp_path / "upload"
    local.write_bytes(data)
    with local.open("rb") as upload:
        return client.action.city_site_file_put(area=area, path=path, upload=upload)


def test_a_sysadmin_stores_a_page_the_portal_serves_as_html(portal, sysadmin, folder, tmp_path):
    stored = put(sysadmin, f"{folder}/datasets/a.html", b"<h1>Column meanings</h1>", tmp_path)
    assert stored["size"] == 24
    response = requests.get(f"{portal.url}/dictionary/{folder}/datasets/a.html", timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.text == "<h1>Column meanings</h1>"
    listed = sysadmin.action.city_site_file_list(area="dictionary")
    assert listed[f"{folder}/datasets/a.html"] == stored["sha256"]


def test_anonymous_visitors_may_read_but_not_store_or_list(portal, anonymous, folder, tmp_path):
    with pytest.raises(ckanapi.NotAuthorized):
        put(anonymous, f"{folder}/index.html", b"<h1>defaced</h1>", tmp_path)
    with pytest.raises(ckanapi.NotAuthorized):
        anonymous.action.city_site_file_list(area="dictionary")
    with pytest.raises(ckanapi.NotAuthorized):
        anonymous.action.city_site_file_delete(area="dictionary", path=f"{folder}/index.html")
    missing = requests.get(f"{portal.url}/dictionary/{folder}/index.html", timeout=30)
    assert missing.status_code == 404


@pytest.mark.parametrize("path", ["../api_token", "/etc/passwd", "a/../../b.html", ".hidden"])
def test_paths_outside_the_area_are_refused(sysadmin, tmp_path, path):
    with pytest.raises(ckanapi.ValidationError):
        put(sysadmin, path, b"x", tmp_path)


def test_unknown_areas_are_refused(sysadmin, tmp_path):
    with pytest.raises(ckanapi.ValidationError):
        put(sysadmin, "x.html", b"x", tmp_path, area="storage")


def test_the_dictionary_address_without_a_slash_redirects_to_its_index(portal):
    response = requests.get(f"{portal.url}/dictionary", timeout=30, allow_redirects=False)
    assert response.status_code in (301, 302, 308)
    assert response.headers["Location"].endswith("/dictionary/")


def test_a_sync_sends_only_changed_files_and_removes_unwanted_ones(
    portal, sysadmin, folder, tmp_path
):
    site = tmp_path / "site" / folder
    (site / "datasets").mkdir(parents=True)
    (site / "index.html").write_text("<a href='datasets/a.html'>A</a>")
    (site / "datasets" / "a.html").write_text("<h1>A</h1>")
    (site / "datasets" / "b.html").write_text("<h1>B</h1>")
    publisher = CkanPublisher(sysadmin)

    def sync():
        files = {f"{folder}/{p}": f for p, f in folder_files(site).items()}
        return sync_site_files(publisher, "dictionary", files, within=f"{folder}/")

    assert len(sync().sent) == 3
    again = sync()
    assert (again.sent, again.removed, len(again.unchanged)) == ([], [], 3)
    (site / "datasets" / "a.html").write_text("<h1>A, corrected</h1>")
    (site / "datasets" / "b.html").unlink()
    changed = sync()
    assert changed.sent == [f"{folder}/datasets/a.html"]
    assert changed.removed == [f"{folder}/datasets/b.html"]
    served = requests.get(
        site_url(portal.url, "dictionary", f"{folder}/datasets/a.html"), timeout=30
    )
    assert served.text == "<h1>A, corrected</h1>"
    gone = requests.get(site_url(portal.url, "dictionary", f"{folder}/datasets/b.html"), timeout=30)
    assert gone.status_code == 404


def test_a_sync_refuses_files_outside_its_folder(sysadmin, tmp_path):
    with pytest.raises(ValueError, match="not within"):
        sync_site_files(
            CkanPublisher(sysadmin), "dictionary", {"index.html": tmp_path}, within="test-x/"
        )


def test_the_catalog_dataset_of_earlier_versions_is_removed(sysadmin, make_organization):
    from publish.catalog.dcat import LEGACY_CATALOG_PACKAGE
    from publish.ckan.dataset import remove_catalog_package

    org = make_organization("catalog", "Data Governance Group")
    if sysadmin.action.package_search(fq=f"name:{LEGACY_CATALOG_PACKAGE}")["count"]:
        pytest.skip("this portal holds a catalog dataset of its own; not touched by a test")
    sysadmin.action.package_create(name=LEGACY_CATALOG_PACKAGE, owner_org=org["id"])
    publisher = CkanPublisher(sysadmin)
    assert remove_catalog_package(publisher) is True
    with pytest.raises(ckanapi.NotFound):
        sysadmin.action.package_show(id=LEGACY_CATALOG_PACKAGE)
    assert remove_catalog_package(publisher) is False


def test_a_dataset_page_links_its_dictionary_page_and_quality_report(
    portal, sysadmin, organization, run_id
):
    links = {
        "data_dictionary_url": f"{portal.url}/dictionary/datasets/x.html",
        "quality_report_url": f"{portal.url}/quality-reports/x.html",
    }
    dataset = sysadmin.action.package_create(
        name=f"site-links-{run_id}",
        owner_org=organization["id"],
        extras=[{"key": k, "value": v} for k, v in links.items()],
    )
    page = requests.get(f"{portal.url}/dataset/{dataset['name']}", timeout=30).text
    assert all(f'<a href="{url}">' in page for url in links.values())


def test_a_put_without_a_file_is_refused(sysadmin):
    with pytest.raises(ckanapi.ValidationError):
        sysadmin.action.city_site_file_put(area="dictionary", path="x.html", upload="<h1>x</h1>")


def test_deleting_the_last_file_of_a_folder_removes_the_folder(sysadmin, folder, tmp_path):
    import os

    from publish.portal.settings import load_settings

    if os.environ.get("CKAN_URL"):
        pytest.skip("reads the local portal's storage folder")
    put(sysadmin, f"{folder}/deep/page.html", b"<p>x</p>", tmp_path)
    sysadmin.action.city_site_file_delete(area="dictionary", path=f"{folder}/deep/page.html")
    storage = load_settings().storage_dir / "site" / "dictionary"
    assert not (storage / folder).exists()
