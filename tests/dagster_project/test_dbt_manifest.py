"""``dbt parse`` never leaves a half-written manifest where Dagster reads it
(defs/transform/project.py): it parses in a folder of its own and renames the files
into the target folder, so a process loading the definitions meanwhile (the daemon and
the webserver after an upgrade, two test workers) reads the old manifest or the new."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time

from dagster_project.defs.transform.project import _parse_into, parse_manifest
from dagster_project.lib.dbt_environment import dbt_environment


def test_a_parse_replaces_the_manifest_whole_while_it_is_read(tmp_path, monkeypatch):
    for name, value in dbt_environment().items():  # as parse_manifest sets them
        monkeypatch.setenv(name, value)
    target = tmp_path / "target"
    target.mkdir()
    manifest = parse_manifest()  # (this module's import made it; the cache is beside it)
    shutil.copyfile(manifest, target / "manifest.json")
    if (manifest.parent / "partial_parse.msgpack").exists():
        shutil.copy(manifest.parent / "partial_parse.msgpack", target)
    abandoned = target / ".parse-killed"  # a parse whose process was killed long ago
    abandoned.mkdir()
    os.utime(abandoned, (time.time() - 3600, time.time() - 3600))
    before = (target / "manifest.json").stat().st_ino
    failures, reads, parsing = [], [0], threading.Event()

    def read_while_parsing() -> None:
        while not parsing.is_set():
            try:
                json.loads((target / "manifest.json").read_text())
                reads[0] += 1
            except (ValueError, OSError) as half_written_or_missing:
                failures.append(half_written_or_missing)

    reader = threading.Thread(target=read_while_parsing)
    reader.start()
    try:
        _parse_into(target, dbt_environment()["CITY_DBT_EXECUTABLE"])
    finally:
        parsing.set()
        reader.join()
    assert not failures
    assert reads[0] > 0
    assert (target / "manifest.json").stat().st_ino != before  # renamed in, not rewritten
    assert json.loads((target / "manifest.json").read_text())["nodes"]
    # its own folder removed, and the one a killed parse left
    assert sorted(p.name for p in target.iterdir() if p.name.startswith(".parse-")) == []
