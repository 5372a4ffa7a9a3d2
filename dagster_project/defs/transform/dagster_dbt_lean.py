"""dagster-dbt, imported without dbt-core in the pipeline's process.

dagster-dbt imports dbt-core when it finds it installed beside it, for two things: dbt's
selection engine (to turn a ``@dbt_assets(select=..., exclude=...)`` into nodes) and a
few of dbt's enums. That import is ~1 s of every run's start (dbt's modules, mashumaro
compiling dbt's classes, networkx; measured on the no-op run of the scale-20 city: 5.1 s
to 4.1 s), and this process never runs dbt itself: dbt runs in a process of its own
(``scripts/dbt-bound-to-parent``, ``lib/warm_dbt.py``) and dagster-dbt starts it and
reads its events. dagster-dbt supports that setup (it installs without dbt-core, for
dbt-core in another environment or dbt Fusion): it then uses its own copies of the
enums, and evaluates no selection but "every node of the manifest".

So dagster-dbt is imported here with ``dbt.version`` hidden (what ``dagster_dbt.compat``
tries, to find dbt-core), and dbt is importable again afterwards for code that runs dbt
in this process (tests that call dbtRunner). Each ``@dbt_assets`` gets the part of the
manifest it builds (``manifest_part``) and selects all of it; the dbt command gets its
selection from us (``defs/transform/dbt_assets.py``).

Import dagster-dbt's names from here, never ``dagster_dbt`` directly: whichever import
comes first decides for the whole process, and a process that imported it with dbt-core
first is refused here, saying so (its steps would select nothing).
``tests/dagster_project/test_dagster_dbt_lean.py`` checks that loading the definitions
imports no dbt-core. (dagster-dbt 0.29, pinned.)
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from typing import Any

_HIDDEN = "dbt.version"  # dagster_dbt.compat: ``from dbt.version import __version__``
_ABSENT = object()


def _import_dagster_dbt_without_dbt_core() -> None:
    if "dagster_dbt" in sys.modules:
        return
    found = sys.modules.get(_HIDDEN, _ABSENT)
    sys.modules[_HIDDEN] = None  # type: ignore[assignment]  (an ImportError for the import)
    try:
        import dagster_dbt  # noqa: F401
    finally:
        if found is _ABSENT:
            sys.modules.pop(_HIDDEN, None)
        else:
            sys.modules[_HIDDEN] = found  # type: ignore[assignment]


_import_dagster_dbt_without_dbt_core()

from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets  # noqa: E402
from dagster_dbt.compat import DBT_PYTHON_VERSION  # noqa: E402

__all__ = ["DagsterDbtTranslator", "DbtCliResource", "DbtProject", "dbt_assets"]

if DBT_PYTHON_VERSION is not None:
    # imported elsewhere first: dagster-dbt would evaluate the steps' selection (``""``)
    # with dbt's engine, which selects nothing, and the steps would have no assets
    raise ImportError(
        "dagster-dbt was imported with dbt-core in this process before "
        "dagster_project.defs.transform.dagster_dbt_lean: import its names from there (or load the "
        "project's definitions before importing dagster_dbt)"
    )

ASSET_TYPES = frozenset({"model", "seed", "snapshot"})
# dbt's project hooks: run by every build, in both steps' manifests (no asset, no check)
SHARED_TYPES = frozenset({"operation"})


def dagster_dbt_selects(context) -> bool:
    """Whether dagster-dbt adds a ``--select`` of its own to a step's dbt command: when
    the step runs a subset of its assets or of its checks (as
    ``dagster_dbt.asset_utils.get_subset_selection_for_context`` decides); otherwise the
    command's selection is the step's own."""
    assets_def = context.assets_def
    return (
        assets_def.keys_by_output_name != assets_def.node_keys_by_output_name
        or assets_def.check_specs_by_output_name != assets_def.node_check_specs_by_output_name
    )


def manifest_part(manifest: Mapping[str, Any], names: Iterable[str], inside: bool) -> dict:
    """The manifest of one ``@dbt_assets``: with ``inside``, the models (seeds, snapshots)
    named and the tests on any of them; without, every other model and test. The
    project's hooks stay in both (dbt reports them in every build); analyses, which no
    build runs, in neither. As dbt's eager selection does it: ``--select a`` takes a test
    on a and b, ``--exclude a`` leaves it out; but such a test, or a model, that needs a
    model of the other part is refused (dagster-dbt looks each parent up in the part)."""
    names = set(names)
    nodes = manifest["nodes"]
    named = {
        uid
        for uid, node in nodes.items()
        if node["name"] in names and node["resource_type"] in ASSET_TYPES
    }
    on_named = {
        uid
        for uid, node in nodes.items()
        if node["resource_type"] == "test"
        and named & set(node.get("depends_on", {}).get("nodes", []))
    }
    part = named | on_named
    kept = {
        uid: node
        for uid, node in nodes.items()
        if node["resource_type"] in SHARED_TYPES
        or (node["resource_type"] in ASSET_TYPES | {"test"} and (uid in part) == inside)
    }
    for uid, node in kept.items():
        for parent in node.get("depends_on", {}).get("nodes", []):
            if parent in nodes and parent not in kept:
                raise ValueError(
                    f"{uid} depends on {parent}, which is built by another step: a step's "
                    "models and tests may depend on that step's models and on sources only"
                )
    dropped = set(nodes) - set(kept)
    graph = {
        key: {
            uid: [n for n in linked if n not in dropped]
            for uid, linked in manifest[key].items()
            if uid not in dropped
        }
        for key in ("parent_map", "child_map")
        if key in manifest
    }
    return {**manifest, "nodes": kept, **graph}
