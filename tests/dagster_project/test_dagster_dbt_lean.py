"""dagster-dbt in the pipeline's process without dbt-core (dagster_dbt_lean.py)."""

from __future__ import annotations

import json
import subprocess
import sys

from dagster_project.defs.transform.dagster_dbt_lean import manifest_part
from dagster_project.settings import PROJECT_DIR

QUALITY_SCORES = ["stg_open_data_platform__dataset_quality_scores", "pub_dataset_quality_scores"]


def test_loading_the_definitions_imports_no_dbt_core():
    """The whole point: dagster-dbt took its path without dbt-core (its selection engine
    and enums not loaded), and dbt can still be imported afterwards in the process."""
    script = (
        "import sys\n"
        "from dagster_project.definitions import definitions\n"
        "d = definitions()\n"
        "from dagster_dbt.compat import DBT_PYTHON_VERSION\n"
        "loaded = [m for m in sys.modules if m == 'dbt' or m.startswith('dbt.')]\n"
        "import dbt.version\n"
        "print(DBT_PYTHON_VERSION, len(loaded), dbt.version.__version__ is not None)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_DIR, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["None", "0", "True"], out.stderr[-2000:]


def test_dagster_dbt_imported_with_dbt_core_first_is_refused():
    """Imported elsewhere first, dagster-dbt would select nothing from the steps' parts
    (dbt's engine reads ``select=""`` as no node): the definitions refuse to load."""
    script = "import dagster_dbt\nimport dagster_project.defs.transform.dagster_dbt_lean\n"
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_DIR, capture_output=True, text=True
    )
    assert out.returncode != 0
    assert "import its names from there" in out.stderr


def _node(name: str, kind: str = "model", parents: tuple[str, ...] = ()) -> tuple[str, dict]:
    uid = f"{kind}.p.{name}"
    return uid, {"name": name, "resource_type": kind, "depends_on": {"nodes": list(parents)}}


def _manifest() -> dict:
    nodes = dict(
        [
            _node("stg", parents=("source.p.raw.a",)),
            _node("pub", parents=("model.p.stg",)),
            _node("scores", parents=("source.p.raw.scores",)),
            _node("pub_scores", parents=("model.p.scores",)),
            _node("not_null_pub_id", "test", ("model.p.pub",)),
            _node("unique_scores_id", "test", ("model.p.scores",)),
            _node("city_warehouse-on-run-start-0", "operation"),
            _node("monthly_report", "analysis", ("model.p.pub", "model.p.pub_scores")),
        ]
    )
    child_map = {uid: [] for uid in nodes}
    for uid, node in nodes.items():
        for parent in node["depends_on"]["nodes"]:
            child_map.setdefault(parent, []).append(uid)
    return {"nodes": nodes, "sources": {}, "child_map": child_map, "parent_map": {}}


def test_the_parts_split_the_models_and_their_tests_and_share_the_hooks():
    manifest = _manifest()
    inside = manifest_part(manifest, ["scores", "pub_scores"], inside=True)
    outside = manifest_part(manifest, ["scores", "pub_scores"], inside=False)
    assert sorted(n["name"] for n in inside["nodes"].values()) == [
        "city_warehouse-on-run-start-0",
        "pub_scores",
        "scores",
        "unique_scores_id",
    ]
    assert sorted(n["name"] for n in outside["nodes"].values()) == [
        "city_warehouse-on-run-start-0",
        "not_null_pub_id",
        "pub",
        "stg",
    ]
    assert "model.p.scores" not in outside["child_map"]
    assert outside["child_map"]["model.p.pub"] == ["test.p.not_null_pub_id"]
    assert manifest["nodes"]["model.p.scores"]  # the manifest itself is left as it was


def test_a_part_that_needs_a_model_of_the_other_step_is_refused():
    manifest = _manifest()
    manifest["nodes"]["model.p.scores"]["depends_on"]["nodes"].append("model.p.pub")
    try:
        manifest_part(manifest, ["scores", "pub_scores"], inside=True)
    except ValueError as error:
        assert "model.p.pub" in str(error)
    else:
        raise AssertionError("a part depending on another step's model was accepted")


def test_the_project_s_parts_cover_every_node_once():
    """The sample city's manifest: each model and test is in exactly one step."""
    manifest = json.loads((PROJECT_DIR / "dbt" / "target" / "manifest.json").read_text())
    inside = manifest_part(manifest, QUALITY_SCORES, inside=True)["nodes"]
    outside = manifest_part(manifest, QUALITY_SCORES, inside=False)["nodes"]
    built = {"model", "seed", "snapshot", "test"}
    for part in (inside, outside):
        assert {n["resource_type"] for n in part.values()} <= built | {"operation"}
    inside_built = {u for u, n in inside.items() if n["resource_type"] in built}
    outside_built = {u for u, n in outside.items() if n["resource_type"] in built}
    assert not inside_built & outside_built
    everything = {u for u, n in manifest["nodes"].items() if n["resource_type"] in built}
    assert inside_built | outside_built == everything
    assert {n["name"] for n in inside.values() if n["resource_type"] == "model"} == set(
        QUALITY_SCORES
    )
