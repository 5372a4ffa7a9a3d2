"""Blocking quality and privacy gates on every published model.

A failed gate stops that dataset's publication and no other: the publish asset of each
dataset depends on its own model only, and both checks are blocking. The failure's
metadata names the rule, the column and how many rows (privacy examples are masked).
"""

from datetime import UTC, datetime

import dagster as dg

from dagster_project.lib.dictionary import Dataset, load_dictionary
from dagster_project.lib.governance_report import record
from dagster_project.lib.privacy_gate import check_privacy
from dagster_project.lib.quality_gate import published_rows, run_quality_gate
from dagster_project.settings import get_settings

from ..resources import WarehouseResource


def _report(dataset: Dataset, gate: str, passed: bool, summary: str) -> None:
    """Keep the gate's outcome for `make dictionary-check` (the governance group's view)."""
    record(
        get_settings().gate_reports_dir,
        dataset.id,
        **{
            gate: {
                "passed": passed,
                "summary": summary,
                "checked_at": datetime.now(UTC).isoformat(),
            }
        },
    )


def model_key(dataset: Dataset) -> dg.AssetKey:
    return dg.AssetKey(["open_data", dataset.model])


def build_gates(dataset: Dataset) -> list[dg.AssetChecksDefinition]:
    @dg.asset_check(
        asset=model_key(dataset),
        name="quality_gate",
        blocking=True,
        description=f"Great Expectations suite {dataset.model} (generated from "
        f"the dictionary): types, required, unique, values, ranges.",
    )
    def quality_gate(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connection() as conn:
            frame = published_rows(conn, dataset.model)
        result = run_quality_gate(frame, checkpoint=dataset.model)
        _report(dataset, "quality_gate", result.passed, result.summary())
        return dg.AssetCheckResult(
            passed=result.passed,
            description=result.summary(),
            metadata={
                "rows_checked": result.rows_checked,
                "failures": dg.MetadataValue.json(result.failures),
                "data_docs": result.data_docs or "",
            },
        )

    @dg.asset_check(
        asset=model_key(dataset),
        name="privacy_gate",
        blocking=True,
        description="No column the dictionary does not classify public, no "
        "personal value, nothing shaped like an e-mail or phone.",
    )
    def privacy_gate(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connection() as conn:
            result = check_privacy(conn, dataset, load_dictionary())
        _report(dataset, "privacy_gate", result.passed, result.summary())
        return dg.AssetCheckResult(
            passed=result.passed,
            description=result.summary(),
            metadata={"findings": dg.MetadataValue.json(result.findings)},
        )

    return [quality_gate, privacy_gate]


@dg.definitions
def gates() -> dg.Definitions:
    checks = [
        check for dataset in load_dictionary().approved_datasets for check in build_gates(dataset)
    ]
    return dg.Definitions(asset_checks=checks)
