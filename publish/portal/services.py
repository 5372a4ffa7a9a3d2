"""The portal's three servers: PostgreSQL, Redis and CKAN (under gunicorn).

Each binds to 127.0.0.1 only, keeps its pid file under the portal's data folder and
is stopped by that pid file alone, so ``make portal-down`` never touches a server
it did not start.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path

from .errors import PortalError
from .processes import read_pid, require_free_port, run, stop_pid, tail, wait_for_http
from .settings import HOST, PortalSettings

# PostgreSQL refuses to run as root; as root we run it as this user.
POSTGRES_OS_USER = "postgres"
FALLBACK_OS_USER = "cityportal"


# -- PostgreSQL ------------------------------------------------------------------------
class Postgres:
    def __init__(self, settings: PortalSettings):
        self.settings = settings
        self.data_dir = settings.postgres_dir / "cluster"
        self.socket_dir = settings.postgres_dir / "run"
        self.log_file = settings.postgres_dir / "postgres.log"
        self.os_user = self._os_user()

    @staticmethod
    def _os_user() -> str | None:
        """None: run as ourselves. As root: an unprivileged user PostgreSQL accepts."""
        if os.geteuid() != 0:
            return None
        for name in (POSTGRES_OS_USER, FALLBACK_OS_USER):
            try:
                pwd.getpwnam(name)
                return name
            except KeyError:
                continue
        run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                FALLBACK_OS_USER,
            ],
            what="creating an unprivileged user for PostgreSQL",
        )
        return FALLBACK_OS_USER

    def _bin(self, name: str) -> Path:
        return self.settings.pg_bin_dir / name

    @property
    def pid(self) -> int | None:
        return read_pid(self.data_dir / "postmaster.pid")

    def _prepare_dirs(self) -> None:
        for directory in (self.settings.postgres_dir, self.socket_dir):
            directory.mkdir(parents=True, exist_ok=True)
        os.chmod(self.socket_dir, 0o700)
        if self.os_user is not None:
            entry = pwd.getpwnam(self.os_user)
            for path in (self.settings.postgres_dir, *self.settings.postgres_dir.rglob("*")):
                os.chown(path, entry.pw_uid, entry.pw_gid)
            probe = subprocess.run(
                ["runuser", "-u", self.os_user, "--", "test", "-w", str(self.settings.postgres_dir)]
            )
            if probe.returncode != 0:
                raise PortalError(
                    f"PostgreSQL runs as the unprivileged user {self.os_user!r}, which cannot "
                    f"write to {self.settings.postgres_dir}. Set PORTAL_DATA_DIR to a folder "
                    "it can reach, e.g. PORTAL_DATA_DIR=/var/tmp/city-portal make portal-up"
                )

    def ensure_cluster(self) -> None:
        self._prepare_dirs()
        if (self.data_dir / "PG_VERSION").exists():
            return
        print("  creating the PostgreSQL cluster ...", flush=True)
        run(
            [
                self._bin("initdb"),
                "-D",
                self.data_dir,
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
            ],
            what="initdb",
            user=self.os_user,
        )
        # Loopback TCP for CKAN; the superuser's socket sits in a folder only we can open.
        with open(self.data_dir / "postgresql.conf", "a") as conf:
            conf.write(
                f"\n# city portal\nlisten_addresses = '{HOST}'\n"
                f"unix_socket_directories = '{self.socket_dir}'\n"
            )

    def start(self) -> None:
        if self.pid is not None:
            return
        require_free_port(self.settings.postgres_port, "PORTAL_PG_PORT", "PostgreSQL")
        self.ensure_cluster()
        completed = subprocess.run(
            [
                *(["runuser", "-u", self.os_user, "--"] if self.os_user else []),
                str(self._bin("pg_ctl")),
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log_file),
                "-o",
                f"-p {self.settings.postgres_port}",
                "-w",
                "-t",
                "60",
                "start",
            ],
            capture_output=True,
            text=True,
        )
        if completed.returncode != 0:
            raise PortalError(
                f"PostgreSQL failed to start. Last lines of {self.log_file}:\n{tail(self.log_file)}"
            )

    def stop(self) -> bool:
        if self.pid is None:
            return False
        run(
            [self._bin("pg_ctl"), "-D", self.data_dir, "-m", "fast", "-w", "-t", "60", "stop"],
            what="stopping PostgreSQL",
            user=self.os_user,
        )
        return True

    def sql(self, statement: str, database: str = "postgres") -> str:
        """Run SQL as the cluster's superuser over the private socket."""
        return run(
            [
                self._bin("psql"),
                "-h",
                self.socket_dir,
                "-p",
                str(self.settings.postgres_port),
                "-U",
                "postgres",
                "-d",
                database,
                "-v",
                "ON_ERROR_STOP=1",
                "-At",
                "-f",
                "-",
            ],
            what=f"SQL on {database}",
            user=self.os_user,
            input_text=statement,
        )


