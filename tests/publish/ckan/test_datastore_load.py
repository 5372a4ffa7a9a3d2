"""DataStore loads with COPY on the real local CKAN: whole, then only what changed."""

from __future__ import annotations

import duckdb
import pytest

from publish.ckan.datastore_load import PublishedRows, load_rows
from publish.ckan.publisher import CkanPublisher

pytestmark = pytest.mark.portal

FIELDS = [
    {"id": "permit", "type": "text", "info": {"label": "Permit", "notes": "Permit number."}},
    {"id": "issued", "type": "date", "info": {"label": "Issued", "notes": "Day issued."}},
    {"id": "value", "type": "numeric", "info": {"label": "Value", "notes": "Dollars."}},
    {"id": "note", "type": "text", "info": {"label": "Note", "notes": "Free text."}},
]


def write_rows(path, rows):
    conn = duckdb.connect()
    conn.execute("CREATE TABLE t (permit VARCHAR, issued DATE, value DECIMAL(12, 2), note VARCHAR)")
    conn.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", rows)
    conn.execute(f"COPY t TO '{path}' (FORMAT parquet)")
    conn.close()
    return PublishedRows(path, len(rows), ["permit"])


def table(sysadmin, resource_id):
    found = sysadmin.action.datastore_search(resource_id=resource_id, limit=100, sort="permit")
    return [(r["permit"], r["issued"][:10], float(r["value"]), r["note"]) for r in found["records"]]


@pytest.fixture
def resource(sysadmin, make_organization, run_id, tmp_path):
    org = make_organization("copyload", "COPY Load Test Division")
    package = sysadmin.action.package_create(
        name=f"copy-load-{run_id}", title="COPY load", owner_org=org["name"]
    )
    (tmp_path / "x.csv").write_text("permit\nA\n")
    with (tmp_path / "x.csv").open("rb") as upload:
        return sysadmin.action.resource_create(package_id=package["id"], name="x", upload=upload)


def test_a_whole_load_then_a_delta_of_added_changed_and_removed_rows(sysadmin, resource, tmp_path):
    publisher = CkanPublisher(sysadmin)
    first = [
        ("P-01", "2026-01-05", 100.5, "new shed"),
        ("P-02", "2026-01-06", 2000, 'a "quoted", comma'),
        ("P-03", "2026-01-07", 0, None),
    ] + [(f"P-{n:02d}", "2026-01-10", n, "deck") for n in range(4, 31)]
    rows = write_rows(tmp_path / "rows.parquet", first)
    assert load_rows(publisher, resource["id"], FIELDS, rows, lambda: []) == "loaded"
    shown = table(sysadmin, resource["id"])
    assert len(shown) == 30
    assert shown[:3] == [
        ("P-01", "2026-01-05", 100.5, "new shed"),
        ("P-02", "2026-01-06", 2000.0, 'a "quoted", comma'),
        ("P-03", "2026-01-07", 0.0, None),
    ]
    # loaded into an empty table as a bulk load (indexes built after the rows): the
    # full-text index answers, and the key's unique index takes the delta's upsert below
    assert sysadmin.action.datastore_search(resource_id=resource["id"], q="shed")["total"] == 1
    assert load_rows(publisher, resource["id"], FIELDS, rows, lambda: []) == "unchanged"

    second = [r for r in first if r[0] != "P-03"]  # P-03 withdrawn by the department
    second[1] = ("P-02", "2026-01-06", 2500, "value corrected")
    second += [(f"P-{n:02d}", "2026-02-01", n, "") for n in range(31, 39)]
    rows = write_rows(tmp_path / "rows.parquet", second)
    outcome = load_rows(publisher, resource["id"], FIELDS, rows, lambda: [])
    assert outcome == "+8 added, ~1 changed, -1 removed"  # only those rows were sent
    shown = table(sysadmin, resource["id"])
    assert len(shown) == 37 and ("P-03", "2026-01-07", 0.0, None) not in shown
    assert ("P-02", "2026-01-06", 2500.0, "value corrected") in shown
    assert ("P-31", "2026-02-01", 31.0, "") in shown  # an empty string stays a string
    # the data dictionary went with the rows
    fields = sysadmin.action.datastore_search(resource_id=resource["id"], limit=0)["fields"]
    assert {f["id"]: f.get("info", {}).get("notes") for f in fields}["value"] == "Dollars."
