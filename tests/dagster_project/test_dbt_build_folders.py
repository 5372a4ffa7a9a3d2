"""dagster-dbt leaves one artifacts folder per dbt build in the target folder (5-10 MB
each); the resource keeps the newest few (defs/resources.py)."""

from __future__ import annotations

import os

from dagster_project.defs.resources import prune_build_folders


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
