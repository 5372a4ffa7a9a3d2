"""The local portal keeps private things private, and runs with least privilege.

Against the real local CKAN portal (the ``portal`` fixture starts it when needed):
anonymous visitors learn nothing about private or draft datasets through any listing
action, user details are not public, CKAN runs as an unprivileged user, Redis wants a
password, every request lands in the access log, and the secret files are 0600.
"""

from __future__ import annotations

import os
import pwd
import socket
import stat
import time
from pathlib import Path

import ckanapi
import pytest
import requests

from publish.portal.services import CKAN_OS_USER, Ckan
from publish.portal.settings import load_settings

pytestmark = pytest.mark.portal

SECRET_WORD = "zqxsecret"  # appears only in the private and draft datasets


@pytest.fixture(scope="module")
def hidden(sysadmin, make_organization, run_id, tmp_path_factory):
    """A public dataset, a private one (with an upload and a DataStore table), a draft."""
    org = make_organization("access", "Access Test Division")
    public = sysadmin.action.package_create(
        name=f"access-public-{run_id}",
        title="Public access test",
        owner_org=org["id"],
        tags=[{"name": f"publictag{run_id}"}],
    )
    private = sysadmin.action.package_create(
        name=f"access-private-{run_id}",
        title=f"Private {SECRET_WORD}",
        owner_org=org["id"],
        private=True,
        tags=[{"name": f"{SECRET_WORD}{run_id}"}],
    )
    draft = sysadmin.action.package_create(
        name=f"access-draft-{run_id}",
        title=f"Draft {SECRET_WORD}",
        owner_org=org["id"],
        state="draft",
        tags=[{"name": f"{SECRET_WORD}draft{run_id}"}],
    )
    upload = tmp_path_factory.mktemp("access") / "secret.csv"
    upload.write_text(f"ward,note\n1,{SECRET_WORD}\n")
    with upload.open("rb") as handle:
        uploaded = sysadmin.action.resource_create(
            package_id=private["id"], name="secret upload", upload=handle
        )
    table = sysadmin.action.datastore_create(
        resource={"package_id": private["id"], "name": "secret table"},
        fields=[{"id": "ward", "type": "text"}, {"id": "note", "type": "text"}],
        records=[{"ward": "1", "note": SECRET_WORD}],
        force=True,
    )
    return {
        "org": org,
        "public": public,
        "private": private,
        "draft": draft,
        "upload": uploaded,
        "table_id": table["resource_id"],
    }


def _secret_free(value) -> bool:
    return SECRET_WORD not in str(value)


def test_member_list_is_refused_to_anonymous(anonymous, sysadmin, hidden):
    with pytest.raises(ckanapi.NotAuthorized):
        anonymous.action.member_list(id=hidden["org"]["id"], object_type="package")
    # the sysadmin still sees every member, private and draft included
    ids = {m[0] for m in sysadmin.action.member_list(id=hidden["org"]["id"])}
    assert {hidden["private"]["id"], hidden["draft"]["id"]} <= ids


def test_tag_list_hides_tags_of_private_and_draft_datasets(anonymous, sysadmin, hidden, run_id):
    anonymous_tags = anonymous.action.tag_list()
    assert f"publictag{run_id}" in anonymous_tags
    assert all(_secret_free(tag) for tag in anonymous_tags)
    assert all(_secret_free(tag) for tag in anonymous.action.tag_list(query=SECRET_WORD))
    assert anonymous.action.tag_autocomplete(q=SECRET_WORD) == []
    assert anonymous.action.tag_search(query=SECRET_WORD)["results"] == []
    admin_tags = sysadmin.action.tag_list()
    assert f"{SECRET_WORD}{run_id}" in admin_tags and f"{SECRET_WORD}draft{run_id}" in admin_tags


