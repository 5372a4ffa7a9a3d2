"""Versions on the real local CKAN: two publications with a change make version 2 with
exact counts and changelog, the superseded CSV stays downloadable, then goes after the
retention; current files stay first."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime, timedelta

import duckdb
import pytest
import requests

from dagster_project.lib.dictionary import load_dictionary
from dagster_project.lib.exports import export_model, record_batches, row_count
from dagster_project.lib.versions import VersionHistory
from publish.ckan.dataset import publish_dataset
from publish.ckan.mapping import package_facts
from publish.ckan.publisher import CkanPublisher, NoCopyAction, PublishError
from publish.ckan.versions import Versioning, archive_before_comparing

pytestmark = pytest.mark.portal

MONTHS = 12


def month_rows(conn, model: str, months: list[tuple[str, int]]) -> None:
    """``open_data.<model>`` shaped like digital_adoption: one row per month."""
    conn.execute("CREATE SCHEMA IF NOT EXISTS open_data")
    conn.execute(f"DROP TABLE IF EXISTS open_data.{model}")
    conn.execute(
        f"CREATE TABLE open_data.{model} (month DATE, service_requests BIGINT, "
        "online_service_requests BIGINT, share_service_requests_online DOUBLE, payments BIGINT, "
        "online_payments BIGINT, share_payments_online DOUBLE, payments_amount DECIMAL(18,2), "
        "online_payments_amount DECIMAL(18,2))"
    )
    conn.executemany(
        f"INSERT INTO open_data.{model} VALUES (?, ?, ?, 0.5, 10, 5, 0.5, 100.00, 50.00)",
        [(month, requests_, requests_ // 2) for month, requests_ in months],
    )


@pytest.fixture
def test_dataset(run_id, request):
    dictionary = load_dictionary()
    base = dictionary.datasets["digital_adoption"]
    dataset = dataclasses.replace(
        base, id=f"versions_{request.node.name[-12:].strip('_')}_{run_id}".lower()
    )
    return dataset, dictionary.divisions[dataset.owner_division]


def publish(publisher, dataset, division, conn, work, versioning):
    files = export_model(conn, dataset.model, work / dataset.id, dataset.key_columns)
    rows = row_count(conn, dataset.model)
    return publish_dataset(
        publisher, dataset, division, files, rows,
        lambda: record_batches(files["parquet"], 1000), versioning=versioning,
    )  # fmt: skip


def extras(package):
    """The package's facts: schema fields (top level) and extras."""
    return package_facts(package)


