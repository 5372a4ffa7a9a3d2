"""Charts show the DataStore table as it is now, not as it was an hour ago.

ckanext-charts caches each table's rows in Redis (an hour by default) and drops that cache
only when xloader or datapusher reloads a table. Our publisher loads with the
``city_datastore_load`` COPY action (``datastore_copy.py``) or CKAN's ``datastore_*``
actions, so after each of those the table's chart cache is dropped here.
"""

from __future__ import annotations

import logging
from typing import Any

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit

log = logging.getLogger(__name__)
WRITE_ACTIONS = ("datastore_create", "datastore_upsert", "datastore_delete", "city_datastore_load")


def forget_charts_of(resource_id: str | None) -> None:
    if not resource_id or not plugins.plugin_loaded("charts_view"):
        return
    from ckanext.charts.cache import invalidate_resource_cache  # only with charts_view

    invalidate_resource_cache(resource_id)


def _invalidating(name: str):
    @toolkit.chained_action
    def action(original, context, data_dict):
        result = original(context, data_dict)
        written: Any = data_dict.get("resource_id")
        if not written and isinstance(result, dict):  # datastore_create of a new resource
            written = result.get("resource_id")
        forget_charts_of(written)
        return result

    action.__name__ = name
    return action


def actions() -> dict:
    return {name: _invalidating(name) for name in WRITE_ACTIONS}
