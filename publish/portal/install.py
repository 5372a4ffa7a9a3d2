"""Install what the portal needs: Debian packages, CKAN's own venv, our plugin.

CKAN pins its own dependency versions, so it lives in its own virtual environment
(``.venv-ckan`` by default), never mixed with the pipeline's. Re-running is cheap:
stamps in the venv record what was installed.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import PortalError
from .processes import run
from .services import ckan_os_user
from .settings import CKAN_EXTENSIONS, CKAN_VERSION, GUNICORN_VERSION, PortalSettings

# Debian's interpreter: what CKAN's venv is built on when ours (say a pyenv Python
# under /root) cannot be run by CKAN's unprivileged user.
SYSTEM_PYTHON = "/usr/bin/python3"

_apt_updated = False


def _is_root() -> bool:
    return os.geteuid() == 0


def apt_install(packages: list[str], why: str) -> None:
    """Install Debian packages, or explain exactly what to install and why."""
    global _apt_updated
    listing = " ".join(packages)
    if not _is_root():
        raise PortalError(f"{why} Install them with: sudo apt-get install -y {listing}")
    if shutil.which("apt-get") is None:
        raise PortalError(f"{why} This machine has no apt-get; install: {listing}")
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    try:
        if not _apt_updated:
            print("  apt-get update ...", flush=True)
            run(["apt-get", "update", "-qq"], what="apt-get update", env=env)
            _apt_updated = True
        print(f"  apt-get install {listing} ...", flush=True)
        run(["apt-get", "install", "-y", "-qq", *packages], what="apt-get install", env=env)
    except PortalError as error:
        raise PortalError(
            f"{why} Installing them with apt failed, so the portal cannot "
            f"start. Ask an administrator to run `apt-get install -y {listing}`."
            f"\n{error}"
        ) from None


def ensure_system_packages(settings: PortalSettings, building_ckan: bool) -> None:
    missing: list[str] = []
    if not (settings.pg_bin_dir / "postgres").exists():
        missing.append("postgresql-15")
    if shutil.which("redis-server") is None:
        missing.append("redis-server")
    if _is_root() and shutil.which("runuser") is None:
        missing.append("util-linux")
    if building_ckan:
        # psycopg2 compiles against libpq when CKAN installs.
        if shutil.which("pg_config") is None:
            missing.append("libpq-dev")
        if shutil.which("gcc") is None:
            missing.append("gcc")
        if os.path.realpath(venv_python(settings)) == os.path.realpath(SYSTEM_PYTHON):
            # Debian's Python: venv needs python3-venv, psycopg2 needs Python.h.
            include = subprocess.run(
                [SYSTEM_PYTHON, "-c", "import sysconfig; print(sysconfig.get_paths()['include'])"],
                capture_output=True,
                text=True,
            ).stdout.strip()
            if not (Path(include) / "Python.h").exists():
                missing.append("python3-dev")
            if subprocess.run([SYSTEM_PYTHON, "-c", "import ensurepip"]).returncode:
                missing.append("python3-venv")
    if missing:
        apt_install(missing, f"The local portal needs these Debian packages: {' '.join(missing)}.")


def _tree_hash(directory: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(directory.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and ".egg-info" not in str(path):
            digest.update(str(path.relative_to(directory)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _runs_as_ckan_user(python: str | os.PathLike) -> bool:
    """True when CKAN's user (as root) can start ``python`` and import its stdlib."""
    user = ckan_os_user()
    if user is None:
        return True
    probe = ["runuser", "-u", user, "--", str(python), "-c", "import encodings, json, ssl"]
    return subprocess.run(probe, capture_output=True).returncode == 0


def venv_python(settings: PortalSettings) -> str:
    """The interpreter CKAN's venv is created from: one CKAN's user can run."""
    if _runs_as_ckan_user(settings.python):
        return settings.python
    if Path(SYSTEM_PYTHON).exists() and _runs_as_ckan_user(SYSTEM_PYTHON):
        return SYSTEM_PYTHON
    raise PortalError(
        f"CKAN runs as an unprivileged user, which cannot run {settings.python}. Point "
        "PORTAL_PYTHON at a Python 3.10-3.12 outside private folders (e.g. /usr/bin/python3)."
    )


