"""Files generated from the data dictionary, so that meaning is written once.

- ``dbt/models/staging/<system>/_<system>__sources.yml``: dbt sources with column docs,
- ``dbt/models/marts/open_data/_open_data__models.yml``: published models' descriptions
  and contracts,
- ``dbt/seeds/divisions.csv``, ``wards.csv``, ``street_types.csv``: the lookups;
  ``services.csv``, ``service_stages.csv``, ``road_class_timelines.csv``,
  ``cost_allocation.csv``: the service inventory and finance's cost allocation
  (services.py);
- ``dbt/models/marts/kpi/kpi_service_scorecard.sql`` and ``_kpi__semantic_models.yml``:
  the scorecard and the dbt semantic layer, from the KPI definitions (metrics.py);
  ``dbt/macros/kpi_metric.sql``: each KPI's formula, for the other KPI marts.

(The Great Expectations suites are generated too, by ``lib/gates/gx_project.py``.)
``make dictionary-generate`` writes them; ``make dictionary-check`` (and CI) fails when a
committed file differs from what the dictionary generates (drift).
"""

from __future__ import annotations

from pathlib import Path

from .entries import Dictionary
from .render.dbt import (
    cost_allocation_csv,
    divisions_csv,
    open_data_yaml,
    road_class_timelines_csv,
    service_stages_csv,
    services_csv,
    sources_yaml,
    street_types_csv,
    wards_csv,
)
from .render.kpi import metric_macros_sql, scorecard_sql
from .render.kpi_semantic import semantic_layer_yaml


def generated_files(dictionary: Dictionary, dbt_dir: Path) -> dict[Path, str]:
    files = {
        dbt_dir / "models" / "staging" / s.system / f"_{s.system}__sources.yml": sources_yaml(s)
        for s in dictionary.sources.values()
    }
    files[dbt_dir / "models" / "marts" / "open_data" / "_open_data__models.yml"] = open_data_yaml(
        dictionary
    )
    files[dbt_dir / "seeds" / "divisions.csv"] = divisions_csv(dictionary)
    files[dbt_dir / "seeds" / "wards.csv"] = wards_csv(dictionary)
    files[dbt_dir / "seeds" / "street_types.csv"] = street_types_csv(dictionary)
    files[dbt_dir / "seeds" / "services.csv"] = services_csv(dictionary)
    files[dbt_dir / "seeds" / "service_stages.csv"] = service_stages_csv(dictionary)
    files[dbt_dir / "seeds" / "road_class_timelines.csv"] = road_class_timelines_csv(dictionary)
    files[dbt_dir / "seeds" / "cost_allocation.csv"] = cost_allocation_csv(dictionary)
    if dictionary.metrics:  # the KPIs, defined once in metrics.yml (a new city has none)
        metrics = list(dictionary.metrics.values())
        kpi = dbt_dir / "models" / "marts" / "kpi"
        files[kpi / "kpi_service_scorecard.sql"] = scorecard_sql(metrics)
        files[kpi / "_kpi__semantic_models.yml"] = semantic_layer_yaml(metrics)
        files[dbt_dir / "macros" / "kpi_metric.sql"] = metric_macros_sql(metrics)
    return files


def write_changed(files: dict[Path, str]) -> list[Path]:
    """Write the files whose content changed (unchanged files keep their timestamps)."""
    written = []
    for path in changed(files):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files[path])
        written.append(path)
    return written


def changed(files: dict[Path, str]) -> list[Path]:
    """The files whose content on disk differs from the wanted content (or is missing)."""
    return [p for p, content in files.items() if not p.exists() or p.read_text() != content]


def write_generated(dictionary: Dictionary, dbt_dir: Path) -> list[Path]:
    return write_changed(generated_files(dictionary, dbt_dir))


def drifted(dictionary: Dictionary, dbt_dir: Path) -> list[Path]:
    """Generated files whose committed content differs from what the dictionary gives."""
    return changed(generated_files(dictionary, dbt_dir))
