"""Session fixtures shared by every test: the real local CKAN portal.

The portal is started once per test session (or reused if already up) and stopped
at the end only if this session started it, so CI leaves no process behind and a
developer's running portal stays up. Set CKAN_URL (+ CKAN_API_TOKEN) to test
against another portal instead.

``make test`` runs the suite on two workers (pytest-xdist, ``-n 2``): most of a test's
time is one Python process (Dagster, dbt) on one core, so a second worker uses the
second core. Each worker has a portal of its own (the second one's data folder and ports
are the first's plus a suffix and an offset): tests that count every dataset on the
portal, or restart CKAN, see only their own worker's. Tests that share more than their
own fixtures (one session-built warehouse; dbt's link to another city) run on one
worker, in turn (``SHARED_GROUPS``), and the longest start first (``LONGEST_FIRST``).
Tests that change what both workers share (CKAN's venv, the dbt project's files) are
marked ``serial``: ``make test`` runs them alone, after the others.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
import uuid

import pytest

from publish.ckan.connection import CkanConnection
from publish.portal.connection import portal_connection
from publish.portal.settings import PROJECT_DIR, load_settings

# Modules that share state beyond their own fixtures: one group each, run on one worker.
SHARED_GROUPS = {
    "tests/departments/": "departments",  # one warehouse built per session (its conftest)
    # these point dbt's link, or the portal, at other cities' folders
    "tests/dagster_project/test_new_city.py": "cities",
    "tests/dagster_project/test_dbt_parse_ahead.py": "cities",
    "tests/publish/portal/test_city_files.py": "cities",
    "tests/publish/portal/test_portal_cli.py": "cities",
}
# The groups that take longest (minutes each, measured on a 2-core machine), started
# first so that none is left running alone at the end; the others follow in collection order.
LONGEST_FIRST = [
    "tests/test_pipeline_e2e.py",
    "tests/hardening/test_kill_and_resume.py",
    "tests/operations/test_daemon_queue.py",
    "departments",
    "cities",
    "tests/dagster_project/test_publish_plan.py",
    "tests/hardening/test_planted_pii.py",
    "tests/dagster_project/test_waiting_sources.py",
]


def pytest_configure(config):
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1, ... under pytest -n
    if worker and worker != "gw0" and not os.environ.get("CKAN_URL"):
        _portal_of_its_own(int(worker.removeprefix("gw")))


def _portal_of_its_own(worker: int) -> None:
    """Point this worker at a portal of its own, beside the first worker's (which is the
    one ``make portal-up`` starts): its data folder gets a suffix, its ports an offset."""
    settings = load_settings()
    folder = settings.portal_dir.with_name(f"{settings.portal_dir.name}-worker{worker}")
    os.environ["PORTAL_DATA_DIR"] = str(folder)
    os.environ["PORTAL_CKAN_PORT"] = str(settings.ckan_port + worker)
    os.environ["PORTAL_PG_PORT"] = str(settings.postgres_port + worker)
    os.environ["PORTAL_REDIS_PORT"] = str(settings.redis_port + worker)


def group_of(nodeid: str) -> str:
    """The group a test runs in: its module's, or the shared group its module is in."""
    path = nodeid.split("::")[0]
    return next((g for prefix, g in SHARED_GROUPS.items() if path.startswith(prefix)), path)


def pytest_collection_modifyitems(config, items):
    """The longest groups first (xdist keeps the order with ``--no-loadscope-reorder``)."""
    rank = {group: i for i, group in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(group_of(item.nodeid), len(rank)))  # stable


@pytest.hookimpl(optionalhook=True)  # xdist's hook: no error when xdist is not loaded
def pytest_xdist_make_scheduler(config, log):
    """With ``--dist loadscope``: xdist's scheduling by scope, with our groups as the
    scopes: all the tests of a group go to one worker, in turn. (Its own ``xdist_group``
    marks do not group under pytest 9: xdist 3.8 renames the tests' ids through an
    attribute pytest no longer reads.) Another ``--dist`` is left to xdist."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return group_of(nodeid)

    return GroupScheduling(config, log)


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
    # One worker at a time installs and starts (apt-get and pip each allow one at a time)
    lock_path = PROJECT_DIR / ".pytest_cache" / "portal-up.lock"
    lock_path.parent.mkdir(exist_ok=True)
    with lock_path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
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
