"""CKAN DataStore fields: each column's type and its data dictionary entry (label and
description), which the portal shows on the dataset page. Types only; no rules."""

from __future__ import annotations

from typing import Any

from ..entries import Dataset


def datastore_fields(dataset: Dataset) -> list[dict[str, Any]]:
    return [
        {
            "id": column.name,
            "type": column.data_type.datastore,
            "info": {
                "label": column.label,
                "notes": column.description,
                "type_override": column.data_type.datastore,
            },
        }
        for column in dataset.columns
    ]
