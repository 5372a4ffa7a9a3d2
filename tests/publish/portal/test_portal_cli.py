"""make portal-up/-down/-status: idempotent, secret-keeping, clear when something is wrong."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import sys
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
import requests

from publish.portal.errors import PortalError
from publish.portal.processes import read_pid, require_free_port
from publish.portal.services import Ckan, Postgres, Redis
from publish.portal.settings import PROJECT_DIR, load_settings


def portal_cli(*args: str, city_dir=None) -> subprocess.CompletedProcess:
    """``python -m publish.portal <args>`` for the sample city, or the city at ``city_dir``."""
    env = {k: v for k, v in os.environ.items() if k != "PLATFORM_CITY_DIR"}
    if city_dir is not None:
        env["PLATFORM_CITY_DIR"] = str(city_dir)
    return subprocess.run(
        [sys.executable, "-m", "publish.portal", *args],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )


def test_port_in_use_is_a_clear_error():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(
            PortalError, match=f"port {port} .* already in use.*PORTAL_CKAN_PORT"
        ) as refused:
            require_free_port(port, "PORTAL_CKAN_PORT", "CKAN")
        # the holder is named, so the user knows what to stop
        assert f"(pid {os.getpid()})" in str(refused.value)


def test_ports_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("PORTAL_CKAN_PORT", "6123")
    assert load_settings().site_url == "http://127.0.0.1:6123"
    monkeypatch.setenv("PORTAL_CKAN_PORT", "eighty")
    with pytest.raises(PortalError, match="not a port number"):
        load_settings()
    result = subprocess.run(
        [sys.executable, "-m", "publish.portal", "status"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PORTAL_CKAN_PORT": "eighty"},
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_postgres_failing_to_start_shows_its_log():
    settings = load_settings()
    scratch = settings.portal_dir.parent / f"test-broken-pg-{uuid.uuid4().hex[:6]}"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    broken = replace(settings, portal_dir=scratch, postgres_port=free_port)
    postgres = Postgres(broken)
    try:
        postgres.data_dir.mkdir(parents=True)
        (postgres.data_dir / "PG_VERSION").write_text("15\n")  # looks initialised, is not
        with pytest.raises(PortalError, match="PostgreSQL failed to start") as failure:
            postgres.start()
        assert str(postgres.log_file) in str(failure.value)
        assert "postgresql.conf" in str(failure.value) or "FATAL" in str(failure.value)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


@pytest.mark.portal
def test_up_when_up_does_nothing_and_never_prints_the_token(portal):
    settings = load_settings()
    token = settings.api_token_file.read_text().strip()
    result = portal_cli("up")
    assert result.returncode == 0
    assert "already up" in result.stdout
    status = portal_cli("status")
    assert status.returncode == 0 and "running" in status.stdout
    for output in (result.stdout, result.stderr, status.stdout, portal_cli("env").stdout):
        assert token not in output


@pytest.mark.portal
def test_secrets_are_private_files(portal):
    settings = load_settings()
    for path in (settings.api_token_file, settings.secrets_file, settings.ckan_ini):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


@pytest.mark.portal
def test_restart_keeps_the_data(portal, sysadmin, organization, run_id, tmp_path):
    upload = tmp_path / "kept.csv"
    upload.write_text("ward,count\n1,5\n")
    dataset = sysadmin.action.package_create(
        name=f"survives-restart-{run_id}", title="Survives a restart", owner_org=organization["id"]
    )
    with upload.open("rb") as handle:
        resource = sysadmin.action.resource_create(
            package_id=dataset["id"], name="kept", upload=handle
        )
    settings = load_settings()
    pid_files = [
        settings.run_dir / "ckan.pid",
        settings.run_dir / "redis.pid",
        settings.postgres_dir / "cluster" / "postmaster.pid",
    ]

    assert portal_cli("down").returncode == 0
    assert all(read_pid(pid_file) is None for pid_file in pid_files)
    assert portal_cli("status").returncode != 0

    started = portal_cli("up")
    assert started.returncode == 0, started.stderr
    assert sysadmin.action.package_show(id=dataset["name"])["title"] == "Survives a restart"
    assert requests.get(resource["url"], timeout=30).content == upload.read_bytes()
    assert (
        sysadmin.action.package_search(q="restart", fq=f'owner_org:"{organization["id"]}"')["count"]
        == 1
    )


def test_postgres_moves_out_of_a_private_folder_when_root(tmp_path, monkeypatch):
    from publish.portal.settings import world_traversable

    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    assert not world_traversable(private / "clone" / "data" / "portal")
    monkeypatch.setenv("PORTAL_DATA_DIR", str(private / "clone" / "data" / "portal"))
    settings = load_settings()
    if os.geteuid() == 0:
        assert str(settings.postgres_dir).startswith("/var/tmp/city-portal-postgres-")
        assert settings.postgres_dir == load_settings().postgres_dir  # stable across starts
    else:
        assert settings.postgres_dir == settings.portal_dir / "postgres"


def test_the_servers_carry_none_of_the_environment_of_the_process_that_started_them(
    portal, tmp_path
):
    """Stopped and started again by a process with a setting and a secret in its
    environment (as a pipeline run restarts CKAN when its plugin changed), CKAN,
    PostgreSQL and Redis keep neither."""
    marker = f"city-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "PLATFORM_DATA_DIR": str(tmp_path), "ALERT_SMTP_PASSWORD": marker}
    for command in ("down", "up"):
        done = subprocess.run(
            [sys.executable, "-m", "publish.portal", command],
            cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
    settings = load_settings()
    for server in (Postgres(settings), Redis(settings), Ckan(settings)):
        environ = Path(f"/proc/{server.pid}/environ").read_bytes()
        assert marker.encode() not in environ, type(server).__name__
        assert b"PLATFORM_DATA_DIR" not in environ, type(server).__name__
