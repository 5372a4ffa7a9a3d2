"""``make publish-plan`` end to end: the real pipeline publishes the sample city's first
three systems to the local CKAN (the others have not delivered yet: their datasets wait,
in the run as in the plan), the plan says "no changes"; a new 311 extract is ingested
and the warehouse rebuilt with its gates (publication not run), and the plan lists
exactly the rows the portal will get, checked against the portal's DataStore and the
warehouse row by row; the portal is left exactly as it was."""

from __future__ import annotations

import csv
import re
import subprocess
import sys

import dagster as dg
import duckdb
import pytest

from dagster_project.defs.quality.score import SCORES_KEY as QUALITY_SCORES
from dagster_project.lib.dictionary import load_dictionary
from dagster_project.settings import PROJECT_DIR, get_settings
from publish.ckan.mapping import package_name
from publish.ckan.publisher import CkanPublisher
from sample_data import generate

pytestmark = pytest.mark.portal
SCALE = 0.05  # 2,500 service requests
# The first three systems deliver, the others wait: what the plan computes is the same for
# every dataset, and each published dataset costs the run CKAN calls (the suite's time)
DELIVERING = {"crm311", "permits", "payments"}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, portal):
    folder = tmp_path_factory.mktemp("plan-data")
    patcher = pytest.MonkeyPatch()
    patcher.setenv("PLATFORM_DATA_DIR", str(folder))
    get_settings.cache_clear()
    yield folder
    patcher.undo()
    get_settings.cache_clear()


def run(asset_filter=None):
    """The city's pipeline on a persistent instance (publish-plan reads its event log)."""
    from dagster_project.cli.serve import dagster_home
    from dagster_project.definitions import definitions

    job = definitions().resolve_job_def("city_pipeline")
    with dg.DagsterInstance.from_config(str(dagster_home(get_settings()))) as instance:
        selection = None
        if asset_filter is not None:
            selection = [k for k in job.asset_layer.executable_asset_keys if asset_filter(k)]
        return job.execute_in_process(
            instance=instance, raise_on_error=False, asset_selection=selection
        )


def portal_state(sysadmin) -> list[tuple]:
    listed = sysadmin.action.package_search(q="*:*", rows=1000, include_private=True)
    return sorted(
        (p["name"], p["metadata_modified"], tuple(r["last_modified"] or "" for r in p["resources"]))
        for p in listed["results"]
    )


def datastore_rows(sysadmin, dataset) -> dict[tuple, dict]:
    package = sysadmin.action.package_show(id=package_name(dataset.id))
    csv_resource = next(r for r in package["resources"] if r["name"] == f"{dataset.title} (CSV)")
    records = sysadmin.action.datastore_search(resource_id=csv_resource["id"], limit=32000)
    return {tuple(str(r[k]) for k in dataset.key_columns): r for r in records["records"]}


def warehouse_rows(data_dir, dataset) -> dict[tuple, tuple]:
    conn = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        cursor = conn.execute(f"SELECT * FROM open_data.{dataset.model}")
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    finally:
        conn.close()
    return {tuple(str(r[k]) for k in dataset.key_columns): r for r in rows}


