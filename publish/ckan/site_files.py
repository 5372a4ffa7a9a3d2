"""Send the portal's site files: data.json, the dictionary site, the quality reports.

The portal stores them with our plugin's ``city_site_file_*`` actions (sysadmin only;
``ckanext-pgsearch/ckanext/pgsearch/site_files.py``) and serves them at ``/data.json``,
``/dictionary/`` and ``/quality-reports/``. A sync sends only the files whose bytes
changed (the portal lists its files' SHA-256) and removes the portal's files that are no
longer wanted (e.g. the report of a dataset that is not published any more), so a run
with nothing new sends nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dagster_project.lib.files import file_sha256

from .publisher import CkanPublisher

AREAS = {"catalog": "", "dictionary": "/dictionary", "quality-reports": "/quality-reports"}


@dataclass
class SiteSync:
    sent: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.sent)} sent, {len(self.unchanged)} unchanged, {len(self.removed)} removed"
        )


def site_url(portal_url: str, area: str, path: str = "") -> str:
    """Where the portal serves a site file, e.g. ``<portal>/dictionary/datasets/x.html``."""
    return f"{portal_url.rstrip('/')}{AREAS[area]}/{path}"


def folder_files(folder: Path) -> dict[str, Path]:
    """Every file under ``folder`` by its path relative to it (``datasets/x.html``)."""
    return {
        p.relative_to(folder).as_posix(): p
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def sync_site_files(
    publisher: CkanPublisher, area: str, files: dict[str, Path], within: str = ""
) -> SiteSync:
    """Make the portal's ``area`` (or its folder ``within``) hold exactly ``files``
    (path relative to the area -> local file)."""
    if area not in AREAS:
        raise ValueError(f"unknown site area {area!r}; use one of {sorted(AREAS)}")
    if outside := [path for path in files if not path.startswith(within)]:
        raise ValueError(f"{outside[0]!r} is not within {within!r}")
    listed = publisher.call("city_site_file_list", f"listing the portal's {area} files", area=area)
    held = {path: sha for path, sha in listed.items() if path.startswith(within)}
    result = SiteSync()
    for path, local in sorted(files.items()):
        if held.get(path) == file_sha256(local):
            result.unchanged.append(path)
            continue
        with local.open("rb") as upload:
            publisher.call(
                "city_site_file_put", f"sending {area}/{path}", area=area, path=path, upload=upload
            )
        result.sent.append(path)
    for path in sorted(set(held) - set(files)):
        publisher.call("city_site_file_delete", f"removing {area}/{path}", area=area, path=path)
        result.removed.append(path)
    return result