# -- Redis -----------------------------------------------------------------------------
class Redis:
    def __init__(self, settings: PortalSettings):
        self.settings = settings
        self.pid_file = settings.run_dir / "redis.pid"
        self.log_file = settings.log_dir / "redis.log"

    @property
    def pid(self) -> int | None:
        return read_pid(self.pid_file)

    def start(self) -> None:
        if self.pid is not None:
            return
        require_free_port(self.settings.redis_port, "PORTAL_REDIS_PORT", "Redis")
        redis_dir = self.settings.portal_dir / "redis"
        redis_dir.mkdir(parents=True, exist_ok=True)
        run(
            [
                "redis-server",
                "--bind",
                HOST,
                "--port",
                str(self.settings.redis_port),
                "--daemonize",
                "yes",
                "--pidfile",
                self.pid_file,
                "--logfile",
                self.log_file,
                "--dir",
                redis_dir,
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            what="starting Redis",
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.ping():
                return
            time.sleep(0.1)
        raise PortalError(
            f"Redis did not answer. Last lines of {self.log_file}:\n{tail(self.log_file)}"
        )

    def ping(self) -> bool:
        try:
            with socket.create_connection((HOST, self.settings.redis_port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> bool:
        return stop_pid(self.pid_file, "Redis")


# -- CKAN ------------------------------------------------------------------------------
class Ckan:
    """CKAN served by gunicorn (two workers), the way a small production site runs it."""

    def __init__(self, settings: PortalSettings):
        self.settings = settings
        self.pid_file = settings.run_dir / "ckan.pid"
        self.log_file = settings.log_dir / "ckan.log"

    @property
    def pid(self) -> int | None:
        return read_pid(self.pid_file)

    @property
    def status_url(self) -> str:
        return f"{self.settings.site_url}/api/3/action/status_show"

    def start(self) -> float:
        """Start CKAN; return the seconds until its API answered."""
        if self.pid is not None:
            return 0.0
        require_free_port(self.settings.ckan_port, "PORTAL_CKAN_PORT", "CKAN")
        gunicorn = self.settings.venv_bin("gunicorn")
        if not gunicorn.exists():
            raise PortalError(f"{gunicorn} is missing: run `make portal-up` to install CKAN")
        run(
            [
                gunicorn,
                "--chdir",
                self.settings.wsgi_dir,
                "--bind",
                f"{HOST}:{self.settings.ckan_port}",
                "--workers",
                "2",
                "--timeout",
                "600",
                "--daemon",
                "--capture-output",
                "--pid",
                self.pid_file,
                "--error-logfile",
                self.log_file,
                "--access-logfile",
                self.settings.log_dir / "ckan-access.log",
                "wsgi:application",
            ],
            what="starting CKAN",
            env={"CKAN_INI": str(self.settings.ckan_ini)},
        )
        return wait_for_http(self.status_url, timeout=120, log_file=self.log_file, service="CKAN")

    def stop(self) -> bool:
        return stop_pid(self.pid_file, "CKAN", timeout=30)

    def cli(self, *args: str, what: str) -> str:
        """Run ``ckan -c ckan.ini ARGS`` in CKAN's venv."""
        return run([self.settings.venv_bin("ckan"), "-c", self.settings.ckan_ini, *args], what=what)


def remove_tree(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path)
