"""dbt: sources with column docs, the published models' descriptions and enforced
contracts (column names and types), and the lookup seeds.

The contract is the warehouse's part of the rule model: a published model builds only
with exactly the dictionary's columns and types. Value rules are the publication gate's
(``gx.py``), so no ``data_tests`` are generated for published models: a rule is checked
once, and a tightened rule blocks only its own dataset (a failing dbt test would stop the
build of everything downstream of it).
"""

from __future__ import annotations

import csv
import io
from typing import Any

import yaml

from ..entries import Dataset, Dictionary, Source

HEADER = (
    "# GENERATED from data_dictionary/{origin} by `make dictionary-generate`.\n"
    "# Do not edit: change the dictionary and regenerate.\n"
)


def _dump(document: dict) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def sources_yaml(source: Source) -> str:
    table = {
        "name": source.raw_table,
        "description": f"{source.title}: {source.description} Loaded by the ingest "
        "contract; one row per row of the extracts, with lineage columns.",
        "meta": {
            "owner_division": source.owner_division,
            "primary_key": list(source.primary_key),
            **({"latest_by": source.spec["latest_by"]} if "latest_by" in source.spec else {}),
            "expected_frequency": source.expected_frequency.name
            if source.expected_frequency
            else None,
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
                "description": f"Raw extracts of the {source.title}.",
                "tables": [table],
            }
        ],
    }
    return HEADER.format(origin=f"sources/{source.path.name}") + _dump(document)


def open_data_model(dataset: Dataset) -> dict[str, Any]:
    return {
        "name": dataset.model,
        "description": f"{dataset.title}. {dataset.description} Grain: {dataset.grain}.",
        "config": {
            "contract": {"enforced": True},
            "meta": {
                "dataset": dataset.id,
                "owner_division": dataset.owner_division,
                "publication_status": dataset.status,
                "update_frequency": dataset.update_frequency.name,
                # read by the small_cell_suppression macro (lib/dictionary/small_cells.py)
                **({"small_cells": dataset.small_cells.meta()} if dataset.small_cells else {}),
            },
        },
        "columns": [
            {
                "name": c.name,
                "data_type": c.type,
                "description": c.description,
                "meta": {"classification": c.classification},
            }
            for c in dataset.columns
        ],
    }


def open_data_yaml(dictionary: Dictionary) -> str:
    models = [open_data_model(d) for d in sorted(dictionary.datasets.values(), key=lambda d: d.id)]
    return HEADER.format(origin="datasets/*.yml") + _dump({"version": 2, "models": models})


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def divisions_csv(dictionary: Dictionary) -> str:
    return _csv(
        ["division_id", "division_name"],
        [[d.id, d.name] for d in sorted(dictionary.divisions.values(), key=lambda d: d.id)],
    )


def wards_csv(dictionary: Dictionary) -> str:
    return _csv(
        ["ward_number", "ward_name"],
        [[w.number, w.name] for w in sorted(dictionary.city.wards, key=lambda w: w.number)],
    )


def street_types_csv(dictionary: Dictionary) -> str:
    return _csv(
        ["street_type"], [[kind.lower()] for kind in sorted(set(dictionary.city.street_types))]
    )


def services_csv(dictionary: Dictionary) -> str:
    """The service inventory, one row per service (dbt seed ``services``)."""
    rows = []
    for s in sorted(dictionary.services.values(), key=lambda s: s.id):
        rows.append(
            [
                s.id, s.name, s.division, s.system or "", "|".join(s.channels),
                s.stages_offered, s.online_stages,
                s.standard.days if s.standard else "",
                s.standard.target_share if s.standard else "",
                s.standard.description if s.standard else "",
                s.legislated.days if s.legislated else "",
                s.legislated.description if s.legislated else "",
                (s.legislated.source or "") if s.legislated else "",
            ]
        )  # fmt: skip
    return _csv(
        [
            "service_id", "service_name", "division_id", "source_system", "channel_codes",
            "stages_offered", "stages_online", "standard_days", "standard_target_share",
            "standard_description", "legislated_days", "legislated_statute",
            "legislated_source",
        ],
        rows,
    )  # fmt: skip


def road_class_timelines_csv(dictionary: Dictionary) -> str:
    """The legislated timeline per road class, from the one service whose law sets them
    (dbt seed ``road_class_timelines``; empty when the city has none)."""
    return _csv(
        ["service_id", "road_class", "standard_hours", "standard_depth_cm", "source"],
        [
            [s.id, t.road_class, t.hours, t.depth_cm, s.legislated.source or ""]
            for s in sorted(dictionary.services.values(), key=lambda s: s.id)
            if s.legislated
            for t in sorted(s.legislated.by_road_class, key=lambda t: t.road_class)
        ],
    )


def service_stages_csv(dictionary: Dictionary) -> str:
    """Per service and stage: offered, and online (dbt seed ``service_stages``)."""
    from ..services import STAGES

    return _csv(
        ["service_id", "stage", "is_online"],
        [
            [s.id, stage, "true" if s.stages[stage] else "false"]
            for s in sorted(dictionary.services.values(), key=lambda s: s.id)
            for stage in STAGES
            if s.stages[stage] is not None
        ],
    )


def cost_allocation_csv(dictionary: Dictionary) -> str:
    """Finance's shares of cost centres by service and channel (dbt seed
    ``cost_allocation``; an empty channel: all of the service's channels; several,
    joined by '|' as in ``services.csv``: a cost centre serving them together)."""
    allocations = dictionary.cost_allocation.allocations if dictionary.cost_allocation else ()
    return _csv(
        ["cost_centre", "cost_centre_name", "service_id", "channel_code", "share"],
        [
            [a.cost_centre, a.cost_centre_name, a.service, "|".join(a.channels), a.share]
            for a in allocations
        ],
    )
