"""The pipeline's dbt (scripts/dbt-bound-to-parent -> cli/dbt_process.py) answers as the
dbt command does: same output, same exit status, the warehouse closed at its end."""

import gc
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from dagster_project.lib.lean_process import exit_status
from dagster_project.lib.warm_dbt import SOCKET_ENV, start_warm_dbt

PROJECT = Path(__file__).resolve().parents[2]
BOUND_DBT = PROJECT / "scripts" / "dbt-bound-to-parent"


def _dbt(*args: str, cwd: Path = PROJECT, **env: str) -> subprocess.CompletedProcess:
    env = {**_outside_the_project(), "CITY_DBT_PYTHON": sys.executable, **env}
    return subprocess.run(
        [str(BOUND_DBT), *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def _outside_the_project() -> dict[str, str]:
    """This process's environment without dbt's variables: the test session sets
    DBT_TARGET_PATH to the project's target folder (dbt_environment()), where a probe
    project's build would write its 2-model manifest over the project's."""
    return {k: v for k, v in os.environ.items() if not k.startswith("DBT_")}


@pytest.fixture
def probe_project(tmp_path) -> Path:
    """A one-model dbt project on a DuckDB file of its own."""
    project = tmp_path / "project"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text(
        "name: probe\nversion: '1.0.0'\nprofile: probe\nmodel-paths: [models]\n"
    )
    (project / "profiles.yml").write_text(
        "probe:\n  target: local\n  outputs:\n    local:\n      type: duckdb\n"
        f"      path: {tmp_path / 'probe.duckdb'}\n"
    )
    (project / "models" / "numbers.sql").write_text(
        "{{ config(materialized='table') }} select range as n from range(100000)"
    )
    return project


def test_it_exits_with_dbts_status_and_names_itself_dbt():
    assert _dbt("--version").returncode == 0
    wrong = _dbt("no-such-command")
    assert wrong.returncode == 2  # click's status for a usage error, as `dbt` gives
    assert "Usage: dbt " in wrong.stderr


@pytest.mark.parametrize(("code", "status"), [(None, 0), (0, 0), (1, 1), (2, 2), ("oops", 1)])
def test_exit_status_is_what_sys_exit_would_give(code, status):
    assert exit_status(code) == status


def test_a_build_leaves_the_warehouse_checkpointed_and_closed(probe_project):
    """dbt-duckdb closes its database in an exit handler: the quick exit still runs it, so
    no write-ahead log is left for the next reader to replay."""
    built = _dbt("build", "--profiles-dir", ".", "--no-write-json", cwd=probe_project)
    assert built.returncode == 0, built.stdout + built.stderr
    warehouse = probe_project.parent / "probe.duckdb"
    assert not warehouse.with_suffix(".duckdb.wal").exists()
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        assert conn.sql("select count(*) from numbers").fetchone() == (100000,)


def test_a_build_runs_in_the_dbt_process_started_ahead_with_the_builds_folder_and_env(
    probe_project,
):
    warm = start_warm_dbt(sys.executable)
    try:
        built = _dbt(
            "build", "--profiles-dir", ".", "--no-write-json", "--log-format", "json",
            cwd=probe_project, **{SOCKET_ENV: str(warm.socket_path)},
        )  # fmt: skip
        assert built.returncode == 0, built.stdout + built.stderr
        assert '"name": "LogModelResult"' in built.stdout  # dbt's events, on our stdout
        assert warm.process.wait(timeout=10) == 0  # it ran the build, then ended
        assert not warm.socket_path.exists()  # one build only
        # the next dbt command of the run starts its own dbt, as before
        again = _dbt("--version", **{SOCKET_ENV: str(warm.socket_path)})
        assert again.returncode == 0
    finally:
        warm.stop()
    assert not warm.folder.exists()


def test_a_failing_build_reports_dbts_status_through_the_process_started_ahead(probe_project):
    (probe_project / "models" / "broken.sql").write_text("select no_such_column from numbers")
    warm = start_warm_dbt(sys.executable)
    try:
        built = _dbt(
            "build", "--profiles-dir", ".", "--no-write-json",
            cwd=probe_project, **{SOCKET_ENV: str(warm.socket_path)},
        )  # fmt: skip
        assert built.returncode == 1  # dbt's status for "a node failed"
        assert "no_such_column" in built.stdout
    finally:
        warm.stop()


def test_ctrl_c_reaches_the_build_in_the_process_started_ahead(probe_project):
    """dagster-dbt stops a build with SIGINT to the process it started: the build, which
    runs in the other process, stops as a dbt it started would, even when both were
    started by a process that ignores SIGINT (an ignored signal is inherited)."""
    (probe_project / "models" / "slow.sql").write_text(
        "{{ config(materialized='table') }} "
        "select count(*) as n from range(100000000000) a where a.range % 7 = 3"
    )
    ignoring = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        warm = start_warm_dbt(sys.executable)
    finally:
        signal.signal(signal.SIGINT, ignoring)
    try:
        client = subprocess.Popen(
            [str(BOUND_DBT), "run", "--profiles-dir", ".", "--select", "slow"],
            cwd=probe_project,
            env={**_outside_the_project(), SOCKET_ENV: str(warm.socket_path)},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
        )
        output: list[bytes] = []
        reader = threading.Thread(target=lambda: output.extend(client.stdout), daemon=True)
        reader.start()
        deadline = time.monotonic() + 60
        while not any(b"START sql table model" in line for line in output):
            assert time.monotonic() < deadline, f"the build never started: {output}"
            time.sleep(0.2)
        time.sleep(1)
        client.send_signal(signal.SIGINT)
        assert client.wait(timeout=20) != 0
        assert warm.process.wait(timeout=20) is not None  # the build's process ended too
        reader.join(timeout=5)
        assert any(b"CANCEL" in line or b"Aborted" in line for line in output), output
    finally:
        warm.stop()


def test_without_a_process_started_ahead_dbt_runs_in_its_own(tmp_path):
    gone = tmp_path / "no-such.sock"
    assert _dbt("--version", **{SOCKET_ENV: str(gone)}).returncode == 0


def _until_a_model_starts(client: subprocess.Popen) -> list[bytes]:
    output: list[bytes] = []
    threading.Thread(target=lambda: output.extend(client.stdout), daemon=True).start()
    deadline = time.monotonic() + 60
    while not any(b"START sql table model" in line for line in output):
        assert time.monotonic() < deadline, f"the build never started: {output}"
        time.sleep(0.2)
    return output


def test_a_waiting_process_that_fails_before_the_build_leaves_dbt_stoppable(
    probe_project, tmp_path
):
    """The waiting process takes the request and dies before starting the build: dbt
    runs in the build's own process, and SIGTERM (the run killed: pdeathsig) stops it as
    it stops a dbt started directly, not a signal forwarded to nobody."""
    (probe_project / "models" / "slow.sql").write_text(
        "{{ config(materialized='table') }} "
        "select count(*) as n from range(100000000000) a where a.range % 7 = 3"
    )
    path = tmp_path / "dying.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(1)

    def take_and_die() -> None:
        connection, _ = listener.accept()
        connection.close()

    threading.Thread(target=take_and_die, daemon=True).start()
    client = subprocess.Popen(
        [str(BOUND_DBT), "run", "--profiles-dir", ".", "--select", "slow"],
        cwd=probe_project,
        env={
            **_outside_the_project(),
            SOCKET_ENV: str(path),
            "CITY_DBT_PYTHON": sys.executable,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        _until_a_model_starts(client)
        client.send_signal(signal.SIGTERM)
        assert client.wait(timeout=15) != 0
    finally:
        client.kill()
        listener.close()


def test_the_dbt_process_started_ahead_writes_for_its_user_only():
    """It writes the warehouse: its umask is 077 whatever its parent's (the command line
    starts it before anything else)."""
    previous = os.umask(0o022)
    try:
        warm = start_warm_dbt(sys.executable)
    finally:
        os.umask(previous)
    try:
        status = Path(f"/proc/{warm.process.pid}/status").read_text()
        assert "Umask:\t0077" in status
    finally:
        warm.stop()


class _Parse:
    """A parse ahead that ends when the test says so."""

    def __init__(self):
        self.done = threading.Event()

    def result(self, timeout: float = 30):
        assert self.done.wait(timeout)


def test_the_python_functions_warm_up_never_starts_once_the_build_came(monkeypatch):
    """The build sets the process's folder and environment: a warm-up that has not
    started by then does not start (PythonFunctionsAhead.stop), one under way ends first;
    otherwise it runs once the parse ended."""
    import dagster_project.lib.small_cell_protection_plugin as plugin
    from dagster_project.cli.dbt_process import PythonFunctionsAhead

    calls = []
    monkeypatch.setattr(plugin, "prepare_first_call", lambda: calls.append("called"))
    monkeypatch.setattr(gc, "freeze", lambda: None)  # (this process's objects stay collectable)
    parse = _Parse()
    ahead = PythonFunctionsAhead(parse)
    ahead.stop()  # the build came while the parse ran
    parse.done.set()
    ahead.thread.join(5)
    assert calls == [] and not ahead.thread.is_alive()

    parse = _Parse()
    ahead = PythonFunctionsAhead(parse)
    parse.done.set()  # no build yet: the warm-up runs
    ahead.thread.join(5)
    assert calls == ["called"]

    calls.clear()
    entered, release = threading.Event(), threading.Event()

    def slow() -> None:
        entered.set()
        release.wait(5)
        calls.append("finished")

    monkeypatch.setattr(plugin, "prepare_first_call", slow)
    parse = _Parse()
    parse.done.set()
    ahead = PythonFunctionsAhead(parse)
    assert entered.wait(5)
    stopping = threading.Thread(target=lambda: (ahead.stop(), calls.append("stopped")))
    stopping.start()
    release.set()
    stopping.join(5)
    assert calls == ["finished", "stopped"]  # the build waited for the warm-up under way
