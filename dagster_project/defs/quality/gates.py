"""Blocking quality and privacy gates on every published model.

A failed gate stops that dataset's publication and no other: the publish asset of each
dataset depends on its own model only, and both checks are blocking. The failure's
metadata names the rule, the column and how many rows (privacy examples are masked).
A gate that passed these very rows under these very rules says so again without
re-reading them (``lib/incremental.py``); a failed one always looks again.
"""

import dagster as dg

from dagster_project.lib.dictionary import Dataset, load_dictionary
from dagster_project.lib.gates.quality import check_quality
from dagster_project.lib.gates.results import GateResults
from dagster_project.lib.incremental import gate_version
from dagster_project.lib.ingest.loader import systems_waiting
from dagster_project.settings import get_settings
from publish.ckan.mapping import package_name
from publish.ckan.publisher import PublishError

from ..resources import PortalResource, WarehouseResource


def model_key(dataset_id: str) -> dg.AssetKey:
    return dg.AssetKey(["open_data", f"pub_{dataset_id}"])


def _results() -> GateResults:
    """Kept for `make dictionary-check` and the dictionary site (the governance view)."""
    return GateResults(get_settings().gate_reports_dir)


def build_gates(dataset: Dataset) -> list[dg.AssetChecksDefinition]:
    @dg.asset_check(
        asset=model_key(dataset.id),
        name="quality_gate",
        blocking=True,
        description=f"Great Expectations suite {dataset.model} (generated from "
        "the dictionary): required, unique, values, ranges, lookups.",
    )
    def quality_gate(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connection() as conn:
            if silent := systems_waiting(conn, list(dataset.source_systems)):
                return _waiting(silent)
            version = gate_version(conn, dataset.model, "quality_gate")
            if carried := _results().passed_at(dataset.id, "quality_gate", version):
                return _unchanged(carried, version)
            result = check_quality(
                conn,
                dataset.model,
                checkpoint=dataset.model,
                validated=_validated_rows(dataset, version),
                key_columns=dataset.key_columns,
            )
        _results().record_gate(
            dataset.id, "quality_gate", result.passed, result.summary(), version=version
        )
        return dg.AssetCheckResult(
            passed=result.passed,
            description=result.summary(),
            metadata={
                "rows_checked": result.rows_checked,
                "rows_checked_per_row": result.rows_validated_per_row
                if result.rows_validated_per_row is not None
                else result.rows_checked,
                "failures": dg.MetadataValue.json(result.failures),
                "data_docs": result.data_docs or "",
            },
        )

    @dg.asset_check(
        asset=model_key(dataset.id),
        name="privacy_gate",
        blocking=True,
        description="No column the dictionary does not classify public, no "
        "personal value, nothing shaped like an e-mail or phone; in an aggregate, no "
        "small cell and no lone suppressed cell in a declared total (and a warning for a "
        "suppressed cell the totals give back together).",
    )
    def privacy_gate(
        context: dg.AssetCheckExecutionContext,
        warehouse: WarehouseResource,
        portal: PortalResource,
    ) -> dg.AssetCheckResult:
        dictionary = load_dictionary(strict=False)
        with warehouse.connection() as conn:
            if silent := systems_waiting(conn, list(dataset.source_systems)):
                return _waiting(silent)
            version = gate_version(conn, dataset.model, "privacy_gate")
            if carried := _results().passed_at(dataset.id, "privacy_gate", version):
                return _unchanged(carried, version)
            # imported here: Presidio takes ~1 s to import, which a gate that finds its
            # rows unchanged (most days) or the UI loading the definitions need not pay
            from dagster_project.lib.gates.privacy import check_privacy

            result = check_privacy(
                conn,
                dictionary.datasets[dataset.id],
                dictionary,
                extends=_pass_of_the_same_rows(dataset.id, version),
            )
        _results().record_gate(
            dataset.id,
            "privacy_gate",
            result.passed,
            result.summary(),
            version=version,
            personal_values=result.personal_values,
        )
        portal_action = "none" if result.passed else _withdraw(context, portal, dataset)
        return dg.AssetCheckResult(
            passed=result.passed,
            description=result.summary(),
            metadata={
                "findings": dg.MetadataValue.json(result.findings),
                "warnings": dg.MetadataValue.json(result.warnings),
                "portal": portal_action,
                "personal_values_checked": (
                    "those added since its last pass (the same rows and rules)"
                    if result.extended
                    else "all"
                ),
            },
        )

    return [quality_gate, privacy_gate]


def _pass_of_the_same_rows(dataset_id: str, version: str) -> str | None:
    """The personal-values mark of the privacy gate's last pass, if it passed these
    very rows and rules (its version differs in the personal values alone:
    lib/incremental.gate_version)."""
    record = _results().get(dataset_id)
    outcome = record.gates.get("privacy_gate") if record else None
    if outcome is None or not outcome.passed or not outcome.version or not outcome.personal_values:
        return None
    if outcome.version.rpartition("|")[0] != version.rpartition("|")[0]:
        return None
    return outcome.personal_values


def _waiting(silent: list[str]) -> dg.AssetCheckResult:
    """A source system of the dataset has not delivered its first file: there is nothing
    to check yet and nothing will be published (the publish step waits too), so the gate
    says so instead of failing on an empty or unbuilt model."""
    return dg.AssetCheckResult(
        passed=True,
        description=f"not checked: waiting for the first delivery from {', '.join(silent)}",
        metadata={"waiting_for": ", ".join(silent)},
    )


def _validated_rows(dataset: Dataset, version: str):
    """The rows the portal holds, when they passed this gate under the rules in force now
    (the publication's rules version is this one's): only rows new or changed since need
    the per-row checks. The publisher keeps that snapshot (``<model>.sent.parquet``)."""
    record = _results().get(dataset.id)
    sent = get_settings().export_dir / dataset.id / f"{dataset.model}.sent.parquet"
    if record is None or not record.published_version or not sent.exists():
        return None
    same_rules = record.published_version.rsplit("|", 1)[-1] == version.rsplit("|", 1)[-1]
    return sent if same_rules else None


def _unchanged(carried, version: str) -> dg.AssetCheckResult:
    """These very rows passed this very gate (same dictionary, suites and code) before:
    checking them again would say the same. A failed gate is always checked again."""
    return dg.AssetCheckResult(
        passed=True,
        description=f"unchanged since {carried.checked_at:%Y-%m-%d %H:%M} UTC, when these "
        f"rows passed: {carried.summary}",
        metadata={"checked_again": False, "version": version},
    )


def _withdraw(context, portal: PortalResource, dataset: Dataset) -> str:
    """Personal data found in the new version: the version already public may hold it
    too, so the dataset leaves the public portal until a clean version publishes."""
    try:
        action = portal.publisher().withdraw_package(package_name(dataset.id))
    except (PublishError, OSError) as error:  # the portal is down: say so, still block
        context.log.error(f"{dataset.id}: could not withdraw it from the portal: {error}")
        return "withdrawal failed"
    context.log.warning(f"{dataset.id}: privacy gate failed; portal: {action}")
    return action


@dg.definitions
def gates() -> dg.Definitions:
    checks = [
        check
        for dataset in load_dictionary(strict=False).approved_datasets
        for check in build_gates(dataset)
    ]
    return dg.Definitions(asset_checks=checks)