def test_two_publications_make_version_2_and_keep_the_previous_file(
    sysadmin, portal, test_dataset, tmp_path
):
    dataset, division = test_dataset
    publisher = CkanPublisher(sysadmin)
    history = VersionHistory(tmp_path / "versions", dataset.id)
    conn = duckdb.connect()
    first_months = [(f"2025-{m:02d}-01", 100 + m) for m in range(1, MONTHS + 1)]
    month_rows(conn, dataset.model, first_months)
    day1 = datetime(2026, 1, 5, 8, tzinfo=UTC)
    package, actions = publish(
        publisher, dataset, division, conn, tmp_path, Versioning(history, timedelta(days=1), day1)
    )
    try:
        assert actions["version"] == "1"
        first_csv = (tmp_path / dataset.id / f"{dataset.model}.csv").read_bytes()

        # the department's next extract: January withdrawn, March corrected, two new months;
        # the governance group reworded the description and said why March changed
        second_months = [m for m in first_months if m[0] != "2025-01-01"]
        second_months[1] = ("2025-03-01", 999)
        second_months += [("2026-01-01", 200), ("2026-02-01", 201)]
        month_rows(conn, dataset.model, second_months)
        edited = dataclasses.replace(
            dataset,
            description=dataset.description + " Reworded.",
            spec={
                **dataset.spec,
                "description": dataset.description + " Reworded.",
                "change_notes": [{"on": "2026-02-01", "note": "March was recounted by 311."}],
            },
        )
        day2 = datetime(2026, 2, 3, 9, tzinfo=UTC)
        versioning = Versioning(history, timedelta(days=1), day2)
        loaded_beside = []  # the DataStore delta loads on its own thread, beside the upload
        beside = publisher.beside
        publisher.beside = lambda: loaded_beside.append(threading.current_thread()) or beside()
        package, actions = publish(publisher, edited, division, conn, tmp_path, versioning)
        assert actions["version"] == "2"
        assert actions["datastore"] == "+2 added, ~1 changed, -1 removed"
        assert loaded_beside == [threading.current_thread()]
        shown = sysadmin.action.package_show(id=package["id"])
        fields = extras(shown)
        assert shown["version"] == "2"  # CKAN's own Version field
        assert fields["data_last_updated"] == "2026-02-03"
        assert fields["changelog"] == (
            "- **Version 2** (2026-02-03): 2 rows added, 1 changed, 1 removed (13 rows); "
            "data dictionary: description changed. *Why:* March was recounted by 311.\n"
            "- **Version 1** (2026-01-05): first publication, 12 rows."
        )
        names = [r["name"] for r in shown["resources"]]
        archive = f"{dataset.title} (CSV, version 1, 2026-01-05)"
        assert names == [
            f"{dataset.title} (CSV)",
            f"{dataset.title} (Parquet)",
            "Data package (datapackage.json)",
            archive,
        ]  # the current files first
        kept = shown["resources"][3]
        assert f"[Version 1 (2026-01-05), CSV]({kept['url']})" in fields["previous_versions"]
        page = requests.get(f"{portal.url}/dataset/{shown['name']}", timeout=30).text
        assert "2 rows added, 1 changed, 1 removed (13 rows)" in page  # shown to the public
        # copied on the portal's disk from the current CSV before it was replaced (an
        # upload would carry the name of the history's copy, published.csv)
        assert kept["url"].endswith(f"/{dataset.model}.csv")
        downloaded = requests.get(kept["url"], timeout=30)
        assert downloaded.status_code == 200 and downloaded.content == first_csv
        assert downloaded.content.count(b"\n") == MONTHS + 1  # the old rows, header first

        # published again unchanged a day later: no version, the file is still kept
        _, actions = publish(
            publisher, edited, division, conn, tmp_path,
            Versioning(history, timedelta(days=1), day2 + timedelta(hours=23)),
        )  # fmt: skip
        assert "version" not in actions and "previous_versions_deleted" not in actions
        # past the (tiny) retention, the superseded file goes; the changelog stays
        _, actions = publish(
            publisher, edited, division, conn, tmp_path,
            Versioning(history, timedelta(days=1), day2 + timedelta(days=1, minutes=1)),
        )  # fmt: skip
        assert actions["previous_versions_deleted"] == "1"
        shown = sysadmin.action.package_show(id=package["id"])
        assert archive not in [r["name"] for r in shown["resources"]]
        assert extras(shown)["previous_versions"] == "None kept."
        assert "**Version 1** (2026-01-05)" in extras(shown)["changelog"]
        assert requests.get(kept["url"], timeout=30).status_code == 404
        # the current file is its own (the superseded one was linked to it, on the
        # portal's disk, before the new file replaced it: resource_copy.py)
        current = requests.get(shown["resources"][0]["url"], timeout=30)
        assert current.status_code == 200 and current.content.count(b"\n") == MONTHS + 2
    finally:
        sysadmin.action.dataset_purge(id=package["id"])


def _three_months_published(publisher, test_dataset, tmp_path):
    """Version 1 of the dataset, three months, published on 5 January 2026 with nine
    days' retention: (the warehouse, the history, that day, the package)."""
    dataset, division = test_dataset
    history = VersionHistory(tmp_path / "versions", dataset.id)
    conn = duckdb.connect()
    month_rows(conn, dataset.model, [(f"2025-{m:02d}-01", m) for m in range(1, 4)])
    day1 = datetime(2026, 1, 5, 8, tzinfo=UTC)
    package, _ = publish(
        publisher, dataset, division, conn, tmp_path, Versioning(history, timedelta(days=9), day1)
    )
    return conn, history, day1, package