def test_no_changes_then_exactly_the_rows_of_a_new_extract(data_dir, sysadmin):
    from dagster_project.cli.publish_plan import make_plan

    generate(data_dir / "landing", scale=SCALE, seed=7, systems=DELIVERING)
    first = run()
    assert first.success
    waited = {
        e.asset_key.path[1]
        for e in first.all_events
        if e.event_type_value == "ASSET_MATERIALIZATION"
        and e.asset_key.path[0] == "portal"
        and "waiting_for" in e.event_specific_data.materialization.metadata
    }
    publisher = CkanPublisher(sysadmin)
    printed = subprocess.run(
        [sys.executable, "-m", "dagster_project.cli.publish_plan"],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert printed.returncode == 0, printed.stderr
    # the systems that never delivered: their datasets wait, in the run as in the plan
    waits, last = printed.stdout.strip().splitlines()
    assert waits.startswith("warning: ") and "wait for the first delivery of their sources" in waits
    listed = set(re.findall(r"(\w+) \(from ", waits))
    assert listed == waited and "fire_inspections" in listed, waits
    assert last == "no changes"

    # the 311 system's next export: ten open 2024 requests now closed, ten new ones
    source = data_dir / "landing" / "crm311" / "SR_EXPORT_2024.csv"
    with source.open(encoding="cp1252", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    opened = [r for r in body if r[3] == "Open"][:10]
    closed = [[r[0], r[1], "01/15/2025 09:00:00 AM", "Closed", *r[4:]] for r in opened]
    # (copies of the export's last requests under new ids, one per id)
    last_rows = {r[0]: r for r in reversed(body) if r[0].startswith("SR-2024-")}
    new = [[r[0].replace("SR-2024-", "SR-2026-"), *r[1:]] for r in list(last_rows.values())[:10]]
    assert len({r[0] for r in closed}) == len(new) == 10
    delta = data_dir / "landing" / "crm311" / "SR_EXPORT_2026-01-delta.csv"
    with delta.open("w", encoding="cp1252", newline="") as handle:
        csv.writer(handle, quoting=csv.QUOTE_ALL).writerows([header, *closed, *new])

    before = portal_state(sysadmin)
    text, _ = make_plan(publisher)
    assert text.startswith("warning: crm311: 1 extract(s) in the landing folder not ingested")
    assert "no changes" in text  # the warehouse still has the old rows

    # ingested, the warehouse not rebuilt yet: said, and the models' rows are the old ones
    # (the quality score's step is left out: it measures after publication and shows the
    # score on the portal, which would change the portal this test watches)
    assert run(lambda key: key.path[0] == "raw" and key != QUALITY_SCORES).success
    text, _ = make_plan(publisher)
    assert "warning: service_requests: the warehouse was not rebuilt since new extracts of " in text
    assert "not ingested" not in text and text.endswith("no changes")

    # ingest and rebuild with the gates; the portal's assets are not run
    assert run(lambda key: key.path[0] != "portal" and key != QUALITY_SCORES).success
    text, _ = make_plan(publisher)
    assert "not ingested" not in text and "not rebuilt" not in text
    dataset = load_dictionary().datasets["service_requests"]
    # the truth, from the portal's table and the warehouse: the new requests are the rows
    # the portal lacks; the closed ones are on both sides
    portal, warehouse = datastore_rows(sysadmin, dataset), warehouse_rows(data_dir, dataset)
    assert sorted(k[0] for k in set(warehouse) - set(portal)) == sorted(r[0] for r in new)
    assert not set(portal) - set(warehouse)
    block = _dataset_block(text, dataset.id)
    assert not [line for line in block if line.startswith("gates")]  # they passed
    assert block[0] == f"rows: +10 added, ~10 changed, -0 removed ({len(warehouse):,} rows after)"
    assert [line for line in block if line.startswith(("added", "changed", "removed"))] == [
        *[f"added request_id={r[0]!r}" for r in sorted(new)],
        *[line for line in block if line.startswith("changed")],
    ]
    changed_ids = [line.split()[1].split("=", 1)[1] for line in block if line.startswith("changed")]
    assert changed_ids == [repr(r[0]) for r in sorted(closed)]
    for line in block:
        if line.startswith("changed"):
            assert "status: " in line and "closed_at: null -> " in line, line
    assert portal_state(sysadmin) == before  # read-only: the portal is as it was


def _dataset_block(text: str, dataset_id: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index(f"{dataset_id}:") + 1
    block = []
    for line in lines[start:]:
        if not line.startswith(" "):
            break
        block.append(line.strip())
    return block


def test_without_a_warehouse_the_plan_says_so(tmp_path):
    import os

    printed = subprocess.run(
        [sys.executable, "-m", "dagster_project.cli.publish_plan"],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PLATFORM_DATA_DIR": str(tmp_path)},
    )  # fmt: skip
    assert printed.returncode == 2
    assert printed.stderr.strip() == (
        "publish-plan: no warehouse yet: run the pipeline first (make pipeline)"
    )


@pytest.fixture
def scratch_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("PLATFORM_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_a_dataset_whose_first_extracts_landed_is_said_to_publish_next(scratch_data_dir):
    from dagster_project.cli.publish_plan import waiting_lines, warehouse_warnings

    # a first fire-inspections export landed, nothing ingested yet (an empty warehouse)
    generate(scratch_data_dir / "landing", scale=0.01, seed=1, systems={"fire_inspections"})
    warnings, not_ingested = warehouse_warnings(duckdb.connect(), load_dictionary(), get_settings())
    assert not_ingested == {"fire_inspections"}
    assert warnings[0].startswith("fire_inspections: ")
    lines = waiting_lines(
        {"fire_inspections": ["fire_inspections"], "foi_requests": ["foi_requests"]},
        not_ingested,
    )
    assert len(lines) == 2, lines
    assert lines[0].startswith("1 dataset(s) wait for the first delivery") and (
        "foi_requests (from foi_requests)" in lines[0]
    )
    assert "first extracts in the next run" in lines[1]
    assert "fire_inspections (from fire_inspections)" in lines[1]
