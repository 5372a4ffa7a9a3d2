"""Paths and environment of the pipeline, decided in one place.

Project paths are fixed relative to this file. Everything that depends on the
environment (data folder, environment name) is read by :func:`get_settings` when it is
first called at run time, never at import time, and cached.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_DIR / "dbt"
# The sample city's configuration, which the demo runs on. A city's folder has the same
# three parts (see README, "Start your own city"); the JSON Schemas stay the platform's.
DICTIONARY_DIR = PROJECT_DIR / "data_dictionary"
EXPECTATIONS_DIR = PROJECT_DIR / "expectations"

ENVIRONMENTS = ("local", "ci", "prod")


@dataclass(frozen=True)
class Settings:
    environment: str  # also the dbt target name
    data_dir: Path
    # The city's own configuration (PLATFORM_CITY_DIR): its data dictionary
    # (data_dictionary/), its dbt models, seeds and snapshots (dbt/) and its Great
    # Expectations project (expectations/). Default: this project's folder, whose three
    # parts are the sample city the demo runs on. A new city never carries the sample
    # city's sources, datasets or divisions: its folder starts empty (make new-city).
    city_dir: Path = PROJECT_DIR
    # PLATFORM_DICTIONARY_DIR overrides the dictionary alone (a steward trying an edit).
    dictionary_dir: Path = DICTIONARY_DIR

    @property
    def is_sample_city(self) -> bool:
        return self.city_dir == PROJECT_DIR

    @property
    def city_dbt_dir(self) -> Path:
        """The city's models/, seeds/ and snapshots/, added to the platform's dbt project
        (shared macros and the conformed dimensions in dbt/platform/)."""
        return self.city_dir / "dbt"

    @property
    def expectations_dir(self) -> Path:
        """The city's Great Expectations project, generated from its dictionary."""
        return self.city_dir / "expectations"

    @property
    def landing_dir(self) -> Path:
        """Where departments drop their extracts, one folder per system."""
        return self.data_dir / "landing"

    @property
    def landing_hashes_file(self) -> Path:
        """The landing files' SHA-256 by size and modification time (``FileHashes``)."""
        return self.data_dir / "landing_hashes.json"

    @property
    def quarantine_dir(self) -> Path:
        """Files that could not be read at all, each with a reason report."""
        return self.data_dir / "quarantine"

    @property
    def warehouse_path(self) -> Path:
        return self.data_dir / "warehouse.duckdb"

    @property
    def export_dir(self) -> Path:
        """Files built for the portal (CSV, Parquet), one folder per dataset."""
        return self.data_dir / "exports"

    @property
    def department_reports_dir(self) -> Path:
        """Workbooks of the rows each department must fix, one folder per system."""
        return self.data_dir / "reports"

    @property
    def gate_reports_dir(self) -> Path:
        return self.data_dir / "gate_reports"

    @property
    def versions_dir(self) -> Path:
        """Each published dataset's version history and last published files."""
        return self.data_dir / "versions"

    @property
    def docs_dir(self) -> Path:
        """The browsable data dictionary for staff, drafts included (make docs)."""
        return self.data_dir / "docs"

    @property
    def public_docs_dir(self) -> Path:
        """Its public edition, which the portal serves at /dictionary/ (site.py)."""
        return self.data_dir / "docs_public"

    @property
    def dictionary_site_url(self) -> str | None:
        """Where residents reach that site when the city hosts it elsewhere (an http(s)
        URL); unset, the pipeline sends it to the portal, which serves it at /dictionary/."""
        url = os.environ.get("DICTIONARY_SITE_URL", "").strip().rstrip("/")
        if url and not url.startswith(("http://", "https://")):
            raise ValueError(
                f"DICTIONARY_SITE_URL={url!r}: residents' browsers need an http(s) URL; "
                "leave it empty to have the portal serve the dictionary"
            )
        return url or None


# What the pipeline keeps that holds residents' data: readable by the platform's user only.
# (data/portal is the portal's own: its PostgreSQL runs as another user and needs it.)
PRIVATE_FOLDERS = (
    "landing", "quarantine", "exports", "dagster", "gate_reports", "reports", "versions",
)  # fmt: skip


def secure_data_dir(settings: Settings) -> None:
    """Make the data folder's private parts 0700 and the warehouse 0600. Called where a
    run starts; the command-line entry points also set umask 077 (:func:`private_umask`),
    so what their processes write is 0600 (a library must not change a host process's
    umask: the tests and other callers keep theirs)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    for name in PRIVATE_FOLDERS:
        folder = settings.data_dir / name
        folder.mkdir(exist_ok=True)
        folder.chmod(0o700)
    for path in settings.data_dir.glob(settings.warehouse_path.name + "*"):
        path.chmod(0o600)  # the warehouse and its write-ahead log


PRIVATE_UMASK = 0o077


def private_umask() -> None:
    """Files this process creates from now on: readable by its user only (0600/0700)."""
    os.umask(PRIVATE_UMASK)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    environment = os.environ.get("PLATFORM_ENV", "local")
    if environment not in ENVIRONMENTS:
        raise ValueError(f"PLATFORM_ENV={environment!r}: use one of {ENVIRONMENTS}")
    data_dir = Path(os.environ.get("PLATFORM_DATA_DIR", PROJECT_DIR / "data")).resolve()
    city_dir = Path(os.environ.get("PLATFORM_CITY_DIR") or PROJECT_DIR).resolve()
    if not (city_dir / "data_dictionary").is_dir():
        raise ValueError(
            f"PLATFORM_CITY_DIR={city_dir}: no data_dictionary/ folder there "
            "(create a city with `make new-city CITY_DIR=...`)"
        )
    dictionary_dir = Path(
        os.environ.get("PLATFORM_DICTIONARY_DIR") or city_dir / "data_dictionary"
    ).resolve()
    return Settings(
        environment=environment,
        data_dir=data_dir,
        city_dir=city_dir,
        dictionary_dir=dictionary_dir,
    )
