"""The "How the KPIs are defined" section of a KPI dataset's description on the portal.

A resident reading the scorecard (or any dataset with a column that holds a KPI of
``data_dictionary/metrics.yml``) finds each KPI's definition on the dataset page itself,
above the files: its label, what it means, its formula in words, unit, target
with where the target comes from, and the division that owns it (the dataset's grain is
stated above it: a KPI is computed per row of the dataset). Generated from the same
entries as the scorecard model and the dbt semantic layer, so the words cannot drift
from the numbers. Pure: no network.
"""

from __future__ import annotations

from dagster_project.lib.dictionary import Dataset
from dagster_project.lib.dictionary.metrics import INVENTORY_KINDS, Metric

HEADING = "How the KPIs are defined"


def kpi_definitions_markdown(dataset: Dataset) -> str | None:
    """Markdown for the KPIs the dataset's columns hold; None when it holds none."""
    if not dataset.kpis:
        return None
    columns_of: dict[str, list[str]] = {}
    for column in dataset.columns:
        if name := column.spec.get("metric"):
            columns_of.setdefault(name, []).append(f"`{column.name}`")
    entries = []
    for metric in dataset.kpis:
        held_in = ", ".join(columns_of[metric.name])
        lines = [
            f"- **{metric.label}** (column {held_in}): {metric.description}",
            f"    - Formula: {metric.formula}.",
            f"    - Unit: {metric.unit}.",
            f"    - Target: {_target(metric)}.",
            f"    - Owner: {metric.owner_name or metric.owner}.",
        ]
        entries.append("\n".join(lines))
    # what the KPIs count: transactions, or (the inventory's KPIs) services and stages
    if all(metric.kind in INVENTORY_KINDS for metric in dataset.kpis):
        counted = "(counted over the city's service inventory: its services and their stages)"
    else:
        counted = "(a transaction is one request, application, payment, registration or storm)"
    return (
        f"### {HEADING}\n\n"
        "Each KPI is defined once, in the city's KPI definitions (data dictionary), and "
        "computed the same way in every dataset that carries it, here for each row of "
        f"the grain above {counted}.\n\n" + "\n".join(entries)
    )


def _target(metric: Metric) -> str:
    if not metric.target:
        return "none set"
    direction = "at most" if metric.target.get("direction") == "at_most" else "at least"
    if metric.target.get("per_service"):
        amount = "each service's own target share"
    else:
        amount = f"{metric.target['value']:g}"
    source = metric.target.get("source")
    return f"{direction} {amount}" + (f" (source: {source})" if source else "")