def test_a_day_of_new_data_updates_the_package_once(sysadmin, test_dataset, tmp_path):
    """New rows and nothing else: the package is updated once, after the files, with the
    new version's facts and the link to the file it superseded (it was updated before
    the files and again after them: each update rewrites the package on the portal)."""
    dataset, division = test_dataset
    publisher = CkanPublisher(sysadmin)
    conn, history, day1, package = _three_months_published(publisher, test_dataset, tmp_path)
    try:
        month_rows(conn, dataset.model, [(f"2025-{m:02d}-01", m) for m in range(1, 5)])
        calls = []
        call = publisher._call
        publisher._call = lambda action, what, **data: (
            calls.append(action) or call(action, what, **data)
        )
        versioning = Versioning(history, timedelta(days=9), day1 + timedelta(days=1))
        _, actions = publish(publisher, dataset, division, conn, tmp_path, versioning)
        assert calls.count("package_patch") == 1
        assert actions["package"] == "updated" and actions["version"] == "2"
        shown = sysadmin.action.package_show(id=package["id"])
        fields = extras(shown)
        assert shown["version"] == "2"
        assert fields["changelog"].startswith(
            "- **Version 2** (2026-01-06): 1 row added, 0 changed, 0 removed (4 rows)."
        )
        kept = next(r for r in shown["resources"] if "version 1" in r["name"])
        assert f"[Version 1 (2026-01-05), CSV]({kept['url']})" in fields["previous_versions"]
    finally:
        sysadmin.action.dataset_purge(id=package["id"])


def test_a_file_of_other_bytes_but_the_same_data_supersedes_no_version(
    sysadmin, test_dataset, tmp_path
):
    """The superseded CSV is kept before the comparison ends when the new file's bytes
    differ from the kept one's (the upload then starts beside the comparison). Bytes
    that differ with the same data (here the lines end in CRLF; in life a DuckDB
    upgrade writing a value otherwise) make no version: the early copy is deleted and
    version 1 stays the current one, not listed among the previous files. A copy that a
    run stopped before its end left is dropped the same way by the next run."""
    dataset, division = test_dataset
    publisher = CkanPublisher(sysadmin)
    conn, history, day1, package = _three_months_published(publisher, test_dataset, tmp_path)
    try:
        files = export_model(conn, dataset.model, tmp_path / dataset.id, dataset.key_columns)
        other = files["csv"].with_name("other.csv")  # the same values, written otherwise
        other.write_bytes(files["csv"].read_bytes().replace(b",0.5,", b",0.50,"))
        other.replace(files["csv"])  # a new file, as exports are
        versioning = Versioning(history, timedelta(days=9), day1 + timedelta(days=1))
        _, actions = publish_dataset(
            publisher, dataset, division, files, row_count(conn, dataset.model),
            lambda: record_batches(files["parquet"], 1000), versioning=versioning,
        )  # fmt: skip
        assert actions["CSV"] == "replaced" and "version" not in actions
        assert actions["previous_version"].startswith("not kept")
        shown = sysadmin.action.package_show(id=package["id"])
        assert not [r for r in shown["resources"] if "version 1" in r["name"]]
        assert extras(shown)["previous_versions"] == "None kept."
        [version] = history.versions()
        assert version.archived_resource is None and version.archived_url is None

        # a run stopped after it kept the file ahead, before its version: the next run
        # (the same data) drops the copy
        shown = sysadmin.action.package_show(id=package["id"])
        csv = next(r for r in shown["resources"] if r["name"] == f"{dataset.title} (CSV)")
        sysadmin.action.resource_patch(id=csv["id"], content_sha256=history.published_csv_sha256())
        shown = sysadmin.action.package_show(id=package["id"])
        assert archive_before_comparing(
            publisher, shown, dataset, versioning, history.versions(), files["csv"], {}
        )
        assert history.latest().archived_resource
        _, actions = publish_dataset(
            publisher, dataset, division, files, row_count(conn, dataset.model),
            lambda: record_batches(files["parquet"], 1000), versioning=versioning,
        )  # fmt: skip
        assert actions["previous_version"].startswith("not kept") and "version" not in actions
        assert history.latest().archived_resource is None
        shown = sysadmin.action.package_show(id=package["id"])
        assert not [r for r in shown["resources"] if "version 1" in r["name"]]
    finally:
        sysadmin.action.dataset_purge(id=package["id"])


