"""The landing files' hashes, remembered between runs (lib/files.py FileHashes): a file
is read again only when its size, modification time or inode changed."""

from __future__ import annotations

import os
import time

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


def test_a_corrected_file_with_its_old_size_and_time_is_hashed_again(tmp_path):
    """``cp -p`` / ``rsync -t`` keep the modification time, and a replaced file can get
    the freed inode number: the change time (ctime), which every write sets, tells."""
    extract = tmp_path / "SR_EXPORT_2026.csv"
    extract.write_text("request_id\nSR-1\n")
    before = extract.stat()
    hashes = FileHashes(tmp_path / "landing_hashes.json")
    assert hashes.sha256(extract) == file_sha256(extract)
    time.sleep(0.05)  # past the file system's clock tick (a delivery is never this quick)
    extract.write_text("request_id\nSR-2\n")  # same size
    os.utime(extract, ns=(before.st_atime_ns, before.st_mtime_ns))  # time set back
    assert hashes.sha256(extract) == file_sha256(extract)


def test_a_memo_that_cannot_be_saved_costs_only_time(tmp_path):
    extract = tmp_path / "a.csv"
    extract.write_text("x\n")
    folder = tmp_path / "data"
    folder.write_text("a file where the data folder should be")
    hashes = FileHashes(folder / "landing_hashes.json")
    hashes.sha256(extract)
    assert hashes.save() is False
