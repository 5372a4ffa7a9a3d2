"""Deterministic, seeded extracts of the fictional City of Riverton's departmental systems.

``generate(out_dir)`` writes, into a landing folder, what three systems really export:
the 311 CRM (CSV, two vintages with different encodings and headers), building permits
(an Excel report) and payments (JSON Lines per month), with realistic mess at low rates.
The same seed and scale give byte-identical files. Existing files are left alone unless
``force`` (an ingest that tracks files by content would otherwise see "new" files).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import (
    burn_permits,
    business_licences,
    bylaw_cases,
    crm311,
    fire_inspections,
    foi_requests,
    general_ledger,
    job_postings,
    parking_tickets,
    payments,
    permit_inspections,
    permits,
    planning,
    recreation,
    snow_plow,
    tax_instalments,
    tax_roll,
    web_analytics,
    winter_storms,
    work_orders,
)

# The other departments' systems. Each module has ``SYSTEM`` (its contract's ``system``)
# and ``write_extracts(out_dir, scale, seed, force) -> [(path, rows)]``: it writes into
# ``out_dir/<its folder>``, draws from its own ``np.random.default_rng([seed, <its
# number>])`` (so one system's change leaves the others' files alone) and keeps existing
# files unless ``force``.
DEPARTMENT_GENERATORS: tuple = (
    planning,
    permit_inspections,
    job_postings,
    fire_inspections,
    burn_permits,
    bylaw_cases,
    parking_tickets,
    recreation,
    web_analytics,
    work_orders,
    winter_storms,
    snow_plow,
    business_licences,
    foi_requests,
    tax_roll,
    tax_instalments,
    general_ledger,
)


@dataclass(frozen=True)
class GeneratedFile:
    path: Path
    system: str
    rows: int


def generate(
    out_dir: Path,
    scale: float = 1.0,
    seed: int = 42,
    force: bool = False,
    systems: set[str] | None = None,
) -> list[GeneratedFile]:
    """Every system's extracts, or only those of ``systems`` (the others then wait for
    their first delivery: tests of operations use the first three, for speed)."""
    out_dir = Path(out_dir)
    files: list[GeneratedFile] = []

    def wanted(system: str) -> bool:
        return systems is None or system in systems

    # One generator per system: changing one system's code leaves the others' files alone.
    crm_folder = out_dir / "crm311"
    if wanted("crm311") and (force or not (crm_folder / "SR_EXPORT_2025.csv").exists()):
        table = crm311.requests_table(np.random.default_rng([seed, 311]), int(50_000 * scale))
        files += [
            GeneratedFile(p, "crm311", n) for p, n in crm311.write_vintages(table, crm_folder)
        ]
    workbook = out_dir / "permits" / "Building_Permits_2024-2025.xlsx"
    if wanted("permits") and (force or not list(workbook.parent.glob(f"{workbook.stem}*.xlsx"))):
        columns = permits.permit_columns(np.random.default_rng([seed, 2]), int(6_000 * scale))
        files += [
            GeneratedFile(p, "permits", n) for p, n in permits.write_workbooks(columns, workbook)
        ]
    if wanted("payments"):
        rows = max(int(3_000 * scale), 1)
        table = payments.payments_table(np.random.default_rng([seed, 3]), rows)
        files += [
            GeneratedFile(p, "payments", n)
            for p, n in payments.write_months(table, out_dir / "payments", skip_existing=not force)
        ]
    for department in (d for d in DEPARTMENT_GENERATORS if wanted(d.SYSTEM)):
        files += [
            GeneratedFile(path, department.SYSTEM, rows)
            for path, rows in department.write_extracts(out_dir, scale, seed, force)
        ]
    return files


def generate_crm311_csv(path: Path, rows: int, seed: int = 42) -> int:
    """One big 311 CSV in the new CRM's layout, for benchmarks."""
    table = crm311.requests_table(np.random.default_rng([seed, 311]), rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    return crm311.write_big_csv(table, Path(path))


__all__ = ["GeneratedFile", "generate", "generate_crm311_csv"]
