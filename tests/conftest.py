"""Session fixtures shared by every test: the real local CKAN portal.

The portal is started once per test session (or reused if already up) and stopped
at the end only if this session started it, so CI leaves no process behind and a
developer's running portal stays up. Set CKAN_URL (+ CKAN_API_TOKEN) to test
against another portal instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import uuid

import pytest

from publish.ckan.connection import CkanConnection
from publish.portal.connection import portal_connection
from publish.portal.settings import PROJECT_DIR


def _portal_command(command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "publish.portal", command],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="session")
def portal() -> CkanConnection:
    if os.environ.get("CKAN_URL"):
        yield portal_connection()
        return
    already_up = _portal_command("status").returncode == 0
    if not already_up:
        started = _portal_command("up")
        if started.returncode != 0:
            pytest.fail(f"the local portal did not start:\n{started.stdout}\n{started.stderr}")
    yield portal_connection()
    if not already_up:
        _portal_command("down")


@pytest.fixture(scope="session")
def run_id() -> str:
    """A short id that keeps this session's datasets apart from earlier ones."""
    return uuid.uuid4().hex[:8]


@pytest.fixture(scope="session")
def sysadmin(portal):
    return portal.client(authenticated=True)


@pytest.fixture(scope="session")
def anonymous(portal):
    return portal.client(authenticated=False)


@pytest.fixture(scope="session")
def make_organization(sysadmin, run_id):
    """Create organizations for this session; they and their datasets are purged at the end."""
    created = []

    def make(slug: str, title: str) -> dict:
        org = sysadmin.action.organization_create(
            name=f"test-{slug}-{run_id}",
            title=title,
            description="Owns the datasets one test session creates.",
        )
        created.append(org)
        return org

    yield make
    for org in created:
        for dataset in sysadmin.action.package_search(
            fq=f'owner_org:"{org["id"]}"', include_private=True, include_drafts=True, rows=1000
        )["results"]:
            sysadmin.action.dataset_purge(id=dataset["id"])
        sysadmin.action.organization_purge(id=org["id"])


@pytest.fixture(scope="session")
def organization(make_organization):
    return make_organization("division", "Open Data Test Division")


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--window-size=1280,2000",
]


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (Debian's chromium + chromium-driver, `make browser-deps`)."""
    webdriver = pytest.importorskip("selenium.webdriver")
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver):
        pytest.fail("chromium and chromium-driver are missing: run `make browser-deps`")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    # An explicit driver path: Selenium Manager would try to download one.
    session = webdriver.Chrome(
        service=webdriver.ChromeService(executable_path=driver), options=options
    )
    session.set_page_load_timeout(60)
    yield session
    session.quit()
    shutil.rmtree(profile, ignore_errors=True)
