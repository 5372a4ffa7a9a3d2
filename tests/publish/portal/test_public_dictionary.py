"""The portal's /dictionary/ is the public edition: drafts and staff-only details stay in
the internal build (make docs). A steward takes one sample dataset back to draft in a copy
of the dictionary (as PLATFORM_DICTIONARY_DIR allows) and both editions are built."""

from __future__ import annotations

import json
import shutil

import pytest
import requests

from dagster_project.lib.dictionary import load_dictionary
from dagster_project.lib.dictionary.site import build_site
from dagster_project.lib.gates.results import GateResults
from dagster_project.settings import DBT_PROJECT_DIR, DICTIONARY_DIR, PROJECT_DIR
from publish.ckan.publisher import CkanPublisher
from publish.ckan.site_files import folder_files, sync_site_files

DRAFT = "job_postings"
DRAFT_TITLE = "Job Postings"


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    """(internal folder, public folder) built from a dictionary with DRAFT as a draft."""
    copy = tmp_path_factory.mktemp("dictionary") / "data_dictionary"
    shutil.copytree(DICTIONARY_DIR, copy)
    entry = copy / "datasets" / f"{DRAFT}.yml"
    text = entry.read_text()
    assert "publication:\n  status: approved\n" in text
    entry.write_text(
        text.replace("publication:\n  status: approved\n", "publication:\n  status: draft\n")
    )
    dictionary = load_dictionary(copy)
    assert dictionary.datasets[DRAFT].status == "draft"
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    results = GateResults(tmp_path_factory.mktemp("gates"))
    guide = (PROJECT_DIR / "docs" / "analysts.md").read_text()
    built = {}
    for public in (False, True):
        out = tmp_path_factory.mktemp("public" if public else "internal")
        build_site(out, dictionary, manifest, results, "http://portal.example", guide, public)
        built[public] = out
    return built[False], built[True]


def test_a_draft_is_in_the_internal_build_only(editions):
    internal, public = editions
    assert (internal / "datasets" / f"{DRAFT}.html").exists()
    assert DRAFT_TITLE in (internal / "index.html").read_text()
    assert not (public / "datasets" / f"{DRAFT}.html").exists()
    assert DRAFT_TITLE not in (public / "index.html").read_text()
    assert f"datasets/{DRAFT}.html" not in (public / "index.html").read_text()  # not searchable
    assert (public / "datasets" / "service_requests.html").exists()


def test_public_pages_name_sources_not_the_warehouse(editions):
    internal, public = editions
    page = (public / "datasets" / "service_requests.html").read_text()
    assert "311" in page and "Grain" in page and "Limitations" in page
    assert "Sources</th>" in page
    for staff_only in ("raw.crm311", "stg_crm311", "Lineage", "crm311.ward"):
        assert staff_only not in page, staff_only
    assert (
        "raw.crm311_service_requests"
        in (internal / "datasets" / "service_requests.html").read_text()
    )
    assert not (public / "analysts.html").exists()  # the warehouse guide is for staff
    assert (internal / "analysts.html").exists()
    assert "term-ward" in (public / "index.html").read_text()  # the glossary is public


def test_a_page_left_from_an_earlier_build_is_removed(editions, tmp_path):
    internal, _public = editions
    out = tmp_path / "site"
    shutil.copytree(internal, out)  # the last build had the draft
    dictionary = load_dictionary(DICTIONARY_DIR)
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    stale = out / "datasets" / "no_longer_listed.html"
    stale.write_text("<h1>old</h1>")
    build_site(out, dictionary, manifest, GateResults(tmp_path / "g"), "http://p", "", True)
    assert not stale.exists()


@pytest.mark.portal
def test_the_portal_serves_the_public_edition_without_the_draft(portal, sysadmin, run_id, editions):
    _internal, public = editions
    folder = f"test-{run_id}-public-edition"
    files = {f"{folder}/{path}": local for path, local in folder_files(public).items()}
    publisher = CkanPublisher(sysadmin)
    try:
        sync_site_files(publisher, "dictionary", files, within=f"{folder}/")
        base = f"{portal.url}/dictionary/{folder}"
        index = requests.get(f"{base}/index.html", timeout=30)
        assert index.status_code == 200 and "311 Service Requests" in index.text
        assert DRAFT_TITLE not in index.text
        draft = requests.get(f"{base}/datasets/{DRAFT}.html", timeout=30)
        assert draft.status_code == 404
        published = requests.get(f"{base}/datasets/service_requests.html", timeout=30)
        assert published.status_code == 200
    finally:
        sync_site_files(publisher, "dictionary", {}, within=f"{folder}/")
