"""A dbt process started before the run needs it, so its import overlaps the run.

dbt spends 1.2-1.7 s importing itself before it reads the project: on this 2-core machine
a fifth of the warehouse step of a 1% delta run. A run that will build the warehouse
starts one dbt process at its beginning: the command line (cli/pipeline.py) as its first
act, a run the daemon launches when its resources start (``CityDbtCliResource`` in
defs/resources.py). It imports dbt on the other core while the run starts and ingests,
then waits on a Unix socket for one build. When the warehouse step runs dbt, the process
dagster-dbt starts (``scripts/dbt-bound-to-parent``, ``cli/dbt_process.py``) hands its
arguments, working folder, environment and standard streams to the waiting process,
forwards Ctrl-C and SIGTERM to it, and exits with its status: dagster-dbt sees the same
output and status as from a dbt it started itself. (Measured on the 1% delta of
``benchmarks/pipeline.py --scale 20``: the warehouse step went from 9.2 s to 7.0 s, with
lib/lean_process.py.)

Each waiting process serves one build and ends. A build that finds none (a second dbt
command in the run, a process that failed to import) starts dbt in its own process, as
before. Both processes die with the run's process (``setpriv --pdeathsig``), and the run
ends an unused one (``WarmDbt.stop``).

The protocol, on a socket in a private (0700) folder: the client sends an 8-byte length
with its three standard streams (SCM_RIGHTS), then the request as JSON; the server sends
its pid when it takes the request (the client forwards signals there), one byte when it
starts the build, then the build's exit status (4 bytes each).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dagster_project.settings import PRIVATE_UMASK

SOCKET_ENV = "CITY_DBT_WARM_SOCKET"  # where the run's waiting dbt listens
STARTED = b"S"
STATUS = struct.Struct("!i")
PID = struct.Struct("!i")
LENGTH = struct.Struct("!Q")
# an unused waiting process ends by itself after this long, whatever happens to the run
WAIT_FOR_BUILD_S = 3 * 3600
# the status a build reports when its dbt process vanished mid-build (dbt's own status
# for "an error dbt did not handle")
VANISHED = 2


@dataclass
class WarmDbt:
    """The run's waiting dbt process and its socket."""

    process: subprocess.Popen
    folder: Path

    @property
    def socket_path(self) -> Path:
        return self.folder / "dbt.sock"

    def stop(self) -> None:
        """End the process if it is still waiting (or building: the run is over), and
        remove its folder."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_warm_dbt(python: str) -> WarmDbt:
    """Start a dbt process that imports dbt and waits for one build. The socket listens
    before this returns (the process inherits it): a build asked for at once waits for
    the import rather than missing the process and starting a second dbt."""
    folder = Path(tempfile.mkdtemp(prefix="city-dbt-"))  # 0700: only this user connects
    socket_path = folder / "dbt.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(str(socket_path))
        listener.listen(1)
        process = subprocess.Popen(  # noqa: S603 (our Python, fixed arguments)
            [
                "setpriv",
                "--pdeathsig",
                "TERM",
                "--",  # it dies with the run's process
                python,
                "-m",
                "dagster_project.cli.dbt_process",
                "--serve-one-build",
                str(listener.fileno()),
                str(socket_path),
            ],  # fmt: skip
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=[listener.fileno()],
            # the warehouse, its log and dbt's files are residents' data: the user's only,
            # whatever the umask of the process that starts it (a request does not carry it)
            umask=PRIVATE_UMASK,
            # its own session: a terminal's Ctrl-C reaches it once, through the build's
            # process (forwarded), not also directly (a second interrupt in dbt can cut
            # its cancellation short); it still dies with the run (pdeathsig, stop())
            start_new_session=True,
        )
    finally:
        listener.close()  # the process has its own copy
    return WarmDbt(process, folder)


# --- the waiting process ---------------------------------------------------------------


def inherited_listener(fd: int) -> socket.socket:
    """The listening socket ``start_warm_dbt`` handed down."""
    return socket.socket(fileno=fd)


def serve_one_build(
    listener: socket.socket,
    socket_path: Path,
    run_dbt: Callable[[list[str]], int],
    before_build: Callable[[], None] = lambda: None,
) -> int:
    """Take one request, run ``run_dbt`` on its arguments with the client's streams,
    folder and environment, and send it the status, which is also returned.
    ``before_build`` runs once the request is in, before this process takes its folder and
    environment (the parse ahead, lib/dbt_parse_ahead.py, ends there); if it raises, no
    build starts and the client runs dbt itself."""
    listener.settimeout(WAIT_FOR_BUILD_S)
    try:
        connection, _ = listener.accept()
    finally:
        listener.close()  # one build: a later dbt command starts its own process
        socket_path.unlink(missing_ok=True)
    with connection:
        connection.settimeout(None)
        connection.sendall(PID.pack(os.getpid()))  # where the client forwards its signals
        request = _receive_request(connection)
        before_build()
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        # dagster-dbt reads the events as they come (the client's PYTHONUNBUFFERED
        # arrives too late for this interpreter's streams)
        sys.stdout.reconfigure(line_buffering=True)
        sys.stderr.reconfigure(line_buffering=True)
        sys.argv = ["dbt", *request["args"]]  # dbt records its command line from it
        connection.sendall(STARTED)
        status = run_dbt(request["args"])
        for stream in (sys.stdout, sys.stderr):
            stream.flush()  # all of dbt's output is in the pipe before the status
        connection.sendall(STATUS.pack(status))
    return status


def _receive_request(connection: socket.socket) -> dict:
    header, fds, _, _ = socket.recv_fds(connection, LENGTH.size, 3)
    if len(header) != LENGTH.size or len(fds) != 3:
        raise ConnectionError("a dbt client sent an incomplete request")
    for target, fd in enumerate(fds):  # the client's stdin, stdout, stderr become ours
        os.dup2(fd, target)
        os.close(fd)
    (length,) = LENGTH.unpack(header)
    return json.loads(_receive_exactly(connection, length))


def _receive_exactly(connection: socket.socket, count: int) -> bytes:
    chunks, left = [], count
    while left:
        chunk = connection.recv(min(left, 1 << 16))
        if not chunk:
            raise ConnectionError("the connection closed mid-message")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


# --- the process dagster-dbt starts -----------------------------------------------------


def hand_over(args: list[str]) -> int | None:
    """Run the build ``args`` in the run's waiting dbt process. Returns its exit status,
    or None when there is none to take it (no socket, gone, failed before the build
    started): the caller then runs dbt itself."""
    path = os.environ.get(SOCKET_ENV)
    if not path:
        return None
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(path)
    except OSError:
        connection.close()
        return None
    previous = {signum: signal.getsignal(signum) for signum in FORWARDED}
    forwarding = _Forwarding()
    try:
        for signum in FORWARDED:
            signal.signal(signum, forwarding.handle)
        with connection:
            status = _run_there(connection, args, forwarding)
    finally:  # the caller may run dbt itself next: Ctrl-C and SIGTERM must reach it
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return forwarding.status_if_stopped() if status is None else status


FORWARDED = (signal.SIGINT, signal.SIGTERM)
# How long a build waits for the waiting process to finish importing dbt before it runs
# dbt itself (the import takes 1-2 s; a process stuck there must not hold the build)
WAIT_FOR_IMPORT_S = 60


class _Forwarding:
    """Ctrl-C and SIGTERM, sent on to the waiting process once its pid is known (one
    that comes before is sent on when it is)."""

    def __init__(self) -> None:
        self.pid: int | None = None
        self.signal: int | None = None

    def handle(self, signum: int, frame) -> None:
        self.signal = self.signal or signum
        if self.pid is not None:
            self.send(signum)

    def send(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signum)

    def status_if_stopped(self) -> int | None:
        return 128 + self.signal if self.signal else None


def _run_there(connection: socket.socket, args: list[str], forwarding: _Forwarding) -> int | None:
    request = json.dumps({"args": args, "cwd": os.getcwd(), "env": dict(os.environ)})
    try:
        connection.settimeout(WAIT_FOR_IMPORT_S)
        # buffered by the kernel until the waiting process accepts
        socket.send_fds(connection, [LENGTH.pack(len(request))], [0, 1, 2])
        connection.sendall(request.encode())
        (forwarding.pid,) = PID.unpack(_receive_exactly(connection, PID.size))
        if forwarding.signal:  # stopped while the process was still importing
            forwarding.send(forwarding.signal)
        started = connection.recv(1) == STARTED
    except (OSError, ConnectionError):
        started = False
    if not started:  # it failed (or was stopped) before the build: none was run
        return forwarding.status_if_stopped()
    connection.settimeout(None)  # a build takes as long as it takes
    try:
        return STATUS.unpack(_receive_exactly(connection, STATUS.size))[0]
    except (OSError, ConnectionError):
        if forwarding.signal:
            return forwarding.status_if_stopped()
        os.write(2, b"dbt: the build's process ended without an exit status\n")
        return VANISHED