def ckan_needs_install(settings: PortalSettings) -> bool:
    stamp = settings.venv_dir / ".portal-ckan"
    if not stamp.exists() or stamp.read_text() != _ckan_requirement():
        return True
    # A venv built on an interpreter CKAN's user cannot run (made before CKAN stopped
    # running as root) is rebuilt.
    return not _runs_as_ckan_user(settings.venv_bin("python"))


def _ckan_requirement() -> str:
    return " ".join(
        [f"ckan[requirements]=={CKAN_VERSION}", f"gunicorn=={GUNICORN_VERSION}", *CKAN_EXTENSIONS]
    )


def ensure_ckan(settings: PortalSettings) -> None:
    """CKAN and gunicorn in their own venv, then our plugin (reinstalled when it changes).

    One installer at a time: portals with data folders of their own may share the venv
    (the test suite's workers do, a city's staging portal may), and two pip runs in one
    venv break it (``venv_lock``)."""
    with venv_lock(settings):
        _install_ckan_and_plugin(settings)


@contextlib.contextmanager
def venv_lock(settings: PortalSettings) -> Iterator[None]:
    """Hold CKAN's venv alone while pip writes into it (waiting for another installer).
    The lock file sits beside the venv, which an install clears; not re-entrant."""
    lock_path = settings.venv_dir.with_name(f"{settings.venv_dir.name}.install.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield


def _install_ckan_and_plugin(settings: PortalSettings) -> None:
    pip = settings.venv_bin("pip")
    if ckan_needs_install(settings):
        print(
            f"  installing CKAN {CKAN_VERSION} into {settings.venv_dir} (about a minute) ...",
            flush=True,
        )
        run(
            [venv_python(settings), "-m", "venv", "--clear", settings.venv_dir],
            what="creating CKAN's venv",
        )
        run(
            [pip, "install", "-q", "--upgrade", "pip", "setuptools>=64", "wheel"],
            what="upgrading pip in CKAN's venv",
        )
        run(
            [
                pip,
                "install",
                "-q",
                f"ckan[requirements]=={CKAN_VERSION}",
                f"gunicorn=={GUNICORN_VERSION}",
                *CKAN_EXTENSIONS,
            ],
            what=f"pip install ckan=={CKAN_VERSION}",
        )
        (settings.venv_dir / ".portal-ckan").write_text(_ckan_requirement())
        (settings.venv_dir / ".portal-pgsearch").unlink(missing_ok=True)
    if plugin_outdated(settings):
        print("  installing the pgsearch plugin into CKAN's venv ...", flush=True)
        install_plugin(settings)
        record_plugin_installed(settings)


# CKAN's unprivileged user reads the plugin's files: pip, which writes them with the
# caller's umask, gets a umask that lets it (a pipeline run, as root, has a private one).
READABLE_BY_ALL = 0o022


def install_plugin(settings: PortalSettings) -> None:
    """Our plugin (theme, DataStore COPY, search) into CKAN's venv; a running CKAN uses
    it from its next start. The caller records it installed (record_plugin_installed)
    once CKAN runs with it."""
    pip = settings.venv_bin("pip")
    # Build from a copy: an in-tree build would leave build/ and egg-info behind.
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "ckanext-pgsearch"
        shutil.copytree(
            settings.plugin_dir,
            source,
            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build"),
        )
        run(
            [
                pip,
                "install",
                "-q",
                "--no-deps",
                "--no-build-isolation",
                "--force-reinstall",
                source,
            ],
            what="installing ckanext-pgsearch",
            umask=READABLE_BY_ALL,
        )


def record_plugin_installed(settings: PortalSettings) -> None:
    (settings.venv_dir / ".portal-pgsearch").write_text(_tree_hash(settings.plugin_dir))


def plugin_outdated(settings: PortalSettings) -> bool:
    """True when the plugin's source differs from what CKAN's venv has installed."""
    stamp = settings.venv_dir / ".portal-pgsearch"
    return not stamp.exists() or stamp.read_text() != _tree_hash(settings.plugin_dir)
