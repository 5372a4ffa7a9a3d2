"""The KPI definitions (metrics.yml) rendered as dbt's semantic layer: semantic models
and metrics that analysts query with MetricFlow, from the same ``Metric`` entries as the
scorecard model (``kpi.py``), so both give the same numbers.

The inventory's KPIs (share of services and of stages online) are left out: the
inventory has no history, and MetricFlow requires every measure to have a time
dimension. Analysts query them in kpi.kpi_online_service_availability.
"""

from __future__ import annotations

import yaml

from ..metrics import INVENTORY_KINDS, Metric
from .kpi import GENERATED


def _share_measures(column: str) -> list[dict]:
    return [
        {
            "name": f"{column}_true",
            "description": f"Transactions with {column} true.",
            "agg": "sum",
            "expr": f"case when {column} then 1 else 0 end",
        },
        {
            "name": f"{column}_known",
            "description": f"Transactions with {column} known (not empty).",
            "agg": "sum",
            "expr": f"case when {column} is not null then 1 else 0 end",
        },
    ]


def semantic_layer_yaml(metrics: list[Metric]) -> str:
    """dbt semantic models over the transactions, the services and the costs, and one
    dbt metric per dictionary metric (MetricFlow: ``mf query --metrics online_share
    --group-by service__service_name,metric_time__month``)."""
    measures: list[dict] = [
        {"name": "transaction_count", "description": "Transactions.", "agg": "count",
         "expr": "transaction_id"},
    ]  # fmt: skip
    dbt_metrics: list[dict] = []
    shares_done: set[str] = set()
    for m in metrics:
        if m.kind in INVENTORY_KINDS:
            continue
        common = {"name": m.name, "label": m.label, "description": m.documentation()}
        if m.kind == "count":
            dbt_metrics.append({**common, "type": "simple",
                                "type_params": {"measure": "transaction_count"}})  # fmt: skip
        elif m.kind == "share":
            if m.of not in shares_done:
                measures += _share_measures(m.of)
                shares_done.add(m.of)
            dbt_metrics.append(
                {**common, "type": "ratio",
                 "type_params": {"numerator": f"{m.of}_true", "denominator": f"{m.of}_known"}}
            )  # fmt: skip
        elif m.kind == "percentile":
            measures.append(
                {"name": f"{m.name}_measure", "description": m.label + ".", "agg": "percentile",
                 "expr": m.of, "agg_params": {"percentile": m.percentile,
                                              "use_discrete_percentile": False}}
            )  # fmt: skip
            dbt_metrics.append({**common, "type": "simple",
                                "type_params": {"measure": f"{m.name}_measure"}})  # fmt: skip
        elif m.kind == "web_completion":
            dbt_metrics.append(
                {**common, "type": "ratio",
                 "type_params": {"numerator": "web_completions_counted",
                                 "denominator": "web_starts"}}
            )  # fmt: skip
        else:  # cost_ratio
            dbt_metrics.append(
                {**common, "type": "ratio",
                 "type_params": {"numerator": "allocated_cost",
                                 "denominator": "transaction_count"}}  # measures' metrics
            )  # fmt: skip
    semantic_models = [
        {
            "name": "service_transactions",
            "description": "One row per transaction of a service (core.fct_service_transactions).",
            "model": "ref('fct_service_transactions')",
            "defaults": {"agg_time_dimension": "transaction_month"},
            "entities": [
                {"name": "transaction", "type": "primary", "expr": "transaction_id"},
                {"name": "service", "type": "foreign", "expr": "service_id"},
            ],
            "dimensions": [
                {"name": "transaction_month", "type": "time", "expr": "month",
                 "type_params": {"time_granularity": "month"}},
                {"name": "channel_code", "type": "categorical"},
                {"name": "source_system", "type": "categorical"},
            ],
            "measures": measures,
        },
        {
            "name": "services",
            "description": "The service inventory (services.yml).",
            "model": "ref('services')",
            "entities": [{"name": "service", "type": "primary", "expr": "service_id"}],
            "dimensions": [
                {"name": "service_name", "type": "categorical"},
                {"name": "division_id", "type": "categorical"},
            ],
        },
    ]  # fmt: skip
    if any(m.kind == "cost_ratio" for m in metrics):
        semantic_models.append(
            {
                "name": "service_costs",
                "description": "Allocated costs by service, channel and quarter.",
                "model": "ref('kpi_service_costs')",
                "defaults": {"agg_time_dimension": "cost_quarter"},
                "entities": [
                    {"name": "service_cost", "type": "primary",
                     "expr": "service_id || '|' || coalesce(channel_code, '') || '|' || "
                             "cast(quarter as varchar)"},
                    {"name": "service", "type": "foreign", "expr": "service_id"},
                ],
                "dimensions": [
                    {"name": "cost_quarter", "type": "time", "expr": "quarter",
                     "type_params": {"time_granularity": "quarter"}},
                ],
                # the all-channel rows: a channel row is a part of its service's
                "measures": [{"name": "allocated_cost",
                              "description": "Allocated cost (the all-channel rows).",
                              "agg": "sum",
                              "expr": "case when channel_code is null then allocated_cost end"}],
            }
        )  # fmt: skip
    if any(m.kind == "web_completion" for m in metrics):
        semantic_models.append(
            {
                "name": "web_service_page_days",
                "description": "Visits to the service pages of the city website, by day "
                               "(core.fct_web_service_page_days).",
                "model": "ref('fct_web_service_page_days')",
                "defaults": {"agg_time_dimension": "visit_month"},
                "entities": [
                    {"name": "web_page_day", "type": "primary", "expr": "page_day_key"},
                    {"name": "service", "type": "foreign", "expr": "service_id"},
                ],
                "dimensions": [
                    {"name": "visit_month", "type": "time", "expr": "visit_month",
                     "type_params": {"time_granularity": "month"}},
                    {"name": "device_category", "type": "categorical"},
                ],
                # Only the pages tied to one service, as the KPI's definition says: a
                # query not grouped by service (all services, by month) must not count
                # the building permit fee page, whose service_id is empty.
                "measures": [
                    {"name": "web_starts",
                     "description": "Online forms started on the pages of a service.",
                     "agg": "sum",
                     "expr": "case when service_id is not null then service_starts end"},
                    {"name": "web_completions_counted",
                     "description": "Online forms completed on the pages of a service, up "
                                    "to the day's starts.",
                     "agg": "sum",
                     "expr": "case when service_id is not null then "
                             "least(service_completions, service_starts) end"},
                ],
            }
        )  # fmt: skip
    # dbt's ratio metrics divide metrics, not measures: each measure a ratio uses is also
    # a simple metric of its own (named as the measure).
    used = {
        name
        for m in dbt_metrics
        if m["type"] == "ratio"
        for name in (m["type_params"]["numerator"], m["type_params"]["denominator"])
    }
    all_measures = {
        measure["name"]: measure
        for model in semantic_models
        for measure in model.get("measures", [])
    }
    dbt_metrics += [
        {"name": name, "label": name.replace("_", " ").capitalize() + " (part of a ratio)",
         "description": all_measures[name]["description"] + " (a part of a KPI's ratio).",
         "type": "simple", "type_params": {"measure": name}}
        for name in sorted(used)
    ]  # fmt: skip
    document = {"version": 2, "semantic_models": semantic_models, "metrics": dbt_metrics}
    body = yaml.safe_dump(document, sort_keys=False, width=100, allow_unicode=True)
    return f"# {GENERATED}\n{body}"
