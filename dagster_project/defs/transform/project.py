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

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from dagster_project.defs.transform.dagster_dbt_lean import DbtProject
from dagster_project.lib.dbt_environment import (
    CITY_MARK,
    dbt_environment,
    link_city_folder,
    target_dir,
)
from dagster_project.settings import DBT_PROJECT_DIR, get_settings


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
        _parse_into(target_dir(), environment["CITY_DBT_EXECUTABLE"])
    return manifest


# What ``dbt parse`` writes that the next parse and Dagster read
PARSE_OUTPUTS = ("partial_parse.msgpack", "semantic_manifest.json", "manifest.json")
STAGING_PREFIX = ".parse-"
# A parse's folder this old was left by a process killed while parsing (a parse takes
# seconds; one of another process still running is younger)
ABANDONED_AFTER_S = 15 * 60


def _parse_into(target: Path, dbt_executable: str) -> None:
    """``dbt parse`` in a folder of its own, its files then renamed into ``target``: dbt
    writes manifest.json in place, and a process that loads the definitions meanwhile
    (the daemon and the webserver start together after an upgrade; two test workers)
    read half a file. Each rename is atomic, so a reader finds the old manifest or the
    new one; two processes parsing at once both write whole files. The folder starts
    from the target's parse cache, so the parse is as partial as it was in place."""
    target.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_staging(target)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=target))
    try:
        cache = target / PARSE_OUTPUTS[0]
        if cache.exists():
            shutil.copyfile(cache, staging / cache.name)
        subprocess.run(  # noqa: S603 (fixed arguments)
            [dbt_executable, "parse", "--quiet", "--profiles-dir", ".", "--target-path",
             str(staging)],
            cwd=DBT_PROJECT_DIR,
            check=True,
        )  # fmt: skip
        for name in PARSE_OUTPUTS:  # the manifest last: a reader of it finds the rest new
            if (staging / name).exists():
                os.replace(staging / name, target / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _remove_abandoned_staging(target: Path) -> None:
    """The folders of parses whose process was killed (SIGKILL, out of memory) before it
    could remove its own."""
    now = time.time()
    for folder in target.glob(f"{STAGING_PREFIX}*"):
        with contextlib.suppress(OSError):  # another process removed it meanwhile
            if now - folder.stat().st_mtime > ABANDONED_AFTER_S:
                shutil.rmtree(folder, ignore_errors=True)


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
# No ``dbt_project.prepare_if_dev()``: under ``dagster dev`` it ran dagster-dbt's own
# ``dbt parse`` into the target folder in place (the half-written manifest above), and
# parse_manifest() already parses again whenever a dbt file changed, for `make dev` as
# for every other process (a definitions reload imports this module in a new process).
