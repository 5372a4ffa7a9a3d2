"""Write (or check) the city's portal files, generated from its data dictionary.

The theme (the ``city_theme`` plugin in ``ckanext-pgsearch``) reads a dataset schema and
the city's portal settings that ``publish/ckan/scheming.py`` renders. They belong to the
city, not to the plugin: they are written into the active city's folder
(``PLATFORM_CITY_DIR``, default this project, the sample city) under ``portal/``, committed
with its dictionary and checked for drift like its dbt files. ``make portal-up`` copies
them to the portal (``publish/portal/city_files.py``).
"""

from __future__ import annotations

from pathlib import Path

from dagster_project.lib.dictionary import Dictionary
from dagster_project.lib.dictionary.generated import changed, write_changed
from publish.ckan.scheming import portal_files

from .settings import CITY_PORTAL_FOLDER


def _files(dictionary: Dictionary, city_dir: Path) -> dict[Path, str]:
    return portal_files(dictionary, city_dir / CITY_PORTAL_FOLDER)


def write_portal_files(dictionary: Dictionary, city_dir: Path) -> list[Path]:
    """Write the files whose content changed; return them."""
    return write_changed(_files(dictionary, city_dir))


def drifted_portal_files(dictionary: Dictionary, city_dir: Path) -> list[Path]:
    return changed(_files(dictionary, city_dir))
