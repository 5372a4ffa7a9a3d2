"""Files generated from the data dictionary, so that meaning is written once.

- ``dbt/models/staging/<system>/_<system>__sources.yml``: dbt sources with column docs,
- ``dbt/models/marts/open_data/_open_data__models.yml``: published models' descriptions,
  contracts (data types) and tests,
- ``dbt/seeds/divisions.csv``: the divisions lookup.

``make dictionary-generate`` writes them; ``make dictionary-check`` (and CI) fails when a
committed file differs from what the dictionary generates (drift).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml

from .dictionary import Dataset, Dictionary, Source

HEADER = (
    "# GENERATED from data_dictionary/{origin} by `make dictionary-generate`.\n"
    "# Do not edit: change the dictionary and regenerate.\n"
)


def _dump(document: dict) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def sources_yaml(source: Source) -> str:
    table = {
        "name": source.raw_table,
        "description": f"{source['title']}: {source['description']} Loaded by the ingest "
        f"contract; one row per row of the extracts, with lineage columns.",
        "meta": {
            "owner_division": source["owner_division"],
            "primary_key": source["primary_key"],
            "expected_frequency": source.get("expected_frequency"),
        },
        "columns": [
            {
                "name": c.name,
                "description": c.description,
                "meta": {"classification": c.classification},
            }
            for c in source.columns
        ],
    }
    document = {
        "version": 2,
        "sources": [
            {
                "name": source.system,
                "schema": "raw",
                "description": f"Raw extracts of the {source['title']}.",
                "tables": [table],
            }
        ],
    }
    return HEADER.format(origin=f"sources/{source.path.name}") + _dump(document)


def _column_tests(column) -> list:
    spec, tests = column.spec, []
    if spec.get("required"):
        tests.append("not_null")
    if spec.get("unique"):
        tests.append("unique")
    if "accepted_values" in spec:
        tests.append({"accepted_values": {"arguments": {"values": spec["accepted_values"]}}})
    if "min" in spec or "max" in spec:
        bounds = {k: spec[k] for k in ("min", "max") if k in spec}
        tests.append({"value_between": {"arguments": {f"{k}_value": v for k, v in bounds.items()}}})
    return tests


def open_data_model(dataset: Dataset) -> dict:
    columns = []
    for column in dataset.columns:
        entry = {
            "name": column.name,
            "data_type": column.type,
            "description": column.description,
            "meta": {"classification": column.classification},
        }
        if tests := _column_tests(column):
            entry["data_tests"] = tests
        columns.append(entry)
    return {
        "name": dataset.model,
        "description": f"{dataset['title']}. {dataset['description']} Grain: {dataset['grain']}.",
        "config": {
            "contract": {"enforced": True},
            "meta": {
                "dataset": dataset.id,
                "owner_division": dataset["owner_division"],
                "publication_status": dataset.status,
                "update_frequency": dataset["update_frequency"],
            },
        },
        "columns": columns,
    }


def open_data_yaml(dictionary: Dictionary) -> str:
    models = [open_data_model(d) for d in sorted(dictionary.datasets.values(), key=lambda d: d.id)]
    return HEADER.format(origin="datasets/*.yml") + _dump({"version": 2, "models": models})


def divisions_csv(dictionary: Dictionary) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["division_id", "division_name"])
    for division in sorted(dictionary.divisions.values(), key=lambda d: d["id"]):
        writer.writerow([division["id"], division["name"]])
    return buffer.getvalue()


def generated_files(dictionary: Dictionary, dbt_dir: Path) -> dict[Path, str]:
    files = {
        dbt_dir / "models" / "staging" / s.system / f"_{s.system}__sources.yml": sources_yaml(s)
        for s in dictionary.sources.values()
    }
    files[dbt_dir / "models" / "marts" / "open_data" / "_open_data__models.yml"] = open_data_yaml(
        dictionary
    )
    files[dbt_dir / "seeds" / "divisions.csv"] = divisions_csv(dictionary)
    return files


def write_generated(dictionary: Dictionary, dbt_dir: Path) -> list[Path]:
    written = []
    for path, content in generated_files(dictionary, dbt_dir).items():
        if not path.exists() or path.read_text() != content:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content)
            written.append(path)
    return written


def drifted(dictionary: Dictionary, dbt_dir: Path) -> list[Path]:
    """Generated files whose committed content differs from what the dictionary gives."""
    return [
        path
        for path, content in generated_files(dictionary, dbt_dir).items()
        if not path.exists() or path.read_text() != content
    ]
