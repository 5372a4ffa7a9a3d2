"""The portal shows the active city's generated files (name, About text, dataset schema),
not the sample city's: a city set up with `make new-city` gets its own portal."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace

import pytest
import requests
from dagster import build_init_resource_context

from dagster_project.defs.resources import PortalResource
from publish.portal import city_files, install
from publish.portal.errors import PortalError
from publish.portal.refresh import RESTARTED_WITH_PLUGIN, PublishingLock
from publish.portal.services import Ckan
from publish.portal.settings import PROJECT_DIR, load_settings
from tests.publish.portal.test_portal_cli import portal_cli


def test_the_sample_city_is_the_default_and_its_files_are_in_its_folder(monkeypatch):
    monkeypatch.delenv("PLATFORM_CITY_DIR", raising=False)
    settings = load_settings()
    assert settings.city_files_source == PROJECT_DIR / "portal"
    assert settings.city_files_dir == settings.portal_dir / "city"
    options = city_files.ckan_options(settings)
    assert options["scheming.dataset_schemas"].startswith("file:///")


def test_a_city_without_generated_files_is_a_clear_error(tmp_path):
    settings = replace(load_settings(), city_dir=tmp_path, portal_dir=tmp_path / "portal-data")
    with pytest.raises(PortalError, match="make dictionary-generate"):
        city_files.sync(settings)


def test_sync_copies_only_what_changed(tmp_path):
    source = tmp_path / "city" / "portal"
    source.mkdir(parents=True)
    for name in ("city_portal.json", "city_dataset.json"):
        (source / name).write_text("{}\n")
    settings = replace(
        load_settings(), city_dir=tmp_path / "city", portal_dir=tmp_path / "portal-data"
    )
    assert city_files.sync(settings) is True
    assert city_files.sync(settings) is False  # nothing new: CKAN is not restarted
    (source / "city_portal.json").write_text('{"city": "Town of Example"}\n')
    assert city_files.outdated(settings)
    assert city_files.sync(settings) is True
    assert (settings.city_files_dir / "city_portal.json").stat().st_mode & 0o777 == 0o644


@pytest.fixture(scope="module")
def example_town(tmp_path_factory):
    """A city made with `make new-city` (made once: it parses its dbt project)."""
    folder = tmp_path_factory.mktemp("city") / "our-town"
    created = subprocess.run(
        [sys.executable, "-m", "dagster_project.cli.city", "new", str(folder)]
        + ["--name", "Town of Example"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
    )
    assert created.returncode == 0, created.stderr
    assert (folder / "portal" / "city_portal.json").exists()
    return folder


@pytest.mark.portal
def test_a_new_citys_portal_shows_its_own_name(portal, example_town):
    city = example_town
    try:
        switched = portal_cli("up", city_dir=city)
        assert switched.returncode == 0, switched.stderr
        assert "restarted with the city's files" in switched.stdout
        home = requests.get(f"{portal.url}/", timeout=30).text
        assert "<title>Welcome - Town of Example Open Data" in home
        about = requests.get(f"{portal.url}/about", timeout=30).text
        assert "About Town of Example Open Data" in about and "Riverton" not in about
        schema = requests.get(
            f"{portal.url}/api/3/action/scheming_dataset_schema_show",
            params={"type": "dataset"},
            timeout=30,
        ).json()["result"]
        assert schema["about"].startswith("Town of Example's open datasets")
    finally:
        restored = portal_cli("up")
    assert restored.returncode == 0, restored.stderr
    home = requests.get(f"{portal.url}/", timeout=30).text
    assert "<title>Welcome - City of Riverton Open Data" in home


def _a_run_with_the_portal():
    """What Dagster does around a run's steps that publish: the portal resource set up
    (the city's files applied) and torn down (its publishing lock released). (The module
    is imported with the sample city, above: importing it parses that city's dbt project.)"""
    resource, context = PortalResource(), build_init_resource_context()
    resource.setup_for_execution(context)
    resource.teardown_after_execution(context)


def _home_title(portal) -> str:
    home = requests.get(f"{portal.url}/", timeout=30).text
    return home.split("<title>", 1)[1].split("</title>", 1)[0].strip()


@pytest.mark.portal
@pytest.mark.skipif(bool(os.environ.get("CKAN_URL")), reason="a city's own CKAN is not restarted")
def test_a_run_brings_the_running_portal_up_to_date_with_the_dictionary(
    portal, example_town, monkeypatch, capfd
):
    """The city's generated files changed while CKAN ran (here: another city's, the
    largest change there is). While another run publishes, CKAN is left as it is (a
    restart would cut its uploads short); the next run restarts it with the files before
    it publishes, with no `make portal-up`; a run with nothing changed does not."""
    settings = load_settings()
    monkeypatch.setenv("PLATFORM_CITY_DIR", str(example_town))
    try:
        other_run = PublishingLock(settings)
        other_run.shared()
        _a_run_with_the_portal()
        assert "not restarted: another run is publishing" in capfd.readouterr().err
        assert _home_title(portal) == "Welcome - City of Riverton Open Data"
        other_run.release()
        _a_run_with_the_portal()
        assert _home_title(portal) == "Welcome - Town of Example Open Data"
    finally:
        monkeypatch.delenv("PLATFORM_CITY_DIR")
        _a_run_with_the_portal()
    assert _home_title(portal) == "Welcome - City of Riverton Open Data"
    assert not city_files.outdated(settings)
    pid = Ckan(settings).pid
    _a_run_with_the_portal()  # nothing changed: CKAN keeps running as it was
    assert Ckan(settings).pid == pid


@pytest.mark.portal
@pytest.mark.skipif(bool(os.environ.get("CKAN_URL")), reason="a city's own CKAN is not restarted")
@pytest.mark.serial  # the stamp is in CKAN's venv, which every worker's portal runs from
def test_a_run_installs_a_new_release_of_the_plugin(portal, capfd):
    """A `git pull` changed the plugin (here: its installed stamp no longer matches the
    source): the next run reinstalls it and restarts CKAN, which answers again. The run
    has the pipeline's private umask; CKAN's own user must still read the plugin."""
    settings = load_settings()
    stamp = settings.venv_dir / ".portal-pgsearch"
    stamp.write_text("an older release\n")
    pid = Ckan(settings).pid
    umask = os.umask(0o077)
    try:
        _a_run_with_the_portal()
    finally:
        os.umask(umask)
    assert RESTARTED_WITH_PLUGIN in capfd.readouterr().err
    assert not install.plugin_outdated(settings)
    assert Ckan(settings).pid != pid
    assert _home_title(portal) == "Welcome - City of Riverton Open Data"
    [plugin] = settings.venv_dir.glob("lib/python3*/site-packages/ckanext/pgsearch")
    unreadable = [p for p in plugin.rglob("*") if p.is_file() and not p.stat().st_mode & 0o004]
    assert not unreadable, unreadable[:3]


@pytest.mark.portal
@pytest.mark.skipif(bool(os.environ.get("CKAN_URL")), reason="a city's own CKAN is not checked")
def test_a_city_without_generated_files_warns_and_the_run_goes_on(
    portal, tmp_path, monkeypatch, capfd
):
    (tmp_path / "data_dictionary").mkdir()  # a city folder, its portal files never generated
    monkeypatch.setenv("PLATFORM_CITY_DIR", str(tmp_path))
    _a_run_with_the_portal()  # no exception: the datasets still publish
    assert "make portal-up" in capfd.readouterr().err


def test_without_a_local_portal_a_run_creates_nothing_of_it(tmp_path, monkeypatch):
    """No `make portal-up` here yet: the run neither restarts nor creates the portal's
    folders (made under the pipeline's private umask, CKAN's user could not enter them)."""
    monkeypatch.delenv("CKAN_URL", raising=False)
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path / "portal"))
    _a_run_with_the_portal()
    assert not (tmp_path / "portal").exists()
