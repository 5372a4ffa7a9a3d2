"""Bring a running local portal up to date with the city's generated files.

The theme and ckanext-scheming read the dataset schema and the portal settings (both
generated from the dictionary: field labels, the About page, the featured datasets)
once, when CKAN starts. ``make portal-up`` restarts CKAN when they changed; a pipeline
run does the same before it publishes (``PortalResource``), so a change the governance
group makes to the dictionary shows on the portal with the run that publishes it, not
at the next ``make portal-up`` someone remembers to type.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager

from . import city_files, ckan_setup
from .services import Ckan
from .settings import PortalSettings


def apply_city_files(settings: PortalSettings) -> bool:
    """Copy the city's changed files for CKAN and restart the running CKAN with them.
    False when the copies are current, or when CKAN is not running (``portal-up`` copies
    them when it starts it). Raises PortalError when the city has no generated files."""
    if not city_files.outdated(settings):
        return False
    ckan = Ckan(settings)
    if not ckan.pid:
        return False
    with _one_restart_at_a_time(settings):
        if not city_files.outdated(settings):  # another run did it while we waited
            return False
        city_files.sync(settings)
        ckan_setup.ensure_config(settings, ckan, ckan_setup.load_secrets(settings))
        ckan.stop()
        ckan.start()  # returns once CKAN answers
    return True


@contextmanager
def _one_restart_at_a_time(settings: PortalSettings) -> Iterator[None]:
    """Two processes (the daemon's run, a person's ``make pipeline``) never restart CKAN
    at the same time: the second waits, then finds the files current."""
    settings.run_dir.mkdir(parents=True, exist_ok=True)
    with (settings.run_dir / "city_files.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
