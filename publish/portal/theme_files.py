"""Write (or check) the portal theme's files generated from the dictionary.

The theme (the ``city_theme`` plugin in ``ckanext-pgsearch``) reads a dataset schema and
the city's portal settings that ``publish/ckan/scheming.py`` renders. They are written
into the plugin's package of the project that runs the portal; a city kept in its own
folder (``PLATFORM_CITY_DIR``) without a copy of the plugin has none to write.
"""

from __future__ import annotations

from pathlib import Path

from dagster_project.lib.dictionary import Dictionary
from dagster_project.lib.dictionary.generated import changed, write_changed
from publish.ckan.scheming import portal_files

PLUGIN_PACKAGE = Path("publish/portal/ckanext-pgsearch/ckanext/pgsearch")


def _files(dictionary: Dictionary, city_dir: Path) -> dict[Path, str]:
    package_dir = city_dir / PLUGIN_PACKAGE
    return portal_files(dictionary, package_dir) if package_dir.is_dir() else {}


def write_portal_files(dictionary: Dictionary, city_dir: Path) -> list[Path]:
    """Write the files whose content changed; return them."""
    return write_changed(_files(dictionary, city_dir))


def drifted_portal_files(dictionary: Dictionary, city_dir: Path) -> list[Path]:
    return changed(_files(dictionary, city_dir))
