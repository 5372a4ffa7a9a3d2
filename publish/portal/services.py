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
from .processes import (
    child_pids,
    kill_leftovers,
    read_pid,
    require_free_port,
    run,
    server_environment,
    stop_pid,
    tail,
    wait_for_http,
)
from .settings import HOST, PortalSettings

# PostgreSQL refuses to run as root; as root we run it as this user.
POSTGRES_OS_USER = "postgres"
FALLBACK_OS_USER = "cityportal"
# CKAN (gunicorn, master and workers) never runs as root: as root we run it as this
# system user, created when missing. Not root: CKAN runs as ourselves.
CKAN_OS_USER = "ckan-portal"


def ensure_system_user(name: str, why: str) -> None:
    """Create a locked system user without home or shell (root only) when it is missing."""
    try:
        pwd.getpwnam(name)
        return
    except KeyError:
        pass
    run(
        [
            "useradd",
            "--system",
            "--user-group",
            "--no-create-home",
            "--home-dir",
            "/nonexistent",
            "--shell",
            "/usr/sbin/nologin",
            name,
        ],
        what=why,
    )


def ckan_os_user() -> str | None:
    """None: CKAN runs as ourselves (not root). As root: the unprivileged ``ckan-portal``."""
    if os.geteuid() != 0:
        return None
    ensure_system_user(CKAN_OS_USER, "creating the unprivileged user CKAN runs as")
    return CKAN_OS_USER


