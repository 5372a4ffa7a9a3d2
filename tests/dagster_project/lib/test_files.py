"""The landing files' hashes, remembered between runs (lib/files.py FileHashes): a file
is read again only when its size, modification time or inode changed."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from dagster_project.lib import files
from dagster_project.lib.files import FileHashes, file_sha256, keep_as


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
    # the file's own bytes, not a digest remembered in this process
    assert hashes.sha256(extract) == hashlib.sha256(extract.read_bytes()).hexdigest()


def test_a_memo_that_cannot_be_saved_costs_only_time(tmp_path):
    extract = tmp_path / "a.csv"
    extract.write_text("x\n")
    folder = tmp_path / "data"
    folder.write_text("a file where the data folder should be")
    hashes = FileHashes(folder / "landing_hashes.json")
    hashes.sha256(extract)
    assert hashes.save() is False


def test_a_kept_export_is_a_link_that_a_new_export_does_not_change(tmp_path):
    """The version history and the DataStore snapshot keep the published files as hard
    links (a 1.6 GB CSV is not copied); a new export replaces its file by a rename, so
    what was kept still holds the rows it was published with, and no staged file stays."""
    import duckdb

    from dagster_project.lib.exports import export_model
    from dagster_project.lib.files import keep_as

    conn = duckdb.connect()
    conn.execute("CREATE SCHEMA open_data")
    conn.execute("CREATE TABLE open_data.pub_x AS SELECT 1 AS id, 'old' AS v")
    out = tmp_path / "exports"
    first = export_model(conn, "pub_x", out, ["id"])
    kept = tmp_path / "history" / "published.csv"
    keep_as(first["csv"], kept)
    assert kept.stat().st_ino == first["csv"].stat().st_ino
    conn.execute("CREATE OR REPLACE TABLE open_data.pub_x AS SELECT 1 AS id, 'new' AS v")
    second = export_model(conn, "pub_x", out, ["id"])
    assert second["csv"].read_text() == "id,v\n1,new\n"
    assert kept.read_text() == "id,v\n1,old\n"
    assert sorted(p.name for p in out.iterdir()) == ["pub_x.csv", "pub_x.parquet"]


def test_keep_as_copies_where_a_link_is_impossible(tmp_path, monkeypatch):
    from dagster_project.lib.files import keep_as

    source, target = tmp_path / "a.csv", tmp_path / "kept" / "a.csv"
    source.write_text("id\n1\n")

    def no_links(*args):
        raise OSError(18, "Invalid cross-device link")  # another file system

    monkeypatch.setattr(os, "link", no_links)
    keep_as(source, target)
    assert target.read_text() == "id\n1\n"
    assert target.stat().st_ino != source.stat().st_ino
    assert [p.name for p in target.parent.iterdir()] == ["a.csv"]


def _count_reads(monkeypatch) -> list[str]:
    """The names of the files opened from now on (every read goes through Path.open)."""
    reads: list[str] = []
    opened = Path.open

    def counting_open(self, *args, **kwargs):
        reads.append(self.name)
        return opened(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", counting_open)
    return reads


def test_a_digest_is_read_once_and_remembered_beside_its_file(tmp_path, monkeypatch):
    """The upload and the version history ask for the same CSV's digest: it is read
    once, remembered beside the file for a later run, and read again once the file is
    another one (a new export renamed into place)."""
    from dagster_project.lib.versions import VersionHistory

    history = VersionHistory(tmp_path, "requests")
    path = history.published_csv
    path.parent.mkdir(parents=True)
    path.write_text("a,b\n1,2\n")
    reads = _count_reads(monkeypatch)
    first = files.file_sha256(path)
    assert history.published_csv_sha256() == first and reads.count("published.csv") == 1
    files._DIGESTS.clear()  # a later run
    assert history.published_csv_sha256() == first and reads.count("published.csv") == 1
    staged = tmp_path / "new.csv"
    staged.write_text("a,b\n1,3\n")
    staged.replace(path)  # another file now
    assert history.published_csv_sha256() == files.file_sha256(path) != first


def test_the_platforms_own_files_are_not_read_again_when_a_link_to_them_comes_or_goes(
    tmp_path, monkeypatch
):
    """The version history's kept CSV is a hard link of the export it was published
    from; each publication links it anew and replaces that export, which moves the
    file's change time. For the platform's own files the memo leaves the change time
    out; a landing file's memo keeps it (a delivery copied with ``cp -p``)."""
    kept, export = tmp_path / "published.csv", tmp_path / "export.csv"
    export.write_text("a,b\n1,2\n")
    keep_as(export, kept)
    memo = tmp_path / "published_hashes.json"
    first = FileHashes(memo, platform_files=True)
    sha = first.sha256(kept)
    first.save()
    replacement = tmp_path / "export.new"
    replacement.write_text("a,b\n1,3\n")
    replacement.replace(export)  # the kept file loses a link: its change time moves
    files._DIGESTS.clear()  # a later run
    reads = _count_reads(monkeypatch)
    assert FileHashes(memo, platform_files=True).sha256(kept) == sha
    assert reads.count("published.csv") == 0
    assert FileHashes(memo).sha256(kept) == sha and reads.count("published.csv") == 1
