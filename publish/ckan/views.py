"""Resource views: look before you download.

Every DataStore table gets CKAN's table preview (``datatables_view``); a dataset whose
dictionary entry lists ``charts:`` gets one ckanext-charts view per chart on that table
(Plotly, drawn in the browser from the DataStore). Pure functions here; the publisher's
``ensure_views`` creates what is missing and updates what changed, idempotently.
"""

from __future__ import annotations

from typing import Any

from dagster_project.lib.dictionary import Dataset

TABLE_PREVIEW_TITLE = "Table preview"
CHART_ROW_LIMIT = 5000  # a monthly KPI of one service: dozens of rows; a ceiling, not a sample
PLOTLY_TYPES = {"line": "Line", "bar": "Bar"}


def table_preview() -> dict[str, Any]:
    return {
        "view_type": "datatables_view",
        "title": TABLE_PREVIEW_TITLE,
        "description": "Browse, sort and filter the rows before downloading them.",
    }


def _filter(conditions: dict[str, Any]) -> str:
    """ckanext-charts' filter syntax: ``column:value|column:value``."""
    return "|".join(f"{column}:{value}" for column, value in conditions.items())


def chart_view(chart: dict[str, Any], dataset: Dataset) -> dict[str, Any]:
    """One chart of the dictionary entry as a ckanext-charts view (Plotly engine)."""
    labels = {c.name: c.description or c.name for c in dataset.columns}
    view = {
        "view_type": "charts_view",
        "title": chart["title"],
        "description": f"{labels[chart['y']]} Column {chart['y']}, by {chart['x']}.",
        "engine": "plotly",
        "type": PLOTLY_TYPES[chart["type"]],
        "x": chart["x"],
        # a line chart may draw several columns (a list); a bar chart draws one
        "y": [chart["y"]] if chart["type"] == "line" else chart["y"],
        "sort_x": True,
        "limit": CHART_ROW_LIMIT,
        "chart_title": chart["title"],
        "x_axis_label": chart["x"],
        "y_axis_label": chart["y"],
    }
    if chart.get("filter"):
        view["filter"] = _filter(chart["filter"])
    return view


def wanted_views(dataset: Dataset) -> list[dict[str, Any]]:
    """The views a dataset's DataStore resource should have, in the order shown."""
    charts = [chart_view(c, dataset) for c in dataset.spec.get("charts") or []]
    return [table_preview(), *charts]


def view_differs(current: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """True when a field we set differs (CKAN may add fields of its own: ignored)."""
    return any(current.get(key) != value for key, value in wanted.items())