def test_a_portal_without_the_copy_action_gets_the_superseded_file_uploaded(
    sysadmin, test_dataset, tmp_path, monkeypatch
):
    """A city's own CKAN, without our plugin, has no ``city_resource_copy``: the
    superseded CSV is uploaded instead, and is the same file."""
    dataset, division = test_dataset
    publisher = CkanPublisher(sysadmin)

    def no_copy_action(*args, **kwargs):
        raise NoCopyAction("Action name not known: city_resource_copy")

    monkeypatch.setattr(publisher, "copy_resource_file", no_copy_action)
    conn, history, day1, package = _three_months_published(publisher, test_dataset, tmp_path)
    try:
        first_csv = (tmp_path / dataset.id / f"{dataset.model}.csv").read_bytes()
        month_rows(conn, dataset.model, [(f"2025-{m:02d}-01", m) for m in range(1, 5)])
        versioning = Versioning(history, timedelta(days=9), day1 + timedelta(days=1))
        _, actions = publish(publisher, dataset, division, conn, tmp_path, versioning)
        assert actions["previous_version"] == "created"
        shown = sysadmin.action.package_show(id=package["id"])
        kept = next(r for r in shown["resources"] if "version 1" in r["name"])
        assert kept["url"].endswith("/published.csv")  # uploaded from the history's copy
        assert requests.get(kept["url"], timeout=30).content == first_csv
    finally:
        sysadmin.action.dataset_purge(id=package["id"])


def test_a_datastore_load_that_failed_after_the_upload_is_made_on_the_next_run(
    sysadmin, test_dataset, tmp_path, monkeypatch
):
    """The CSV went up, the DataStore load beside it failed: the next publication finds
    the file unchanged and the row count the same, and still loads the new rows."""
    import publish.ckan.datastore_load as datastore_load

    dataset, division = test_dataset
    publisher = CkanPublisher(sysadmin)
    conn, history, day1, package = _three_months_published(publisher, test_dataset, tmp_path)
    try:
        month_rows(conn, dataset.model, [(f"2025-{m:02d}-01", 10 * m) for m in range(1, 4)])
        versioning = Versioning(history, timedelta(days=9), day1 + timedelta(days=1))
        with monkeypatch.context() as patched:

            def failing_load(*args, **kwargs):
                raise PublishError("loading the DataStore (COPY): the portal went away")

            patched.setattr(datastore_load, "load_rows", failing_load)
            with pytest.raises(PublishError, match="went away"):
                publish(publisher, dataset, division, conn, tmp_path, versioning)
        csv = next(
            r for r in sysadmin.action.package_show(id=package["id"])["resources"]
            if r["format"] == "CSV" and "version" not in r["name"]
        )  # fmt: skip
        before = sysadmin.action.datastore_search(resource_id=csv["id"], sort="month")
        assert [r["service_requests"] for r in before["records"]] == [1, 2, 3]  # the old rows
        _, actions = publish(publisher, dataset, division, conn, tmp_path, versioning)
        assert (
            actions["CSV"] == "unchanged"
            and actions["datastore"] == "loaded"  # every row changed: loaded whole
        )
        after = sysadmin.action.datastore_search(resource_id=csv["id"], sort="month")
        assert [r["service_requests"] for r in after["records"]] == [10, 20, 30]
    finally:
        sysadmin.action.dataset_purge(id=package["id"])
