"""dagster-dbt leaves one artifacts folder per dbt build in the target folder (5-10 MB
each); the resource keeps the newest few (defs/resources.py)."""

from __future__ import annotations

import os

from dagster_project.defs.resources import build_folder, prune_build_folders


def test_only_the_newest_build_folders_are_kept(tmp_path):
    builds = [tmp_path / f"warehouse_models-{n:07x}-abcdef{n}" for n in range(5)]
    for age, folder in enumerate(reversed(builds)):
        (folder / "run").mkdir(parents=True)
        (folder / "run_results.json").write_text("{}")
        os.utime(folder, (1_000_000 - age, 1_000_000 - age))
    kept_files = [tmp_path / "manifest.json", tmp_path / "partial_parse.msgpack"]
    for file in kept_files:
        file.write_text("{}")
    (tmp_path / "compiled").mkdir()  # dbt's own folders are not builds

    assert prune_build_folders(tmp_path, keep=2, now=1_000_000 + 60) == []  # all recent
    removed = prune_build_folders(tmp_path, keep=2, now=1_000_000 + 7 * 3600)

    assert sorted(removed) == sorted(builds[:3])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [b.name for b in builds[3:]] + ["manifest.json", "partial_parse.msgpack", "compiled"]
    )


def test_a_runs_build_folder_is_found_by_its_run_id(tmp_path):
    run_id = "0123abcd-0000-4000-8000-000000000000"
    (tmp_path / "warehouse_models-0123abc-9f8e7d6").mkdir()
    (tmp_path / "warehouse_models-4567def-1a2b3c4").mkdir()  # another run's
    (tmp_path / "quality_score_models-0123abc-5e6f7a8").mkdir()  # the run's other build

    assert build_folder(tmp_path, run_id) == tmp_path / "warehouse_models-0123abc-9f8e7d6"
    assert build_folder(tmp_path, "ffffffff-0000") is None
    assert build_folder(tmp_path, run_id, "quality_score_models").name.endswith("-5e6f7a8")
