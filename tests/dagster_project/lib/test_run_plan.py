"""The run plan's decisions on a small real warehouse (lib/run_plan.py): which systems
have files to load, and why a dataset whose model is not rebuilt is checked again."""

from __future__ import annotations

from types import SimpleNamespace

import duckdb
import pytest

from dagster_project.lib.files import file_sha256
from dagster_project.lib.gates.results import GateResults
from dagster_project.lib.incremental import gate_version, published_version
from dagster_project.lib.ingest import ledger
from dagster_project.lib.run_plan import _systems_with_new_files, _why_refresh

SOURCE = SimpleNamespace(
    system="crm311",
    raw_table="crm311_service_requests",
    files={"folder": "crm311", "pattern": "*.csv"},
)
DATASET = SimpleNamespace(id="service_requests", model="pub_service_requests")
PUBLIC = {"private": False, "state": "active"}


@pytest.fixture
def conn():
    conn = duckdb.connect()
    ledger.ensure(conn)
    yield conn
    conn.close()


def has_new_files(conn, landing) -> bool:
    return _systems_with_new_files(conn, [SOURCE], landing) == ["crm311"]


def test_a_system_has_new_files_when_the_ledger_does_not_know_them(conn, tmp_path):
    landing = tmp_path / "landing"
    assert has_new_files(conn, landing)  # no raw table yet: ingest creates it
    conn.execute("CREATE TABLE raw.crm311_service_requests (request_id VARCHAR)")
    assert not has_new_files(conn, landing)  # no folder, no file
    (landing / "crm311").mkdir(parents=True)
    extract = landing / "crm311" / "SR_2026.csv"
    extract.write_text("request_id\nSR-1\n")
    assert has_new_files(conn, landing)
    ledger.record(conn, "crm311", extract.name, file_sha256(extract), "loaded")
    assert not has_new_files(conn, landing)
    (landing / "crm311" / "notes.txt").write_text("not an extract")
    assert not has_new_files(conn, landing)
    extract.write_text("request_id\nSR-1\nSR-2\n")  # the same name, corrected
    assert has_new_files(conn, landing)
    # a refused file back in the landing folder was put back from the quarantine to be
    # read again (its contract fixed); a duplicate is known: the ingest step skips it
    ledger.record(conn, "crm311", extract.name, file_sha256(extract), "quarantined")
    assert has_new_files(conn, landing)
    ledger.record(conn, "crm311", extract.name, file_sha256(extract), "duplicate")
    assert not has_new_files(conn, landing)


def test_a_dataset_is_checked_again_when_anything_it_was_passed_on_changed(conn, tmp_path):
    conn.execute("CREATE SCHEMA open_data")
    conn.execute("CREATE TABLE open_data.pub_service_requests AS SELECT 1 AS id")
    results = GateResults(tmp_path / "gates")
    gates = ("quality_gate", "privacy_gate")

    def why(package=PUBLIC, checked=gates):
        return _why_refresh(conn, DATASET, results.get(DATASET.id), package, checked)

    assert why() == "never published"
    version = published_version(conn, DATASET.model)
    results.record_publication(DATASET.id, "http://portal/dataset/x", version=version)
    assert why().startswith("its quality gate has not passed")
    for gate in gates:
        gate_now = gate_version(conn, DATASET.model, gate)
        results.record_gate(DATASET.id, gate, True, "ok", version=gate_now)
    assert why() is None
    assert why(package=None) == "the portal does not show it publicly"
    assert why(package={**PUBLIC, "private": True}) == "the portal does not show it publicly"
    conn.execute("INSERT INTO open_data.pub_service_requests VALUES (2)")  # other rows
    assert why().startswith("its quality gate has not passed")
    for gate in gates:
        gate_now = gate_version(conn, DATASET.model, gate)
        results.record_gate(DATASET.id, gate, True, "ok", version=gate_now)
    assert why() == "the portal has other rows or rules"
    # a failed gate is always checked again
    results.record_gate(DATASET.id, "privacy_gate", False, "a name", version=gate_now)
    assert why().startswith("its privacy gate has not passed")
    # after new files the privacy gate's version changes anyway: only the quality gate
    # and the publication are compared
    assert why(checked=("quality_gate",)) == "the portal has other rows or rules"
