"""The landing files' hashes, remembered between runs (lib/files.py FileHashes): a file
is read again only when its size, modification time or inode changed."""

from __future__ import annotations

import os

from dagster_project.lib import files
from dagster_project.lib.files import FileHashes, file_sha256


def test_a_file_is_hashed_once_until_it_changes(tmp_path, monkeypatch):
    extract = tmp_path / "landing" / "SR_EXPORT_2026.csv"
    extract.parent.mkdir()
    extract.write_text("request_id\nSR-1\n")
    memo = tmp_path / "landing_hashes.json"
    read = []
    monkeypatch.setattr(files, "file_sha256", lambda p: read.append(p) or file_sha256(p))

    hashes = FileHashes(memo)
    assert hashes.sha256(extract) == file_sha256(extract)
    hashes.save()
    assert FileHashes(memo).sha256(extract) == file_sha256(extract)
    assert len(read) == 1  # the second run remembered it

    extract.write_text("request_id\nSR-2\n")  # corrected, same size
    os.utime(extract, ns=(1, 1))  # (whatever the clock's resolution)
    again = FileHashes(memo)
    assert again.sha256(extract) == file_sha256(extract) and len(read) == 2
    extract.unlink()
    again.save()
    assert FileHashes(memo)._known == {}  # gone from the landing folder: forgotten


def test_a_damaged_memo_only_costs_a_new_hash(tmp_path):
    extract = tmp_path / "a.csv"
    extract.write_text("x\n")
    memo = tmp_path / "landing_hashes.json"
    memo.write_text('{"cut sho')
    assert FileHashes(memo).sha256(extract) == file_sha256(extract)
