"""Facts sent as extras become the dataset schema's fields (``package_create``/``_update``).

With the city's dataset schema, CKAN refuses an extra named like a schema field ("There
is a schema field with the same name"). Clients written before the schema (a harvester's
script, an older publisher, a data team's notebook) send such facts as extras; this lifts
them into the fields they name, so those clients keep working and the facts are shown as
the labelled fields. An extra wins over a top-level field of the same name: with the
schema, ``package_show`` never returns such an extra, so the client sent it on purpose
(``package_patch`` adds the current top-level fields to what the client sent).
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as toolkit

from .city_files import dataset_schema


def schema_field_names() -> frozenset[str]:
    return frozenset(f["field_name"] for f in dataset_schema()["dataset_fields"])


def lift_extras(data_dict: dict[str, Any]) -> dict[str, Any]:
    extras = data_dict.get("extras")
    if not isinstance(extras, list):
        return data_dict
    fields = schema_field_names()
    named = [e for e in extras if isinstance(e, dict) and e.get("key") in fields]
    if not named:
        return data_dict
    lifted = {e["key"]: e.get("value") for e in named}
    rest = [e for e in extras if e not in named]
    return {**data_dict, **lifted, "extras": rest}


@toolkit.chained_action
def package_create(original, context, data_dict):
    return original(context, lift_extras(data_dict))


@toolkit.chained_action
def package_update(original, context, data_dict):
    return original(context, lift_extras(data_dict))


def actions() -> dict:
    return {"package_create": package_create, "package_update": package_update}
