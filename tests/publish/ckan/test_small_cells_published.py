"""A dataset with a cell under the threshold, published to the real local CKAN: the small
cell and its complement reach the DataStore and the CSV download empty and marked
(is_suppressed), every row still there. The chain is the pipeline's: the suppression
macro (rendered as dbt renders it), the privacy gate, the export, the publisher."""

from __future__ import annotations

import csv
import dataclasses
import io

import pytest
import requests

from dagster_project.lib.dictionary import load_dictionary
from dagster_project.lib.exports import export_model, record_batches, row_count
from dagster_project.lib.gates.privacy import check_privacy
from dagster_project.lib.small_cell_protection import register
from dagster_project.lib.warehouse import connect
from publish.ckan.dataset import publish_dataset
from publish.ckan.publisher import CkanPublisher
from tests.dbt.small_cells_sql import suppression_sql

pytestmark = pytest.mark.portal

# Fire inspections by month and result. March's Order Issued (3) is small. Its result's
# total over the months would give it back less April's (9): April's goes too; then each
# month has one suppressed cell, and its smallest other, Violations Found, goes with it.
COUNTS = """
('2025-03-01', 'Compliant', 40, 0), ('2025-03-01', 'Violations Found', 12, 20),
('2025-03-01', 'Order Issued', 3, 4), ('2025-03-01', 'Closed - No Access', 25, 0),
('2025-04-01', 'Compliant', 38, 0), ('2025-04-01', 'Violations Found', 15, 22),
('2025-04-01', 'Order Issued', 9, 11), ('2025-04-01', 'Closed - No Access', 30, 0)
"""
SUPPRESSED = {
    ("2025-03-01", "Order Issued"),  # the small cell
    ("2025-04-01", "Order Issued"),  # complements
    ("2025-03-01", "Violations Found"),
    ("2025-04-01", "Violations Found"),
}


def test_a_small_cell_is_published_suppressed_with_its_complement(sysadmin, run_id, tmp_path):
    dictionary = load_dictionary()
    dataset = dataclasses.replace(
        dictionary.datasets["fire_inspections_by_month"], id=f"small_cells_test_{run_id}"
    )
    conn = connect(tmp_path / "warehouse.duckdb")
    register(conn)  # small_cell_suppress(), as the dbt plugin registers it
    conn.execute(
        "CREATE TABLE cells AS SELECT CAST(m AS DATE) AS month, result, i AS inspections, "
        f"v AS violations_found FROM (VALUES {COUNTS}) AS t(m, result, i, v)"
    )
    conn.execute("CREATE SCHEMA open_data")
    conn.execute(
        f"CREATE TABLE open_data.{dataset.model} AS SELECT month, result, "
        "CAST(inspections AS BIGINT) AS inspections, CAST(violations_found AS BIGINT) AS "
        f"violations_found, is_suppressed FROM ({suppression_sql('cells', dataset.small_cells)})"
    )
    gate = check_privacy(conn, dataset, dictionary)
    assert gate.passed, gate.summary()
    files = export_model(conn, dataset.model, tmp_path / "export", dataset.key_columns)
    rows = row_count(conn, dataset.model)
    conn.close()

    publisher = CkanPublisher(sysadmin)
    package, _ = publish_dataset(
        publisher,
        dataset,
        dictionary.divisions[dataset.owner_division],
        files,
        rows,
        lambda: record_batches(files["parquet"], 1000),
    )
    try:
        shown = sysadmin.action.package_show(id=package["id"])
        csv_resource = next(r for r in shown["resources"] if r["format"] == "CSV")
        stored = sysadmin.action.datastore_search(resource_id=csv_resource["id"], limit=100)
        assert stored["total"] == 8  # marked, not dropped
        by_cell = {(r["month"][:10], r["result"]): r for r in stored["records"]}
        for cell, record in by_cell.items():
            if cell in SUPPRESSED:
                assert record["inspections"] is None and record["violations_found"] is None
                assert record["is_suppressed"] in (True, "true", "True")
            else:
                assert record["inspections"] >= 5
                assert record["is_suppressed"] in (False, "false", "False")
        downloaded = requests.get(csv_resource["url"], timeout=60).text
        table = list(csv.DictReader(io.StringIO(downloaded)))
        assert len(table) == 8
        for row in table:
            cell = (row["month"], row["result"])
            blank = cell in SUPPRESSED
            assert (row["inspections"] == "" and row["violations_found"] == "") == blank
            assert row["is_suppressed"].lower() == ("true" if blank else "false")
        assert next(r for r in table if r["result"] == "Compliant")["inspections"] == "40"
    finally:
        sysadmin.action.dataset_purge(id=package["id"])
