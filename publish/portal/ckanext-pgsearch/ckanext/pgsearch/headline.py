"""The home page's headline KPIs: the scorecard's last complete month, over all services.

The scorecard is updated daily, so its latest month is the month in progress (a few days
of transactions, most not finished yet): the headline is the month before it, the last
complete one. A scorecard with a single month shows that month.

Pure functions over DataStore rows (``summarise``) plus one reader that asks CKAN's
DataStore for the latest month's rows. Which figures, and how each is summed up, come
from ``city_portal.json`` (generated from the dictionary by ``publish/ckan/scheming.py``).

Suppressed cells: the scorecard publishes a service's small counts (and their
complements) empty, marked ``is_suppressed``, and it has no unsuppressed total (a total
would give the small counts back). So a sum over the month is a lower bound, shown as
"at least N" with a note saying why, and a share weighted by transactions leaves those
services out, which its note says too. Nothing is shown as more exact than it is.
"""

from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as toolkit

log = logging.getLogger(__name__)
MONTH_COLUMN = "month"
WEIGHT_COLUMN = "transactions"
MAX_ROWS = 5000  # one month of a city's services: a few hundred rows at most
SUPPRESSED_COLUMN = "is_suppressed"


def _suppressed(rows: list[dict[str, Any]], column: str) -> int:
    """Rows whose value of ``column`` is empty because a small count was suppressed."""
    return sum(1 for r in rows if r.get(SUPPRESSED_COLUMN) and r.get(column) is None)


def _services(count: int) -> str:
    return f"{count} service{'s' if count != 1 else ''}"


def _weighted_share(rows: list[dict[str, Any]], column: str) -> float | None:
    """A share over all services, each weighted by its transactions (a service with
    no known value for the share is left out, as the scorecard's shares are)."""
    known = [r for r in rows if r.get(column) is not None and r.get(WEIGHT_COLUMN)]
    weight = sum(float(r[WEIGHT_COLUMN]) for r in known)
    if not weight:
        return None
    return sum(float(r[column]) * float(r[WEIGHT_COLUMN]) for r in known) / weight


def summarise(rows: list[dict[str, Any]], figures: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Each figure's value and its text as the home page shows it."""
    out = []
    for figure in figures:
        column, summary = figure["column"], figure["summary"]
        note = None
        if summary == "sum":
            value: float | None = sum(float(r[column] or 0) for r in rows)
            text = f"{value:,.0f}"
            if hidden := _suppressed(rows, column):
                text = f"at least {text}"
                note = f"{_services(hidden)} with small counts suppressed, not counted"
        elif summary == "count_distinct":
            value = len({r[column] for r in rows if r.get(column) is not None})
            text = f"{value:,}"
        elif summary == "weighted_share":
            value = _weighted_share(rows, column)
            text = "not measured" if value is None else f"{value:.0%}"
            if value is not None and (hidden := _suppressed(rows, WEIGHT_COLUMN)):
                note = f"leaves out {_services(hidden)} with small counts suppressed"
        else:
            raise ValueError(f"unknown summary {summary!r} for the KPI {column!r}")
        out.append({**figure, "value": value, "text": text, "note": note})
    return out


def _datastore_resource(package: dict[str, Any]) -> dict[str, Any] | None:
    return next((r for r in package.get("resources", []) if r.get("datastore_active")), None)


def headline_kpis(config: dict[str, Any] | None) -> dict[str, Any] | None:
    """The last complete month's figures, or None when the scorecard is not published."""
    if not config:
        return None
    context = {"ignore_auth": False}
    try:
        package = toolkit.get_action("package_show")(context, {"id": config["dataset"]})
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized):
        return None
    resource = _datastore_resource(package)
    if resource is None:
        return None
    search = toolkit.get_action("datastore_search")
    try:
        months = search(
            context,
            {
                "resource_id": resource["id"],
                "fields": [MONTH_COLUMN],
                "distinct": True,
                "sort": f"{MONTH_COLUMN} desc",
                "limit": 2,
            },
        )["records"]
        if not months:
            return None
        month = months[-1][MONTH_COLUMN]  # the month before the one in progress
        rows = search(
            context,
            {"resource_id": resource["id"], "limit": MAX_ROWS, "filters": {MONTH_COLUMN: month}},
        )["records"]
    except (toolkit.ObjectNotFound, toolkit.ValidationError) as error:
        # a scorecard table without the expected columns: no headline, the page still works
        log.warning("headline KPIs unavailable: %s", error)
        return None
    return {
        "month": str(month)[:7],
        "dataset": package,
        "resource": resource,
        "figures": summarise(rows, config["figures"]),
        "suppressed": any(r.get(SUPPRESSED_COLUMN) for r in rows),
        "threshold": config.get("small_cell_threshold"),
    }
