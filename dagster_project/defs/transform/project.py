"""The dbt project as Dagster sees it, for the configured city.

The platform's dbt project (``dbt/``) reads the city's own models, seeds and snapshots from
``PLATFORM_CITY_DBT_DIR`` (``dbt/dbt_project.yml``). Dagster builds its assets from dbt's
manifest, so the manifest must be the configured city's: it records the city it was
parsed for, and it is parsed again (``dbt parse``, a few seconds) when it was built for
another city or is missing. ``make install`` / ``make dbt-parse`` build it up front.
A city's manifest and dbt's run artifacts live in its own folder (``dbt/target``), the
sample city's in this project's ``dbt/target``.

dbt sees another city's folder through a link inside the project, ``dbt/city_folder``:
dbt writes compiled SQL to ``target/compiled/<project>/<file path>``, and with an
absolute (or ``../``) model path that is the city's own model file, overwritten.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

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


def manifest_city(manifest_path: Path) -> str | None:
    """The city a manifest was parsed for (None: no manifest, or an unmarked one)."""
    try:
        metadata = json.loads(manifest_path.read_text())["metadata"]
    except (OSError, ValueError, KeyError):
        return None
    return metadata.get("env", {}).get(CITY_MARK.removeprefix("DBT_ENV_CUSTOM_ENV_"))


def parse_manifest(force: bool = False) -> Path:
    """``dbt parse`` for the configured city, unless the manifest is already its own."""
    environment = dbt_environment()
    os.environ.update(environment)  # dbt invocations of this process inherit them
    link_city_folder()
    manifest = target_dir() / "manifest.json"
    if force or manifest_city(manifest) != environment[CITY_MARK] or _edited_since(manifest):
        subprocess.run(  # noqa: S603 (fixed arguments)
            [environment["CITY_DBT_EXECUTABLE"], "parse", "--quiet", "--profiles-dir", "."],
            cwd=DBT_PROJECT_DIR,
            check=True,
        )
    return manifest


def _edited_since(manifest: Path) -> bool:
    """A model, macro, seed or YAML file of the platform's or the city's dbt folders is
    newer than the manifest: Dagster would build from an old graph, and the warehouse
    step would take a changed model for an unchanged one (lib/incremental.py)."""
    built = manifest.stat().st_mtime_ns
    settings = get_settings()
    folders = [DBT_PROJECT_DIR / d for d in ("platform", "macros", "tests")]
    folders += [settings.city_dbt_dir / d for d in ("models", "seeds", "snapshots")]
    return (
        any(
            path.stat().st_mtime_ns > built
            for folder in folders
            if folder.is_dir()
            for path in folder.rglob("*")
            if path.suffix in (".sql", ".yml", ".yaml", ".csv") and "target" not in path.parts
        )
        or (DBT_PROJECT_DIR / "dbt_project.yml").stat().st_mtime_ns > built
    )


parse_manifest()
dbt_project = DbtProject(
    project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target_path=target_dir()
)
dbt_project.prepare_if_dev()  # `dagster dev` re-parses; deployments use the built manifest
