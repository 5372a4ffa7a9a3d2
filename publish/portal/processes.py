"""Small process helpers: run commands, pid files, loopback ports, waiting for HTTP."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from .errors import PortalError
from .settings import HOST


def run(
    command: Sequence[str | os.PathLike],
    *,
    what: str,
    user: str | None = None,
    env: dict[str, str] | None = None,
    input_text: str | None = None,
    cwd: Path | None = None,
    umask: int = -1,
    server: bool = False,
) -> str:
    """Run a command to completion and return its stdout; on failure say what failed.

    ``user`` runs it as that (unprivileged) user, for PostgreSQL which refuses root.
    ``umask`` is the command's own (-1: this process's). ``server``: it starts a server
    that outlives this process, with ``server_environment`` rather than this one's.
    """
    argv = [str(part) for part in command]
    if user is not None:
        argv = ["runuser", "-u", user, "--", *argv]
    completed = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        input=input_text,
        env=server_environment(env) if server else {**os.environ, **(env or {})},
        cwd=cwd,
        umask=umask,
    )
    if completed.returncode != 0:
        output = (completed.stderr or completed.stdout).strip().splitlines()[-15:]
        raise PortalError(f"{what} failed (exit {completed.returncode}):\n  " + "\n  ".join(output))
    return completed.stdout


# What a server the portal starts takes from the environment of the process that starts
# it (a pipeline run, make portal-up, a test session): how to find programs, the locale,
# the time zone, and where temporary files go (CKAN spools an upload there: a host whose
# /tmp is a small tmpfs points TMPDIR at a disk).
SERVER_ENVIRONMENT = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR")


def server_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of PostgreSQL, Redis and CKAN: ``SERVER_ENVIRONMENT`` and
    ``extra``, nothing else. A pipeline run that (re)starts the portal would otherwise
    hand its own to servers that outlive it: its settings and secrets (an alert
    address's password, the API token) in three more processes, and variables that CKAN
    reads as configuration (``CKAN_SQLALCHEMY_URL``, ``CKAN___...``) meant for another
    CKAN."""
    kept = {name: os.environ[name] for name in SERVER_ENVIRONMENT if name in os.environ}
    return {**kept, **(extra or {})}


def read_pid(pid_file: Path) -> int | None:
    """The pid in ``pid_file`` if that process is alive, else None."""
    try:
        pid = int(pid_file.read_text().split()[0])
    except (FileNotFoundError, ValueError, IndexError):
        return None
    return pid if _alive(pid) else None


def stop_pid(pid_file: Path, name: str, timeout: float = 20.0) -> bool:
    """SIGTERM the process in ``pid_file``, wait, SIGKILL if it lingers. True if one ran."""
    pid = read_pid(pid_file)
    if pid is None:
        pid_file.unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    if not _wait_gone(pid, timeout):
        os.kill(pid, signal.SIGKILL)
        if not _wait_gone(pid, 5.0):
            raise PortalError(f"{name} (pid {pid}) did not stop")
    pid_file.unlink(missing_ok=True)
    return True


def child_pids(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (gunicorn's workers), from /proc."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # the fourth field, after the command in parentheses, is the parent's pid
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it exited while we looked
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def kill_leftovers(pids: list[int], timeout: float = 5.0) -> None:
    """SIGKILL whichever of ``pids`` still runs, and wait until they are gone."""
    for pid in pids:
        if _alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    for pid in pids:
        _wait_gone(pid, timeout)


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.1)
    return False


def _alive(pid: int) -> bool:
    """True for a live process, also one owned by another user (PostgreSQL); not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child counts as gone
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except OSError:
        return False


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return False
            raise
    return True


def require_free_port(port: int, env_name: str, service: str, wait: float = 0.0) -> None:
    """Fail clearly when ``port`` is taken, naming the program that holds it. ``wait``
    gives a service stopped a moment ago (a restart) time to let its port go."""
    deadline = time.monotonic() + wait
    while not port_is_free(port):
        if time.monotonic() >= deadline:
            holders = ", ".join(listeners_of(port)) or "another program"
            raise PortalError(
                f"{service} cannot start: port {port} on {HOST} is already in use by "
                f"{holders}. Stop that program or choose another port, e.g. "
                f"`{env_name}={port + 1} make portal-up`."
            )
        time.sleep(0.25)


def listeners_of(port: int) -> list[str]:
    """``name (pid N)`` of each process listening on TCP ``port``, as far as /proc shows
    (another user's processes stay hidden unless we are root)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                # local address is hex ip:port; state 0A is LISTEN; field 9 the inode
                if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                    inodes.add(f"socket:[{fields[9]}]")
    holders = []
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        with contextlib.suppress(OSError):
            if any(os.readlink(fd) in inodes for fd in fd_dir.iterdir()):
                name = (fd_dir.parent / "comm").read_text().strip()
                holders.append(f"{name} (pid {fd_dir.parent.name})")
    return holders


def http_ok(url: str, timeout: float = 2.0) -> bool:
    try:
        # only ever our own loopback http:// URLs
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def answers_within(url: str, seconds: float) -> bool:
    """Poll ``url`` until it answers 200, for up to ``seconds``: a service starting, or a
    running CKAN whose two workers are both busy (a long upload, a browser's requests),
    which one check would take for down."""
    deadline = time.monotonic() + seconds
    while True:
        if http_ok(url):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.25)


def wait_for_http(url: str, timeout: float, log_file: Path, service: str) -> float:
    """Poll ``url`` until it answers 200; return seconds waited or fail with the log tail."""
    started = time.monotonic()
    if answers_within(url, timeout):
        return time.monotonic() - started
    raise PortalError(
        f"{service} did not answer at {url} within {timeout:.0f} s.\n"
        f"Last lines of {log_file}:\n{tail(log_file)}"
    )


def tail(path: Path, lines: int = 20) -> str:
    try:
        content = path.read_text(errors="replace").splitlines()
    except OSError:
        return "  (no log written)"
    return "\n".join("  " + line for line in content[-lines:]) or "  (log is empty)"
