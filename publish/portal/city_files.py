"""Hand the active city's generated portal files to CKAN.

``make dictionary-generate`` writes the dataset schema and the portal settings into the
city's folder (``<city>/portal/``). CKAN runs as its own unprivileged user, which may not
enter that folder, so ``make portal-up`` copies them into the portal's data folder and
ckan.ini points the plugins at the copies. A changed file (the dictionary changed, or
``PLATFORM_CITY_DIR`` names another city) makes ``portal-up`` restart CKAN, which reads
them at start.
"""

from __future__ import annotations

import os
import shutil

from .errors import PortalError
from .settings import CITY_PORTAL_FILES, PortalSettings


def _require_sources(settings: PortalSettings) -> None:
    source = settings.city_files_source
    missing = [name for name in CITY_PORTAL_FILES if not (source / name).is_file()]
    if missing:
        raise PortalError(
            f"the city's portal files are missing ({', '.join(missing)} in {source}): "
            f"generate them from its dictionary with PLATFORM_CITY_DIR={settings.city_dir} "
            "make dictionary-generate"
        )


def outdated(settings: PortalSettings) -> bool:
    """True when the portal's copy differs from the city's generated files."""
    _require_sources(settings)
    for name in CITY_PORTAL_FILES:
        copy = settings.city_files_dir / name
        if (
            not copy.exists()
            or copy.read_bytes() != (settings.city_files_source / name).read_bytes()
        ):
            return True
    return False


def sync(settings: PortalSettings) -> bool:
    """Copy the city's files for CKAN (readable by all: nothing in them is secret);
    return whether anything changed."""
    if not outdated(settings):
        return False
    settings.city_files_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(settings.city_files_dir, 0o755)  # noqa: S103 (CKAN's user reads them)
    for name in CITY_PORTAL_FILES:
        target = settings.city_files_dir / name
        shutil.copyfile(settings.city_files_source / name, target)
        os.chmod(target, 0o644)
    return True


def ckan_options(settings: PortalSettings) -> dict[str, str]:
    """ckan.ini options that point the plugins at the copies (scheming takes a URL)."""
    schema = settings.city_files_dir / "city_dataset.json"
    return {
        "scheming.dataset_schemas": schema.as_uri(),
        "ckanext.city_theme.schema_file": str(schema),
        "ckanext.city_theme.portal_file": str(settings.city_files_dir / "city_portal.json"),
    }