def process_uid(pid: int) -> int | None:
    """The real uid of a live process (from /proc), None when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("Uid:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


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
        ensure_system_user(FALLBACK_OS_USER, "creating an unprivileged user for PostgreSQL")
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
            env=server_environment(),
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
    """Redis on loopback with a password (``requirepass``) from the portal's secrets.

    The password goes into a 0600 config file, never onto the command line (where
    ``ps`` would show it) and never to the terminal.
    """

    def __init__(self, settings: PortalSettings, password: str | None = None):
        self.settings = settings
        self.pid_file = settings.run_dir / "redis.pid"
        self.log_file = settings.log_dir / "redis.log"
        self.redis_dir = settings.portal_dir / "redis"
        self.config_file = self.redis_dir / "redis.conf"
        self.password = password

    @property
    def pid(self) -> int | None:
        return read_pid(self.pid_file)

    def _write_config(self) -> None:
        if not self.password:
            raise PortalError("Redis needs its password from the portal's secrets")
        write_private(
            self.config_file,
            "# generated by publish.portal: do not edit, regenerated on every start\n"
            f"bind {HOST}\n"
            "protected-mode yes\n"
            f"port {self.settings.redis_port}\n"
            f"requirepass {self.password}\n"
            "daemonize yes\n"
            f"pidfile {self.pid_file}\n"
            f"logfile {self.log_file}\n"
            f"dir {self.redis_dir}\n"
            'save ""\n'
            "appendonly no\n",
        )

    def start(self) -> None:
        if self.pid is not None:
            return
        require_free_port(self.settings.redis_port, "PORTAL_REDIS_PORT", "Redis")
        self.redis_dir.mkdir(parents=True, exist_ok=True)
        self._write_config()
        run(["redis-server", self.config_file], what="starting Redis", server=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.ping():
                return
            time.sleep(0.1)
        raise PortalError(
            f"Redis did not answer. Last lines of {self.log_file}:\n{tail(self.log_file)}"
        )

    def ping(self) -> bool:
        """True when Redis accepts our password and answers PING."""
        try:
            with socket.create_connection((HOST, self.settings.redis_port), timeout=1) as conn:
                conn.sendall(_resp("AUTH", self.password or "") + _resp("PING"))
                reply = b""
                while b"\r\n" not in reply.partition(b"\r\n")[2]:
                    chunk = conn.recv(256)
                    if not chunk:
                        break
                    reply += chunk
                auth, _, pong = reply.partition(b"\r\n")
                return auth.startswith(b"+OK") and pong.startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> bool:
        return stop_pid(self.pid_file, "Redis")


def _resp(*parts: str) -> bytes:
    """One Redis command in RESP (binary-safe, so a password is never parsed inline)."""
    encoded = [part.encode() for part in parts]
    return f"*{len(encoded)}\r\n".encode() + b"".join(
        b"$%d\r\n%s\r\n" % (len(part), part) for part in encoded
    )


# -- CKAN ------------------------------------------------------------------------------
class Ckan:
    """CKAN served by gunicorn (two workers), the way a small production site runs it.

    As root, gunicorn (master and workers) runs as the unprivileged ``ckan-portal``
    user: it owns only what CKAN must write (uploads, its two log files, its pid folder)
    and its 0600 ckan.ini; the portal's other secrets stay root's.
    """

    def __init__(self, settings: PortalSettings):
        self.settings = settings
        # Its own folder, owned by CKAN's user (gunicorn writes its pid file there);
        # the pid files of the root-run Redis stay out of that user's reach.
        self.ckan_run_dir = settings.run_dir / "ckan"
        self.pid_file = self.ckan_run_dir / "ckan.pid"
        self.log_file = settings.log_dir / "ckan.log"
        self.access_log_file = settings.log_dir / "ckan-access.log"

    @property
    def pid(self) -> int | None:
        pid = read_pid(self.pid_file)
        if pid is None or not self._owned_by_ckan(pid):
            return None
        return pid

    def _owned_by_ckan(self, pid: int) -> bool:
        """The pid file is writable by CKAN's user: only trust it for that user's process."""
        if os.geteuid() != 0:
            return True
        try:
            expected = pwd.getpwnam(CKAN_OS_USER).pw_uid
        except KeyError:
            return False
        return process_uid(pid) == expected

    @property
    def os_user(self) -> str | None:
        return ckan_os_user()

    @property
    def status_url(self) -> str:
        return f"{self.settings.site_url}/api/3/action/status_show"

    def prepare_files(self) -> None:
        """Give CKAN's user what it must read or write, and nothing else."""
        settings = self.settings
        for directory in (
            settings.log_dir,
            self.ckan_run_dir,
            settings.storage_dir,
            settings.wsgi_dir,
        ):
            directory.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(settings.wsgi_source, settings.wsgi_dir / "wsgi.py")
        os.chmod(settings.wsgi_dir / "wsgi.py", 0o644)
        for log in (self.log_file, self.access_log_file):
            log.touch(exist_ok=True)
            os.chmod(log, 0o640)
        if settings.ckan_ini.exists():
            os.chmod(settings.ckan_ini, 0o600)
        user = self.os_user
        if user is None:
            return
        entry = pwd.getpwnam(user)
        owned = [self.ckan_run_dir, self.log_file, self.access_log_file, settings.ckan_ini]
        owned += [settings.storage_dir, *settings.storage_dir.rglob("*")]
        for path in owned:
            if path.exists():
                os.chown(path, entry.pw_uid, entry.pw_gid, follow_symlinks=False)
        wanted = [
            ("read", settings.ckan_ini),
            ("execute", self.settings.venv_bin("gunicorn")),
            ("read", settings.wsgi_dir / "wsgi.py"),
            ("write", settings.storage_dir),
        ]
        for access, path in wanted:
            flag = {"read": "-r", "execute": "-x", "write": "-w"}[access]
            if subprocess.run(["runuser", "-u", user, "--", "test", flag, str(path)]).returncode:
                raise PortalError(
                    f"CKAN runs as the unprivileged user {user!r}, which cannot {access} "
                    f"{path}. Keep the project, CKAN's venv (PORTAL_VENV) and the portal's "
                    "data (PORTAL_DATA_DIR) in folders other users can traverse, e.g. "
                    "PORTAL_DATA_DIR=/var/tmp/city-portal PORTAL_VENV=/opt/city-ckan-venv "
                    "make portal-up"
                )

    def start(self) -> float:
        """Start CKAN; return the seconds until its API answered."""
        if self.pid is not None:
            return 0.0
        # a CKAN stopped a moment ago (a restart with the city's files) may still be
        # letting its port go: its workers finish their last requests first
        require_free_port(self.settings.ckan_port, "PORTAL_CKAN_PORT", "CKAN", wait=15)
        gunicorn = self.settings.venv_bin("gunicorn")
        if not gunicorn.exists():
            raise PortalError(f"{gunicorn} is missing: run `make portal-up` to install CKAN")
        self.prepare_files()
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
                # On stop, the master gives busy workers this long, then kills them: less
                # than stop()'s wait, so the master is never killed first (its orphaned
                # worker would go on holding the port and the next start would fail).
                "--graceful-timeout",
                "10",
                "--daemon",
                "--capture-output",
                "--pid",
                self.pid_file,
                "--error-logfile",
                self.log_file,
                # One line a request (combined log format plus the time taken in
                # microseconds); a plain file, so logrotate's copytruncate works.
                "--access-logfile",
                self.access_log_file,
                "--access-logformat",
                '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)s',
                "wsgi:application",
            ],
            what="starting CKAN",
            user=self.os_user,
            env={"CKAN_INI": str(self.settings.ckan_ini)},
            cwd=self.settings.wsgi_dir,  # CKAN's user may not enter the project folder
            server=True,
        )
        return wait_for_http(self.status_url, timeout=120, log_file=self.log_file, service="CKAN")

    def stop(self) -> bool:
        stopped = False
        if self.pid is not None:
            workers = child_pids(self.pid)
            stopped = stop_pid(self.pid_file, "CKAN", timeout=30)
            kill_leftovers(workers)  # a worker that outlived its master still holds the port
        else:
            self.pid_file.unlink(missing_ok=True)
        # Before CKAN ran as its own user its pid file sat in run/ (root's).
        legacy = self.settings.run_dir / "ckan.pid"
        if legacy.exists():
            stopped = stop_pid(legacy, "CKAN", timeout=30) or stopped
        return stopped

    def cli(self, *args: str, what: str) -> str:
        """Run ``ckan -c ckan.ini ARGS`` in CKAN's venv."""
        return run([self.settings.venv_bin("ckan"), "-c", self.settings.ckan_ini, *args], what=what)


def write_private(path: Path, content: str) -> None:
    """Create ``path`` readable by its owner only, before any secret is written into it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(content)
    os.chmod(path, 0o600)


def remove_tree(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path)
