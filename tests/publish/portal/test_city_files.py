"""The portal shows the active city's generated files (name, About text, dataset schema),
not the sample city's: a city set up with `make new-city` gets its own portal."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import pytest
import requests

from publish.portal import city_files
from publish.portal.errors import PortalError
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


@pytest.mark.portal
def test_a_new_citys_portal_shows_its_own_name(portal, tmp_path):
    city = tmp_path / "our-town"
    created = subprocess.run(
        [sys.executable, "-m", "dagster_project.cli.city", "new", str(city)]
        + ["--name", "Town of Example"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
    )
    assert created.returncode == 0, created.stderr
    assert (city / "portal" / "city_portal.json").exists()
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
