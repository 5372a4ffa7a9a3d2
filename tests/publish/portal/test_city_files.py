"""The portal shows the active city's generated files (name, About text, dataset schema),
not the sample city's: a city set up with `make new-city` gets its own portal."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import pytest
import requests
from dagster import build_init_resource_context

from dagster_project.defs.resources import PortalResource
from publish.portal import city_files
from publish.portal.errors import PortalError
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


def _set_up_portal_resource_for_a_run():
    """What Dagster does at a run's start for the steps that publish. (The module is
    imported with the sample city, above: importing it parses that city's dbt project.)"""
    PortalResource().setup_for_execution(build_init_resource_context())


def _home_title(portal) -> str:
    home = requests.get(f"{portal.url}/", timeout=30).text
    return home.split("<title>", 1)[1].split("</title>", 1)[0].strip()


@pytest.mark.portal
def test_a_run_brings_the_running_portal_up_to_date_with_the_dictionary(
    portal, example_town, monkeypatch
):
    """The city's generated files changed while CKAN ran (here: another city's, the
    largest change there is): the next run's publication steps restart CKAN with them
    before they publish, with no `make portal-up`; a run with nothing changed does not
    restart it."""
    monkeypatch.delenv("CKAN_URL", raising=False)
    monkeypatch.setenv("PLATFORM_CITY_DIR", str(example_town))
    try:
        _set_up_portal_resource_for_a_run()
        assert _home_title(portal) == "Welcome - Town of Example Open Data"
    finally:
        monkeypatch.delenv("PLATFORM_CITY_DIR")
        _set_up_portal_resource_for_a_run()
    assert _home_title(portal) == "Welcome - City of Riverton Open Data"
    settings = load_settings()
    assert not city_files.outdated(settings)
    pid = Ckan(settings).pid
    _set_up_portal_resource_for_a_run()  # nothing changed: CKAN keeps running as it was
    assert Ckan(settings).pid == pid


def test_a_city_without_generated_files_warns_and_the_run_goes_on(tmp_path, monkeypatch, capfd):
    monkeypatch.delenv("CKAN_URL", raising=False)
    (tmp_path / "data_dictionary").mkdir()  # a city folder, its portal files never generated
    monkeypatch.setenv("PLATFORM_CITY_DIR", str(tmp_path))
    _set_up_portal_resource_for_a_run()  # no exception: the datasets still publish
    assert "make portal-up" in capfd.readouterr().err
