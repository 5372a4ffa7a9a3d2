"""Bring a running local portal up to date with the city's generated files.

The theme and ckanext-scheming read the dataset schema and the portal settings (both
generated from the dictionary: field labels, the About page, the featured datasets)
once, when CKAN starts, and CKAN loads our plugin's code (the theme's templates, the
DataStore COPY action) at start too. ``make portal-up`` reinstalls the plugin and
restarts CKAN when either changed; a pipeline run does the same before it publishes
(``PortalResource``), so a change the governance group makes to the dictionary, or a
new release of the platform (``git pull``) that changes the plugin, shows on the portal
with the next run, not at the next ``make portal-up`` someone remembers to type.

A restart must never cut another run's publication short (a 1.6 GB upload, a DataStore
COPY): every run that publishes holds a shared lock on ``run/publishing.lock`` until it
ends, and a restart needs the lock alone. A run that finds the files changed while
another run publishes leaves CKAN as it is and says so; the next run applies them.
"""

from __future__ import annotations

import fcntl
import json
from typing import IO

from . import city_files, ckan_setup, install
from .errors import PortalError
from .processes import http_ok
from .services import Ckan, Postgres, Redis
from .settings import CITY_PORTAL_FILES, PortalSettings

RESTARTED = "restarted with the city's files the dictionary changed"
RESTARTED_WITH_PLUGIN = "restarted with the new release of the portal's plugin"
HELD_BACK = "not restarted: another run is publishing (the next run applies the changes)"


class PortalDown(PortalError):
    """CKAN was stopped for a restart and did not come back."""


class PublishingLock:
    """A run's hold on the portal while it publishes (shared with other runs)."""

    def __init__(self, settings: PortalSettings):
        # (in the folder portal-up made: created here, under the pipeline's private
        # umask, CKAN's own user could not enter it)
        self._handle: IO | None = (settings.run_dir / "publishing.lock").open("a")

    def alone(self) -> bool:
        """Hold the lock alone, if no other run publishes now (no waiting)."""
        try:
            fcntl.flock(self._handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def wait_alone(self) -> None:
        """Hold the lock alone, waiting for the runs that publish now to end."""
        fcntl.flock(self._handle, fcntl.LOCK_EX)

    def shared(self) -> None:
        """Hold it with the other runs (waits only for a restart under way)."""
        fcntl.flock(self._handle, fcntl.LOCK_SH)

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing drops the lock
            self._handle = None


def apply_city_files(settings: PortalSettings, lock: PublishingLock) -> str | None:
    """With ``lock`` held alone: copy the city's changed files for CKAN, reinstall the
    plugin when its code changed, and restart the running CKAN with them. Returns
    RESTARTED or RESTARTED_WITH_PLUGIN, HELD_BACK (another run publishes) or None
    (nothing to do: all is current, or this portal is not running here). Raises
    PortalError when the city has no generated files or they are not valid JSON, or the
    plugin does not install (CKAN is then left running as it was); PortalDown when
    CKAN did not come back."""
    plugin_changed = install.plugin_outdated(settings)
    if not city_files.outdated(settings) and not plugin_changed:
        return None
    ckan = Ckan(settings)
    running = (
        ckan.pid and Postgres(settings).pid and Redis(settings).pid
    ) and settings.secrets_file.exists()
    # the running CKAN answers where these settings say: not another portal's folder
    # or port (a daemon started with other PORTAL_* variables must not move it)
    if not running or not http_ok(ckan.status_url):
        return None
    if not lock.alone():
        return HELD_BACK
    for name in CITY_PORTAL_FILES:  # a broken file would keep CKAN from starting
        try:
            json.loads((settings.city_files_source / name).read_text())
        except ValueError as error:
            raise PortalError(f"{name} is not valid JSON ({error}): CKAN not restarted") from None
    # The plugin before the stop: one that does not install stops nothing (CKAN serves
    # on meanwhile, its code loaded; its templates are read from the new files). It is
    # recorded installed only once CKAN runs with it: until then, each run tries again.
    if plugin_changed:
        with install.venv_lock(settings):  # portals may share the venv
            install.install_plugin(settings)
    city_files.sync(settings)
    ckan_setup.ensure_config(settings, ckan, ckan_setup.load_secrets(settings))
    ckan.stop()
    try:
        ckan.start()  # returns once CKAN answers
    except PortalError as error:
        raise PortalDown(
            f"the portal is DOWN: CKAN did not start again with the city's new files "
            f"{'and the new plugin ' if plugin_changed else ''}"
            f"({error}); see {settings.log_dir} and run `make portal-up`"
        ) from None
    if plugin_changed:
        install.record_plugin_installed(settings)
    return RESTARTED_WITH_PLUGIN if plugin_changed else RESTARTED
