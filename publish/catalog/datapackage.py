"""A Frictionless Data Package describing a dataset's CSV, published beside it: the data
dictionary as a Table Schema (rendered from the rule model) and the licence."""

from __future__ import annotations

from typing import Any

from dagster_project.lib.dictionary import Dataset, Division
from dagster_project.lib.dictionary.render.frictionless import table_schema


def datapackage(dataset: Dataset, division: Division, name: str, csv_url: str) -> dict[str, Any]:
    return {
        "profile": "tabular-data-package",
        "name": name,
        "title": dataset.title,
        "description": dataset.description,
        "keywords": list(dataset.keywords),
        "licenses": [{"name": dataset.licence.id}],
        "contributors": [
            {"title": division.name, "role": "publisher"},
            {"title": division.steward.name, "email": division.steward.email, "role": "maintainer"},
        ],
        "resources": [
            {
                "name": name,
                "path": csv_url,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": table_schema(dataset),
            }
        ],
    }
