"""Contracts of systems whose exports are named by date (licensing, roads, fire, by-law,
HR, taxes, planning): staging keeps the version of the newest file, so a late
re-delivery of an older export does not override a newer one."""

from __future__ import annotations

import re

import pytest

from .planted import compiled_sql

BY_FILE = {
    "business_licences": "staging/business_licences/stg_business_licences__licences.sql",
    "work_orders": "staging/work_orders/stg_work_orders__work_orders.sql",
    "fire_inspections": "staging/fire_inspections/stg_fire_inspections__inspections.sql",
    "bylaw_cases": "staging/bylaw_cases/stg_bylaw_cases__cases.sql",
    "job_postings": "staging/job_postings/stg_job_postings__postings.sql",
    "tax_instalments": "staging/tax_instalments/stg_tax_instalments__instalments.sql",
    "planning": "staging/planning/stg_planning__application_status_changes.sql",
}


@pytest.mark.parametrize("system", sorted(BY_FILE))
def test_the_newest_file_wins_and_file_names_sort_by_date(department_warehouse, system):
    # the dedupe orders by the file name before the load time
    assert "_source_file desc nulls last" in " ".join(
        compiled_sql(department_warehouse.data_dir, BY_FILE[system]).split()
    )
    # the export names sort by name as by the date they carry (2024-09 before 2024-10)
    names = [
        name
        for (name,) in department_warehouse(
            "SELECT DISTINCT file_name FROM raw._ingest_files WHERE system = ?", [system]
        )
    ]
    by_date = sorted(names, key=lambda name: [int(n) for n in re.findall(r"[0-9]+", name)])
    assert len(names) > 1 and sorted(names) == by_date, names


def test_recreation_keeps_the_load_order(department_warehouse):
    # Registrations_<YYYY> names the program year, not the export: no latest_by
    assert "_source_file desc nulls last" not in " ".join(
        compiled_sql(
            department_warehouse.data_dir,
            "staging/recreation_registrations/stg_recreation_registrations__registrations.sql",
        ).split()
    )
