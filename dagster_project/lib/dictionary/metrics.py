"""The service KPIs, each defined once (``data_dictionary/metrics.yml``).

Why a metrics section in the dictionary rather than dbt's semantic layer alone: the
dictionary is where the governance group defines meaning, and a KPI's definition must
also reach places dbt does not (the dictionary site, the portal's dataset page, the
published scorecard's columns). So the definition lives here, and each target is a small
renderer of it (rule 16): the scorecard model and the kpi_metric macro the other KPI marts
use (``render/kpi.py``), the dbt semantic models and metrics that analysts query with
MetricFlow (``render/kpi_semantic.py``; MetricFlow 0.213 installs beside our pinned
dbt-core 1.11 and runs on DuckDB), and the documentation (the dictionary site, the
portal's "How the KPIs are defined", ``publish/ckan/kpi_definitions.py``).

The KPIs of a service's use are computed at the grain of one service and month: over
``core.fct_service_transactions`` (the month its transactions started), except the web
completion rate, over the web analytics of the service's pages
(``core.fct_web_service_page_days``, the month of the visit). The KPIs of the inventory
itself (the share of services, and of service stages, that can be done online) are
computed over the stages the services offer (``service_stages``, one row per service and
stage, from services.yml), for the inventory as it stands: it has no history, so these
have no month and are not in the semantic layer (MetricFlow measures need a time
dimension); the KPI mart kpi_online_service_availability groups them by division and
by stage.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .entries import Division
from .validation import read_validated

# The columns of core.fct_service_transactions a KPI may be computed from, by kind.
SHARE_COLUMNS = ("is_online", "is_within_standard", "is_within_legislated")
PERCENTILE_COLUMNS = ("processing_days",)
# KPIs of the service inventory, computed over its stages (service_stages), not over use
INVENTORY_KINDS = ("stage_share", "service_share")
# The columns in words, for the formulas residents read (the column's name follows them,
# for analysts): a share's (true, known) and a percentile's column.
SHARE_WORDS = {
    "is_online": ("made online", "whose channel is recorded"),
    "is_within_standard": (
        "finished within the service standard",
        "completed with valid dates, of a service with a standard",
    ),
    "is_within_legislated": (
        "finished within the legislated timeline",
        "completed with valid dates, with a legislated timeline",
    ),
}
COLUMN_WORDS = {
    "processing_days": (
        "the days from start to completion of the transactions completed with valid dates"
    )
}


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    description: str
    # count | share | percentile | cost_ratio | web_completion | stage_share | service_share
    kind: str
    unit: str
    owner: str
    of: str | None = None
    percentile: float | None = None
    target: dict[str, Any] | None = None
    strategy_kpi: str | None = None
    owner_name: str | None = None  # the owner division's name (divisions.yml), for readers

    @property
    def formula(self) -> str:
        """The calculation in words, for the documentation."""
        if self.kind == "count":
            return "count of transactions"
        if self.kind == "share":
            true, known = SHARE_WORDS.get(self.of, (f"{self.of} true", f"{self.of} known"))
            return f"transactions {true} / transactions {known} ({self.of})"
        if self.kind == "percentile":
            of = COLUMN_WORDS.get(self.of, self.of)
            rank = f"{self.percentile * 100:g}th percentile"
            return f"{rank} (continuous, interpolated) of {of} ({self.of})"
        if self.kind == "web_completion":
            return (
                "online forms completed / online forms started on the web pages of the "
                "service (completions counted up to the starts of the same day)"
            )
        if self.kind == "stage_share":
            return (
                "stages that can be done online / stages the services offer (a stage a "
                "service does not have is not counted)"
            )
        if self.kind == "service_share":
            return (
                "services whose every stage they offer can be done online / services of "
                "the inventory"
            )
        return "allocated cost in the quarter / transactions in the quarter"

    @property
    def target_words(self) -> str | None:
        if not self.target:
            return None
        direction = (
            "at least" if self.target.get("direction", "at_least") == "at_least" else "at most"
        )
        if self.target.get("per_service"):
            amount = "each service's own target (services.yml)"
        else:
            amount = f"{self.target['value']:g}"
        source = f" ({self.target['source']})" if self.target.get("source") else ""
        return f"{direction} {amount}{source}"

    @property
    def grain(self) -> str:
        if self.kind == "web_completion":
            return "service and month of the visit"
        if self.kind in INVENTORY_KINDS:
            return "the service inventory as it stands (the city, a division or a stage)"
        return "service and month started"

    def documentation(self) -> str:
        """The definition as one paragraph: meaning, formula, unit, grain, owner, target."""
        parts = [
            self.description.rstrip(".") + ".",
            f"Formula: {self.formula}.",
            f"Unit: {self.unit}.",
            f"Grain: {self.grain}.",
            f"Owner: {self.owner}.",
        ]
        if self.target_words:
            parts.append(f"Target: {self.target_words}.")
        return " ".join(parts)


def _metric(spec: dict[str, Any]) -> Metric:
    calculation = spec["calculation"]
    return Metric(
        name=spec["name"],
        label=spec["label"],
        description=" ".join(spec["description"].split()),
        kind=calculation["kind"],
        unit=spec["unit"],
        owner=spec["owner"],
        of=calculation.get("of"),
        percentile=calculation.get("percentile"),
        target=spec.get("target"),
        strategy_kpi=spec.get("strategy_kpi"),
    )


def load_metrics(
    root: Path, divisions: dict[str, Division], problems: list[str]
) -> dict[str, Metric]:
    path = root / "metrics.yml"
    if not path.exists():
        return {}
    spec = read_validated(path, "metrics", problems)
    if spec is None:
        return {}
    metrics: dict[str, Metric] = {}
    for entry in spec["metrics"]:
        metric = _metric(entry)
        if metric.owner in divisions:
            metric = replace(metric, owner_name=divisions[metric.owner].name)
        where = f"metrics.yml: metric {metric.name!r}"
        if metric.name in metrics:
            problems.append(f"{where} is defined twice")
        if metric.owner not in divisions:
            problems.append(f"{where}: owner {metric.owner!r} is not in divisions.yml")
        allowed = {"share": SHARE_COLUMNS, "percentile": PERCENTILE_COLUMNS}.get(metric.kind)
        if allowed and metric.of not in allowed:
            problems.append(
                f"{where}: a {metric.kind} is computed of one of {list(allowed)}, not {metric.of!r}"
            )
        if metric.kind == "percentile" and metric.percentile is None:
            problems.append(f"{where}: a percentile needs `percentile` (e.g. 0.5)")
        metrics[metric.name] = metric
    return metrics
