"""Where the plugin finds the city's generated files (not in this package).

The dataset schema and the portal settings are generated from the active city's data
dictionary into the city's folder (``<city>/portal/``, by ``make dictionary-generate``);
``make portal-up`` copies them into the portal's data folder, which CKAN's user can
read, and points ckan.ini at the copies. So one plugin serves any city, and a city set up
with ``make new-city`` never shows the sample city's name or fields.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as toolkit

PORTAL_FILE_OPTION = "ckanext.city_theme.portal_file"
SCHEMA_FILE_OPTION = "ckanext.city_theme.schema_file"


def _path(option: str) -> Path:
    value = toolkit.config.get(option)
    if not value:
        raise RuntimeError(
            f"{option} is not set in ckan.ini: start the portal with `make portal-up`, "
            "which copies the city's generated files and sets it"
        )
    return Path(value)


@functools.cache
def _read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def city_portal() -> dict[str, Any]:
    """The city's name, contact, licences, featured datasets and headline KPIs."""
    return _read(_path(PORTAL_FILE_OPTION))


def dataset_schema() -> dict[str, Any]:
    """The ckanext-scheming dataset schema generated from the city's dictionary."""
    return _read(_path(SCHEMA_FILE_OPTION))
