"""``python -m publish.portal up|down|purge|status``: the local CKAN portal's controls.

The Makefile's portal-* targets call this. Library code raises PortalError; only this
module prints and sets the exit status.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from . import city_files, ckan_setup, install
from .errors import PortalError
from .processes import answers_within, http_ok
from .refresh import PublishingLock
from .services import Ckan, Postgres, Redis, remove_tree
from .settings import PortalSettings, load_settings


def up(settings: PortalSettings) -> None:
    ckan, postgres, redis = Ckan(settings), Postgres(settings), Redis(settings)
    # (a CKAN busy with another request may take a moment to answer: taken for down, it
    # would be started a second time on its own port)
    if ckan.pid and postgres.pid and redis.pid and answers_within(ckan.status_url, 30):
        plugin_changed = install.plugin_outdated(settings)
        if not plugin_changed and not city_files.outdated(settings):
            print(f"The portal is already up at {settings.site_url}")
            return
        # A developer changed ckanext-pgsearch, or the city's generated files changed
        # (its dictionary, or another PLATFORM_CITY_DIR): install and copy them and restart
        # CKAN alone, with the configuration re-applied (they are read at start). Not
        # while a pipeline run publishes (its uploads would be cut short), nor while a
        # run reinstalls the plugin itself: the publishing lock, held alone.
        lock = PublishingLock(settings)
        try:
            if not lock.alone():
                print("  waiting for the pipeline run that is publishing to end ...", flush=True)
                lock.wait_alone()
            install.ensure_ckan(settings)
            city_files.sync(settings)
            ckan_setup.ensure_config(settings, ckan, ckan_setup.load_secrets(settings))
            ckan.stop()
            ckan.start()
        finally:
            lock.release()
        what = "the new plugin" if plugin_changed else f"the city's files from {settings.city_dir}"
        print(f"The portal is up at {settings.site_url} (CKAN restarted with {what})")
        return
    started = time.monotonic()
    install.ensure_system_packages(settings, building_ckan=install.ckan_needs_install(settings))
    install.ensure_ckan(settings)
    for directory in (settings.run_dir, settings.log_dir):
        directory.mkdir(parents=True, exist_ok=True)
    city_files.sync(settings)
    secret = ckan_setup.load_secrets(settings)
    redis = Redis(settings, password=secret["redis_password"])
    postgres.start()
    redis.start()
    ckan_setup.ensure_databases(postgres, secret)
    ckan_setup.ensure_config(settings, ckan, secret)
    ckan_setup.ensure_initialised(settings, postgres, ckan)
    ckan_setup.ensure_sysadmin_and_token(settings, ckan, secret)
    first_answer = ckan.start()
    print(
        f"The portal is up at {settings.site_url} "
        f"(CKAN answered {first_answer:.1f} s after start; {time.monotonic() - started:.0f} s "
        f"in all).\n  API token for the pipeline: {settings.api_token_file} (0600)\n"
        f"  sysadmin {ckan_setup.ADMIN_USER!r}: password in {settings.secrets_file}\n"
        f"  logs: {settings.log_dir}"
    )


def down(settings: PortalSettings) -> None:
    stopped = [
        name
        for name, service in (
            ("CKAN", Ckan(settings)),
            ("Redis", Redis(settings)),
            ("PostgreSQL", Postgres(settings)),
        )
        if service.stop()
    ]
    print(f"Stopped: {', '.join(stopped)}" if stopped else "Nothing of the portal was running.")


def purge(settings: PortalSettings) -> None:
    down(settings)
    remove_tree(settings.postgres_dir)  # may live outside the portal folder (see settings)
    remove_tree(settings.portal_dir)
    print(
        f"Removed the portal's data: {settings.portal_dir} "
        f"(CKAN's venv {settings.venv_dir} is kept; delete it to reinstall)"
    )


def status(settings: PortalSettings) -> int:
    ckan, postgres, redis = Ckan(settings), Postgres(settings), Redis(settings)
    api_ok = http_ok(ckan.status_url)
    report = {
        "CKAN": (ckan.pid, f"{settings.site_url} (API {'answers' if api_ok else 'silent'})"),
        "PostgreSQL": (postgres.pid, f"127.0.0.1:{settings.postgres_port}"),
        "Redis": (redis.pid, f"127.0.0.1:{settings.redis_port}"),
    }
    for name, (pid, where) in report.items():
        state = f"running (pid {pid})" if pid else "stopped"
        print(f"{name:<11} {state:<22} {where}")
    print(f"data        {settings.portal_dir}")
    return 0 if all(pid for pid, _ in report.values()) and api_ok else 3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m publish.portal", description=__doc__)
    parser.add_argument("command", choices=["up", "down", "purge", "status", "env"])
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        if args.command == "up":
            up(settings)
        elif args.command == "down":
            down(settings)
        elif args.command == "purge":
            purge(settings)
        elif args.command == "status":
            return status(settings)
        elif args.command == "env":
            # For scripts: where the portal is, never the token itself.
            print(
                json.dumps(
                    {
                        "CKAN_URL": settings.site_url,
                        "CKAN_API_TOKEN_FILE": str(settings.api_token_file),
                    }
                )
            )
    except PortalError as error:
        print(f"portal {args.command}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0