def test_user_list_and_user_show_are_refused_to_anonymous(anonymous, portal):
    with pytest.raises(ckanapi.NotAuthorized):
        anonymous.action.user_list()
    with pytest.raises(ckanapi.NotAuthorized):
        anonymous.action.user_show(id="city_admin")
    # and over plain HTTP, the sysadmin's name does not appear
    answer = requests.get(f"{portal.url}/api/3/action/user_list", timeout=30)
    assert answer.status_code == 403 and "city_admin" not in answer.text


def test_private_and_draft_datasets_stay_hidden(anonymous, hidden):
    for dataset in (hidden["private"], hidden["draft"]):
        with pytest.raises((ckanapi.NotAuthorized, ckanapi.NotFound)):
            anonymous.action.package_show(id=dataset["id"])
    found = anonymous.action.package_search(
        q=SECRET_WORD, include_private=True, include_drafts=True, rows=100
    )
    assert found["count"] == 0 and _secret_free(found)
    org_search = anonymous.action.package_search(
        fq=f'owner_org:"{hidden["org"]["id"]}"', include_private=True, include_drafts=True
    )
    assert [d["name"] for d in org_search["results"]] == [hidden["public"]["name"]]


def test_private_datastore_table_and_download_stay_hidden(anonymous, portal, hidden):
    with pytest.raises((ckanapi.NotAuthorized, ckanapi.NotFound)):
        anonymous.action.datastore_search(resource_id=hidden["table_id"])
    download = requests.get(hidden["upload"]["url"], timeout=30, allow_redirects=False)
    assert download.status_code in (403, 404)
    assert _secret_free(download.text)


def test_ckan_workers_run_as_the_unprivileged_user():
    if os.geteuid() != 0:
        pytest.skip("CKAN runs as the invoking user when the portal is not started as root")
    master = Ckan(load_settings()).pid
    assert master is not None
    uid = pwd.getpwnam(CKAN_OS_USER).pw_uid
    workers = [
        int(entry.name)
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit() and _ppid(entry) == master
    ]
    assert workers, "gunicorn has no workers"
    for pid in [master, *workers]:
        assert _uid(pid) == uid, f"gunicorn process {pid} does not run as {CKAN_OS_USER}"


def _status_field(pid: int | Path, name: str) -> str | None:
    try:
        for line in (
            Path("/proc") / str(pid if isinstance(pid, int) else pid.name) / "status"
        ).open():
            if line.startswith(name + ":"):
                return line.split()[1]
    except OSError:
        return None
    return None


def _ppid(entry: Path) -> int | None:
    value = _status_field(entry, "PPid")
    return int(value) if value else None


def _uid(pid: int) -> int | None:
    value = _status_field(pid, "Uid")
    return int(value) if value else None


def test_redis_refuses_unauthenticated_commands():
    settings = load_settings()
    with socket.create_connection(("127.0.0.1", settings.redis_port), timeout=5) as conn:
        conn.sendall(b"PING\r\n")
        assert conn.recv(128).startswith(b"-NOAUTH")


def test_access_log_gets_a_line_per_request(portal):
    log = load_settings().log_dir / "ckan-access.log"
    marker = f"access-log-probe-{time.monotonic_ns()}"
    requests.get(f"{portal.url}/api/3/action/status_show?probe={marker}", timeout=30)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if marker in log.read_text(errors="replace"):
            return
        time.sleep(0.2)
    pytest.fail(f"{log} has no line for the request")


def test_secret_files_are_0600_and_not_world_readable():
    settings = load_settings()
    secret_files = [
        settings.api_token_file,
        settings.secrets_file,
        settings.ckan_ini,
        settings.portal_dir / "redis" / "redis.conf",
    ]
    for path in secret_files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    if os.geteuid() == 0:
        # only CKAN's config is CKAN's; the token and the other secrets stay root's
        ckan_uid = pwd.getpwnam(CKAN_OS_USER).pw_uid
        assert settings.ckan_ini.stat().st_uid == ckan_uid
        assert settings.secrets_file.stat().st_uid == 0
        assert settings.api_token_file.stat().st_uid == 0
