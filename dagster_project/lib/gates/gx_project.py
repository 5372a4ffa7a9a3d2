"""Write the Great Expectations project in ``expectations/`` from the data dictionary.

For each published dataset: an expectation suite, a validation definition over a pandas
dataframe batch, and a checkpoint that stores results and updates Data Docs (both under
``expectations/gx/uncommitted/``, ignored by git). Suites are rewritten only when their
expectations change, so GX's generated ids stay stable in git.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

import great_expectations as gx
from great_expectations.core.expectation_suite import ExpectationSuite
from great_expectations.data_context.types.base import ProgressBarsConfig

from ..dictionary import Dictionary
from ..dictionary.render.gx import expectation_configs, suite_name
from .data_docs_templates import share_compiled_templates

DATASOURCE = "warehouse_exports"


def open_context(project_root) -> gx.data_context.FileDataContext:
    """The GX project at ``project_root``, opened once per process (a run's gates share
    it: opening reads and validates every config file, about a second each time). Its
    stores read suites, checkpoints and results from their files on every ``get``.
    One opening at a time: the warm-up thread opens it while dbt builds (warm_up.py), and
    a gate that asks meanwhile waits for that one rather than opening a second (GX keeps
    the project it opened last as a global)."""
    with _OPENING:
        return _open_context(str(Path(project_root).resolve()))


_OPENING = threading.Lock()


@lru_cache(maxsize=4)
def _open_context(project_root: str) -> gx.data_context.FileDataContext:
    share_compiled_templates()  # its Data Docs pages (data_docs_templates.py)
    context = gx.get_context(mode="file", project_root_dir=project_root)
    if context.variables.progress_bars is None:  # progress bars flood the run logs
        context.variables.progress_bars = ProgressBarsConfig(
            globally=False, metric_calculations=False
        )
        context.variables.save()
    return context


def stored_configs(context, name: str) -> list[dict] | None:
    try:
        suite = context.suites.get(name)
    except Exception:  # noqa: BLE001 (GX raises several types for a missing suite)
        return None
    return [
        {"type": e.configuration.type, "kwargs": dict(e.configuration.kwargs)}
        for e in suite.expectations
    ]


def expectation_from_config(config: dict):
    class_name = "".join(part.capitalize() for part in config["type"].split("_"))
    return getattr(gx.expectations, class_name)(**config["kwargs"])


def sync_project(dictionary: Dictionary, project_root) -> list[str]:
    """Create or update suites, validation definitions and checkpoints; return what changed."""
    context = open_context(project_root)
    changed = []
    # Only write what is missing or changed: GX gives every object a new id on each
    # write, and committed files must not churn.
    existing_sources = {ds.name for ds in context.data_sources.all().values()}
    source = (
        context.data_sources.get(DATASOURCE)
        if DATASOURCE in existing_sources
        else context.data_sources.add_pandas(DATASOURCE)
    )
    definitions = {v.name for v in context.validation_definitions.all()}
    checkpoints = {c.name for c in context.checkpoints.all()}
    for dataset in sorted(dictionary.approved_datasets, key=lambda d: d.id):
        name = suite_name(dataset)
        wanted = expectation_configs(dataset)
        suite_changed = stored_configs(context, name) != _normalised(wanted)
        if suite_changed:
            if stored_configs(context, name) is not None:
                context.suites.delete(name)
            context.suites.add(
                ExpectationSuite(
                    name=name,
                    expectations=[expectation_from_config(c) for c in wanted],
                    meta={"generated_from": f"data_dictionary/datasets/{dataset.path.name}"},
                )
            )
            changed.append(f"suite {name}")
        asset = next(
            (a for a in source.assets if a.name == name), None
        ) or source.add_dataframe_asset(name=name)
        batch = next(
            (b for b in asset.batch_definitions if b.name == "published_rows"), None
        ) or asset.add_batch_definition_whole_dataframe("published_rows")
        if suite_changed or name not in definitions:
            context.validation_definitions.add_or_update(
                gx.ValidationDefinition(name=name, data=batch, suite=context.suites.get(name))
            )
            changed.append(f"validation definition {name}")
        if suite_changed or name not in checkpoints:
            context.checkpoints.add_or_update(
                gx.Checkpoint(
                    name=name,
                    validation_definitions=[context.validation_definitions.get(name)],
                    actions=[gx.checkpoint.UpdateDataDocsAction(name="update_data_docs")],
                    result_format={"result_format": "SUMMARY", "partial_unexpected_count": 5},
                )
            )
            changed.append(f"checkpoint {name}")
    return changed


def drifted_suites(dictionary: Dictionary, project_root) -> list[str]:
    context = open_context(project_root)
    return [
        suite_name(d)
        for d in dictionary.approved_datasets
        if stored_configs(context, suite_name(d)) != _normalised(expectation_configs(d))
    ]


def _normalised(configs: list[dict]) -> list[dict]:
    """What GX stores back for our configs (it drops None-valued kwargs)."""
    return [
        {"type": c["type"], "kwargs": {k: v for k, v in c["kwargs"].items() if v is not None}}
        for c in configs
    ]
