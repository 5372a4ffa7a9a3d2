"""Where the local portal lives and which loopback ports it uses, decided once.

Every value can be overridden from the environment (names in ``.env.example``).
Ports default to non-standard numbers so the portal never collides with a
PostgreSQL, Redis or CKAN that a developer already runs.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import PortalError

PROJECT_DIR = Path(__file__).resolve().parents[2]
CKAN_VERSION = "2.12.0"
GUNICORN_VERSION = "23.0.0"
# CKAN extensions installed beside CKAN (each checked to install with CKAN 2.12.0,
# pip check clean): dataset fields from a schema generated from the dictionary
# (scheming), DCAT catalog endpoints for harvesters (dcat), charts of DataStore
# resources (charts). Pinned: the portal's templates and config rely on their APIs.
CKAN_EXTENSIONS = ("ckanext-scheming==3.1.0", "ckanext-dcat==2.4.4", "ckanext-charts==1.13.5")
HOST = "127.0.0.1"
# The city's portal files (dataset schema, name and About text), generated from its
# dictionary into this folder of the city's folder (publish/portal/theme_files.py).
CITY_PORTAL_FOLDER = "portal"
CITY_PORTAL_FILES = ("city_portal.json", "city_dataset.json")


@dataclass(frozen=True)
class PortalSettings:
    project_dir: Path
    portal_dir: Path
    venv_dir: Path
    pg_bin_dir: Path
    ckan_port: int
    postgres_port: int
    redis_port: int
    python: str
    # The active city (PLATFORM_CITY_DIR, as the pipeline reads it): whose name, About
    # text and dataset fields the portal shows.
    city_dir: Path = PROJECT_DIR

    @property
    def city_files_source(self) -> Path:
        """The city's generated portal files, in the city's folder."""
        return self.city_dir / CITY_PORTAL_FOLDER

    @property
    def city_files_dir(self) -> Path:
        """The copy CKAN reads (its user may not enter the city's folder)."""
        return self.portal_dir / "city"

    @property
    def site_url(self) -> str:
        return f"http://{HOST}:{self.ckan_port}"

    @property
    def run_dir(self) -> Path:
        return self.portal_dir / "run"

    @property
    def log_dir(self) -> Path:
        return self.portal_dir / "logs"

    @property
    def postgres_dir(self) -> Path:
        """Owned by the PostgreSQL user: cluster, its socket and its log.

        Inside the portal folder when PostgreSQL's unprivileged user can reach it. A clone
        under a private folder (e.g. /root or a 0700 temp dir) cannot be reached by that
        user, so as root the cluster then lives in /var/tmp, under a name derived from the
        portal folder (the same on every start; purge removes it too).
        """
        inside = self.portal_dir / "postgres"
        if os.geteuid() != 0 or world_traversable(self.portal_dir):
            return inside
        digest = hashlib.sha256(str(self.portal_dir).encode()).hexdigest()[:12]
        # /var/tmp survives reboots (unlike /tmp); the folder is chowned to postgres.
        return Path("/var/tmp") / f"city-portal-postgres-{digest}"  # noqa: S108

    @property
    def storage_dir(self) -> Path:
        return self.portal_dir / "storage"

    @property
    def ckan_ini(self) -> Path:
        return self.portal_dir / "ckan.ini"

    @property
    def secrets_file(self) -> Path:
        return self.portal_dir / "secrets.json"

    @property
    def api_token_file(self) -> Path:
        return self.portal_dir / "api_token"

    @property
    def plugin_dir(self) -> Path:
        return self.project_dir / "publish" / "portal" / "ckanext-pgsearch"

    @property
    def wsgi_source(self) -> Path:
        return self.project_dir / "publish" / "portal" / "wsgi.py"

    @property
    def wsgi_dir(self) -> Path:
        """Where gunicorn loads wsgi.py from: a copy in the portal's run folder, so CKAN's
        user needs no access to the project folder."""
        return self.run_dir / "wsgi"

    def venv_bin(self, name: str) -> Path:
        return self.venv_dir / "bin" / name


def world_traversable(path: Path) -> bool:
    """True when every existing folder on the way to ``path`` lets other users through."""
    for folder in [path, *path.parents]:
        if folder.exists() and not folder.stat().st_mode & stat.S_IXOTH:
            return False
    return True


def _port(name: str, default: int) -> int:
    raw = os.environ.get(name, str(default))
    try:
        port = int(raw)
    except ValueError:
        raise PortalError(f"{name}={raw!r} is not a port number") from None
    if not 1024 <= port <= 65535:
        raise PortalError(f"{name}={port} must be between 1024 and 65535")
    return port


def _outside_private_folders(default: Path, name: str) -> Path:
    """CKAN runs as an unprivileged user when we are root, and that user must reach its
    venv and data. A clone in a private folder (a 0700 temp dir, /root) cannot be
    reached, so there the defaults move to /var/tmp, under a name derived from the project
    folder (the same on every start). Set PORTAL_DATA_DIR / PORTAL_VENV to choose."""
    if os.geteuid() != 0 or world_traversable(default):
        return default
    digest = hashlib.sha256(str(PROJECT_DIR).encode()).hexdigest()[:12]
    return Path("/var/tmp") / f"city-portal-{digest}" / name  # noqa: S108


def load_settings() -> PortalSettings:
    # Its own variable: a pipeline run on another data folder (a test's, say) still
    # publishes to the one local portal.
    portal_dir = Path(
        os.environ.get("PORTAL_DATA_DIR")
        or _outside_private_folders(PROJECT_DIR / "data" / "portal", "portal")
    )
    venv_dir = Path(
        os.environ.get("PORTAL_VENV")
        or _outside_private_folders(PROJECT_DIR / ".venv-ckan", "venv-ckan")
    )
    return PortalSettings(
        project_dir=PROJECT_DIR,
        portal_dir=portal_dir.resolve(),
        venv_dir=venv_dir.resolve(),
        pg_bin_dir=Path(os.environ.get("PORTAL_PG_BIN", "/usr/lib/postgresql/15/bin")),
        ckan_port=_port("PORTAL_CKAN_PORT", 5055),
        postgres_port=_port("PORTAL_PG_PORT", 54329),
        redis_port=_port("PORTAL_REDIS_PORT", 63799),
        python=os.environ.get("PORTAL_PYTHON", sys.executable),
        city_dir=Path(os.environ.get("PLATFORM_CITY_DIR") or PROJECT_DIR).resolve(),
    )
