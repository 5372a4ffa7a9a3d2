"""What dbt is told of the configured city: its environment, its target folder and the
link to the city's dbt folder.

Apart from the Dagster definitions (defs/transform/project.py, which imports dagster-dbt
and parses the project): the dbt process started ahead of a build
(lib/dbt_parse_ahead.py) needs the same environment without those imports.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dagster_project.settings import DBT_PROJECT_DIR, get_settings

# dbt records DBT_ENV_CUSTOM_ENV_* variables in the manifest's metadata: the city's mark.
CITY_MARK = "DBT_ENV_CUSTOM_ENV_PLATFORM_CITY"
CITY_LINK = DBT_PROJECT_DIR / "city_folder"  # -> the configured city's dbt/ (git-ignored)


def dbt_environment() -> dict[str, str]:
    """What dbt needs to know of the city and the data folder (absolute paths, since dbt
    runs in dbt/; "." for the sample city, so its manifest keeps relative file paths)."""
    settings = get_settings()
    return {
        "PLATFORM_DATA_DIR": str(settings.data_dir),
        "PLATFORM_CITY_DBT_DIR": "." if settings.is_sample_city else CITY_LINK.name,
        CITY_MARK: "." if settings.is_sample_city else str(settings.city_dbt_dir),
        "CITY_DBT_EXECUTABLE": str(Path(sys.executable).with_name("dbt")),
        "CITY_DBT_PYTHON": sys.executable,  # the builds' dbt (scripts/dbt-bound-to-parent)
        "DBT_TARGET_PATH": str(target_dir()),
    }


def link_city_folder() -> None:
    """Point ``dbt/city_folder`` at the configured city's dbt folder (not the sample's)."""
    settings = get_settings()
    if settings.is_sample_city:
        return
    if CITY_LINK.is_symlink() and CITY_LINK.resolve() == settings.city_dbt_dir.resolve():
        return
    staged = CITY_LINK.with_name(f".{CITY_LINK.name}.{os.getpid()}")
    staged.unlink(missing_ok=True)
    staged.symlink_to(settings.city_dbt_dir.resolve(), target_is_directory=True)
    staged.replace(CITY_LINK)  # atomic: a dbt run of another process never sees no link


def target_dir() -> Path:
    settings = get_settings()
    return (
        DBT_PROJECT_DIR / "target" if settings.is_sample_city else settings.city_dbt_dir / "target"
    )
