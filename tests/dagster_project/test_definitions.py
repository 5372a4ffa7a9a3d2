"""The Dagster definitions load, and the asset graph is what we meant (snapshot)."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import pytest

from dagster_project.definitions import definitions
from dagster_project.lib.dictionary import load_dictionary

SNAPSHOT = Path(__file__).parents[1] / "snapshots" / "asset_graph.txt"


@pytest.fixture(scope="module")
def repository():
    return definitions().get_repository_def()


def graph_lines(repository) -> list[str]:
    graph = repository.asset_graph
    lines = []
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        parents = sorted(p.to_user_string() for p in graph.get(key).parent_keys)
        lines.append(f"{key.to_user_string()} <- {', '.join(parents) or '(source)'}")
    for check in sorted(graph.asset_check_keys, key=lambda c: c.to_user_string()):
        if check.asset_key.path[0] == "open_data":
            lines.append(f"check {check.to_user_string()}")
    return lines


def test_definitions_load_with_one_job_and_in_process_executor(repository):
    job = repository.get_job("city_pipeline")
    assert job.executor_def.name == "in_process"
    assert repository.get_schedule_def("daily_pipeline").cron_schedule == "0 6 * * *"


def test_asset_graph_snapshot(repository):
    """Update with UPDATE_SNAPSHOTS=1 after an intended change, and review the diff."""
    current = "\n".join(graph_lines(repository)) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") or not SNAPSHOT.exists():
        SNAPSHOT.write_text(current)
    assert current == SNAPSHOT.read_text()


def test_every_approved_dataset_is_gated_and_published(repository):
    graph = repository.asset_graph
    checks = {(c.asset_key, c.name) for c in graph.asset_check_keys}
    for dataset in load_dictionary().approved_datasets:
        model = dg.AssetKey(["open_data", dataset.model])
        assert (model, "quality_gate") in checks and (model, "privacy_gate") in checks
        for name in ("quality_gate", "privacy_gate"):
            assert graph.get_check_spec(dg.AssetCheckKey(model, name)).blocking
        publish = graph.get(dg.AssetKey(["portal", dataset.id]))
        assert publish.parent_keys == {model}


def test_every_source_system_has_an_ingest_asset_dbt_builds_on(repository):
    graph = repository.asset_graph
    for source in load_dictionary().sources.values():
        key = dg.AssetKey(["raw", source.raw_table])
        assert graph.get(key).is_materializable
        assert any(key in graph.get(child).parent_keys for child in graph.get(key).child_keys)


def test_workspace_yaml_loads_the_one_code_location():
    import subprocess
    import sys

    from dagster_project.settings import PROJECT_DIR

    dagster = Path(sys.executable).with_name("dagster")
    result = subprocess.run(
        [str(dagster), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (
        "Validation successful for code location city_data_platform"
        in result.stdout + result.stderr
    )


def test_a_broken_dataset_entry_blocks_only_that_dataset(tmp_path, monkeypatch):
    """The code location loads; the broken dataset's publish asset fails with the entry's
    problems (file, line, field) and every other dataset keeps its gates and publisher."""
    import shutil

    from dagster_project.settings import DICTIONARY_DIR, get_settings

    copy = tmp_path / "data_dictionary"
    shutil.copytree(DICTIONARY_DIR, copy)
    entry = copy / "datasets" / "building_permits.yml"
    entry.write_text(entry.read_text().replace("licence: odc-by", "licence: odc-byy"))
    monkeypatch.setenv("PLATFORM_DICTIONARY_DIR", str(copy))
    get_settings.cache_clear()
    try:
        repository = definitions().get_repository_def()
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    graph = repository.asset_graph
    checks = {c.asset_key for c in graph.asset_check_keys}
    assert dg.AssetKey(["open_data", "pub_service_requests"]) in checks
    assert dg.AssetKey(["open_data", "pub_building_permits"]) not in checks  # not gated...
    broken = repository.assets_defs_by_key[dg.AssetKey(["portal", "building_permits"])]
    result = dg.materialize([broken], raise_on_error=False)  # ...and never published
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = str(failure.event_specific_data.error)
    assert "building_permits is not published: its dictionary entry has problems" in message
    assert "building_permits.yml, line 10, field licence: 'odc-byy'" in str(
        failure.event_specific_data.user_failure_data.metadata["problems"]
    )
