"""Frictionless Table Schema: the dataset's columns, types and rules as constraints, for
the tools that read a data package (published beside the CSV). Describes; does not
enforce (the gate does)."""

from __future__ import annotations

from typing import Any

from ..entries import Dataset
from ..rules import render

CONSTRAINTS = {
    "required": lambda r: {"required": True},
    "unique": lambda r: {"unique": True},
    "accepted_values": lambda r: {"enum": r.arguments["values"]},
    "range": lambda r: {
        key: value
        for key, value in (("minimum", r.arguments["min"]), ("maximum", r.arguments["max"]))
        if value is not None
    },
    "lookup": lambda r: {"enum": r.arguments["values"]},
    "pattern": lambda r: {"pattern": r.arguments["regex"].removeprefix("^").removesuffix("$")},
}


def table_schema(dataset: Dataset) -> dict[str, Any]:
    """The dataset's columns as a Frictionless Table Schema (its data dictionary)."""
    fields = []
    for column in dataset.columns:
        field: dict[str, Any] = {
            "name": column.name,
            "title": column.label,
            "type": column.data_type.frictionless,
            "description": column.description,
        }
        constraints: dict[str, Any] = {}
        for part in render(column.rules, CONSTRAINTS, target="Frictionless"):
            constraints.update(part)
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    if dataset.key_columns:
        schema["primaryKey"] = dataset.key_columns
    return schema
