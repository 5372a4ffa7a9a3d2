"""Every aggregate the dictionary declares, as the real dbt build published it from the
whole sample city: no small count shown, every suppressed cell marked, no lone suppressed
cell in a declared total (the privacy gate's own check, run here on each table)."""

from __future__ import annotations

import duckdb

from dagster_project.lib.dictionary import load_dictionary
from dagster_project.lib.gates.small_cells import small_cell_findings


def test_every_declared_aggregate_passes_the_small_cell_check(department_warehouse):
    declared = [d for d in load_dictionary().approved_datasets if d.small_cells]
    assert len(declared) >= 8
    conn = duckdb.connect(str(department_warehouse.data_dir / "warehouse.duckdb"), read_only=True)
    try:
        for dataset in declared:
            table = f"open_data.{dataset.model}"
            assert small_cell_findings(conn, table, dataset.small_cells) == [], dataset.id
            flagged = conn.execute(f"SELECT count(*) FILTER (WHERE is_suppressed) FROM {table}")
            assert flagged.fetchone()[0] > 0, f"{dataset.id}: the sample city has small cells"
    finally:
        conn.close()


def test_the_311_performance_cells_under_5_are_suppressed_with_complements(
    department_warehouse,
):
    q = department_warehouse
    [(small, rows)] = q(
        "SELECT count(*) FILTER (WHERE requests_received BETWEEN 1 AND 4), count(*) "
        "FROM kpi.kpi_service_request_performance"
    )
    assert small > 0
    [(published_small, suppressed, complements, published_rows)] = q(
        "SELECT count(*) FILTER (WHERE p.requests_received BETWEEN 1 AND 4), "
        "count(*) FILTER (WHERE p.requests_received IS NULL), "
        "count(*) FILTER (WHERE p.requests_received IS NULL AND k.requests_received >= 5), "
        "count(*) FROM open_data.pub_service_request_performance AS p "
        "JOIN kpi.kpi_service_request_performance AS k ON p.month = k.month "
        "AND p.service_category = k.service_category "
        "AND p.ward_number IS NOT DISTINCT FROM k.ward_number"  # requests without a ward
    )
    assert published_small == 0
    assert suppressed >= small and complements > 0  # the small cells, and complements
    assert published_rows == rows  # marked, never dropped
