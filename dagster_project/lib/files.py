"""File helpers shared by the ingest (is this extract new?) and the publisher (did this
export change?)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path


def file_sha256(path: Path) -> str:
    """The file's SHA-256, read in 1 MiB chunks (extracts can be gigabytes), once per
    process for a file as it is: a 1M-row dataset's CSV took 0.18 s, asked for by the
    upload and by the version history."""
    key = _identity(path)
    if key not in _DIGESTS:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        _DIGESTS[key] = digest.hexdigest()
    return _DIGESTS[key]


# A file as it is (size, modification and change times in ns, inode, device) -> its
# SHA-256. The change time moves with any write, also one that puts the old size and
# modification time back (a corrected delivery copied with `cp -p`: FileHashes's case).
_DIGESTS: dict[tuple[int, ...], str] = {}


def _identity(path: Path) -> tuple[int, ...]:
    """What any write changes (FileHashes's stamp, in the order its memo keeps it)."""
    stat = path.stat()
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev)


def keep_as(source: Path, target: Path) -> None:
    """Make ``target`` hold what ``source`` holds now, atomically (a killed run leaves
    the old ``target`` or the new one). A hard link where it can be (no byte copied: a
    10M-row dataset's CSV is 1.6 GB), a copy across file systems. Safe because exports
    are replaced by a rename, never rewritten in place (``lib/exports.py``): the link
    keeps the content it was made with."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() and os.path.samefile(source, target):
        return  # (a rename onto the same file would leave the staged link behind)
    staged = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    staged.unlink(missing_ok=True)
    try:
        try:
            os.link(source, staged)
        except OSError:  # another file system, or one without hard links
            shutil.copyfile(source, staged)
        os.replace(staged, target)
    finally:
        staged.unlink(missing_ok=True)  # a copy cut short by a full disk


class FileHashes:
    """The SHA-256 of files (landing files; the published CSV kept for the version
    history), remembered in a small JSON file by what any write
    changes: the run plan and each ingest step ask whether every extract is new, and
    hashing them all again took 6.5 s for the 415 MB of a city at scale 20 (4 GB at scale
    200) on every run. The stamp is the size, the modification time, the inode and device
    and the inode's change time (ctime): ``cp -p``, ``rsync -t`` or an unzip keep a file's
    modification time, and a replaced file may reuse the freed inode number, but every
    write and every replacement sets the ctime, which no tool can set back."""

    def __init__(self, memo_file: Path, platform_files: bool = False):
        """``platform_files``: the files are the platform's own, made only by an atomic
        rename or ``keep_as`` into a folder no one else writes (the version history's
        kept CSV). Their stamp leaves out the change time, which moves with every hard
        link made or removed (each publication links the kept file and replaces the
        export it was linked from): with it, the kept CSV was read twice per publication
        (0.2 s each for a scale-20 city's 311 CSV on a fast machine, 0.5 s on a slow one).
        """
        self.memo_file = memo_file
        self._platform_files = platform_files
        try:
            self._known: dict[str, list] = json.loads(memo_file.read_text())
        except (OSError, ValueError):  # none yet, or cut short: hash again
            self._known = {}
        self._changed = False

    def sha256(self, path: Path) -> str:
        key, stamp = self._stamp(path)
        known = self._known.get(key)
        if known is not None and known[:-1] == stamp:
            return known[-1]
        sha = file_sha256(path)
        self.remember(path, sha)
        return sha

    def remember(self, path: Path, sha: str) -> None:
        """Take the digest of ``path`` as it is now from the caller, who knows it (the
        file it was linked from, hashed before the link)."""
        key, stamp = self._stamp(path)
        self._known[key] = [*stamp, sha]
        self._changed = True

    def _stamp(self, path: Path) -> tuple[str, list[int]]:
        stamp = list(_identity(path))
        if self._platform_files:
            del stamp[2]  # the change time (see __init__)
        return str(path.resolve()), stamp

    def save(self) -> bool:
        """Keep what was learnt (files no longer there are forgotten). The memo only saves
        time: a full disk or a read-only folder leaves it as it was (False), and the next
        run hashes again; two runs saving at once keep one's (the other's files are
        hashed again)."""
        if not self._changed:
            return True
        self._known = {k: v for k, v in self._known.items() if Path(k).exists()}
        staged = None
        try:
            self.memo_file.parent.mkdir(parents=True, exist_ok=True)
            handle, staged = tempfile.mkstemp(dir=self.memo_file.parent, suffix=".tmp")
            with os.fdopen(handle, "w") as out:
                json.dump(self._known, out)
            os.replace(staged, self.memo_file)
        except OSError:
            if staged is not None:
                Path(staged).unlink(missing_ok=True)
            return False
        self._changed = False
        return True
