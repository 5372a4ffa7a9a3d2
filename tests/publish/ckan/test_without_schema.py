"""Publishing to a CKAN without our dataset schema keeps the facts, as extras.

The target is a second CKAN process on the local portal's own database, started here with
the same ckan.ini but without ckanext-scheming and our theme (whose ``extras_fields``
would lift the facts back to top-level keys): a stock CKAN as another city's portal may
run it. CKAN's default schema drops top-level keys it does not know, so a publisher that
always sent the facts as schema fields would lose them there."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time

import ckanapi
import pytest
import requests

from dagster_project.lib.dictionary import load_dictionary
from publish.ckan.mapping import (
    organization_dict,
    package_dict,
    package_facts,
    with_schema_fields,
)
from publish.ckan.publisher import CkanPublisher
from publish.portal.settings import load_settings

pytestmark = pytest.mark.portal
# a stock CKAN: our search (no Solr here) and CKAN's own plugins, nothing of the schema
PLAIN_PLUGINS = "pgsearch activity datastore"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def plain_ckan(portal, tmp_path_factory):
    settings = load_settings()
    folder = tmp_path_factory.mktemp("plain-ckan")
    ini = folder / "ckan.ini"
    ini.write_text(settings.ckan_ini.read_text())
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    ckan = str(settings.venv_bin("ckan"))
    subprocess.run(
        [ckan, "config-tool", str(ini), f"ckan.plugins={PLAIN_PLUGINS}", f"ckan.site_url={url}"],
        check=True,
        capture_output=True,
    )
    log = (folder / "ckan.log").open("w")
    server = subprocess.Popen(
        [ckan, "-c", str(ini), "run", "-H", "127.0.0.1", "-p", str(port), "-r", "-D"],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped below, and only it
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(f"{url}/api/3/action/status_show", timeout=5).ok:
                    break
            except requests.ConnectionError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the plain CKAN did not start: {(folder / 'ckan.log').read_text()}")
            time.sleep(1)
        token = settings.api_token_file.read_text().strip()
        yield ckanapi.RemoteCKAN(url, apikey=token)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:  # the dev server (its reloader) often ignores
            os.killpg(server.pid, signal.SIGKILL)  # SIGTERM (30 s lost in every CI run);
            server.wait(timeout=30)  # it holds no state worth a graceful stop
        log.close()


def test_a_portal_without_the_schema_gets_every_fact_as_an_extra(plain_ckan, sysadmin, run_id):
    publisher = CkanPublisher(plain_ckan)
    assert publisher.schema_fields == frozenset()  # ckanext-scheming is not there
    dictionary = load_dictionary()
    dataset = dictionary.datasets["service_requests"]
    division = dictionary.divisions[dataset.owner_division]
    package = package_dict(dataset, division, "http://dictionary.example/sr.html")
    package.update(name=f"no-schema-{run_id}")
    publisher.ensure_organization(organization_dict(division))
    created, action = publisher.upsert_package(package)
    try:
        assert action == "created"
        shown = plain_ckan.action.package_show(id=created["id"])
        extras = {e["key"]: e["value"] for e in shown["extras"]}
        assert extras["owner_division"] == division.name
        assert extras["update_frequency"] == "daily"
        assert extras["grain"] == dataset.grain
        assert extras["limitations"] == dataset.limitations
        assert extras["data_dictionary_url"] == "http://dictionary.example/sr.html"
        assert "owner_division" not in shown  # not a top-level key there
        # idempotent there too: the same facts again change nothing
        assert publisher.upsert_package(package)[1] == "unchanged"
        # a quality score measured later reaches it as an extra as well
        assert publisher.update_extras(created["name"], {"quality_score": "Gold"})
        shown = plain_ckan.action.package_show(id=created["id"])
        assert {e["key"]: e["value"] for e in shown["extras"]}["quality_score"] == "Gold"
        # the city's own portal (same database, with the schema) reads them as its fields
        on_schema_portal = sysadmin.action.package_show(id=created["id"])
        assert on_schema_portal["owner_division"] == division.name
        assert package_facts(on_schema_portal)["quality_score"] == "Gold"
    finally:
        sysadmin.action.dataset_purge(id=created["id"])


def test_why_the_facts_must_be_extras_there(plain_ckan, sysadmin, run_id):
    """The schema's shape (facts as top-level keys) sent to a stock CKAN: it drops them."""
    dictionary = load_dictionary()
    dataset = dictionary.datasets["service_requests"]
    division = dictionary.divisions[dataset.owner_division]
    CkanPublisher(plain_ckan).ensure_organization(organization_dict(division))
    package = with_schema_fields(package_dict(dataset, division))
    package.update(name=f"schema-shape-{run_id}")
    created = plain_ckan.action.package_create(**package)
    try:
        shown = plain_ckan.action.package_show(id=created["id"])
        assert "owner_division" not in shown
        assert "owner_division" not in {e["key"] for e in shown["extras"]}
    finally:
        sysadmin.action.dataset_purge(id=created["id"])


def test_the_citys_portal_has_the_schema_so_facts_are_fields(sysadmin):
    fields = CkanPublisher(sysadmin).schema_fields
    assert {"owner_division", "update_frequency", "grain", "quality_score"} <= fields
