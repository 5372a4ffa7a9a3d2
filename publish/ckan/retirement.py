"""Datasets that leave the catalog: marked retired on the portal, deleted after retention.

Two ways out: the governance group retires a dataset in the dictionary (``status:
retired``, ``dataset.retire_dataset``), or deletes its entry. A deleted entry leaves a
package on the portal that nothing updates any more; it is found by the marker every
package of ours carries (``mapping.PUBLISHER_MARKER``: packages made by hand are never
touched, nor packages of divisions this dictionary does not have: another city
publishing to the same portal) and marked retired the same way, with the day it was
found so. Either way a retired dataset stays downloadable, with a notice, for the city's retention
(``city.yml``: ``retired_dataset_retention_days``), then it is deleted (CKAN's trash).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from dagster_project.lib.dictionary import Dictionary
from publish.catalog.dcat import LEGACY_CATALOG_PACKAGE

from .mapping import package_facts, package_name, published_by_pipeline
from .publisher import CkanPublisher

PAGE = 500


def _extras(package: dict[str, Any]) -> dict[str, str]:
    return package_facts(package)


def our_packages(publisher: CkanPublisher) -> list[dict[str, Any]]:
    """Every package (public or withdrawn) the pipeline published."""
    return [p for p in _active_packages(publisher) if published_by_pipeline(p)]


def _active_packages(publisher: CkanPublisher) -> list[dict[str, Any]]:
    """Every active package of the portal, public or private, page by page."""
    found, start = [], 0
    while True:
        page = publisher.client.action.package_search(
            q="*:*", rows=PAGE, start=start, include_private=True
        )
        found += page["results"]
        start += PAGE
        if start >= page["count"]:
            return found


def approved_packages(
    publisher: CkanPublisher, dictionary: Dictionary
) -> dict[str, dict[str, Any] | None]:
    """Each approved dataset's package as the portal has it now, public or withdrawn, by
    dataset id; None when it is not there (or deleted). One search, not one
    ``package_show`` per dataset (26 calls, ~0.3 s, for each of the run's site, score
    and catalog steps). By name, as ``package_show`` finds it: a package published
    before the pipeline marked its packages (``published_by_pipeline``) and unchanged
    since is still the dataset's."""
    ours = {p["name"]: p for p in _active_packages(publisher)}
    return {d.id: ours.get(package_name(d.id)) for d in dictionary.approved_datasets}


def removed_from_dictionary(
    packages: list[dict[str, Any]], dictionary: Dictionary
) -> list[dict[str, Any]]:
    """Our packages, owned by one of this dictionary's divisions, with no entry in it.
    (Another city's pipeline may publish to the same portal, under its own divisions:
    its datasets are not ours to retire.)"""
    names = {package_name(d) for d in dictionary.datasets} | {LEGACY_CATALOG_PACKAGE}
    # an entry that fails validation still exists: its dataset is blocked, not removed
    names |= {package_name(d) for d in dictionary.invalid_datasets}
    return [
        p
        for p in packages
        if p["name"] not in names
        and (p.get("organization") or {}).get("name") in dictionary.divisions
    ]


def retention_over(retired_on: str | None, retention: timedelta, now: datetime) -> bool:
    if not retired_on:
        return False
    return now.date() - date.fromisoformat(retired_on[:10]) >= retention


def retire_removed(
    publisher: CkanPublisher, package: dict[str, Any], retention: timedelta, now: datetime
) -> str:
    """Mark a package whose dictionary entry was deleted retired; delete it after the
    retention."""
    extras = _extras(package)
    retired_on = extras.get("retired_on")
    if extras.get("publication_status") == "retired" and retired_on:
        if retention_over(retired_on, retention, now):
            publisher.delete_package(package["name"])
            return "deleted (retention over)"
        return "retired"
    today = now.date().isoformat()
    until = (now.date() + retention).isoformat()
    notice = (
        f"**This dataset was retired on {today}.** It was removed from the city's data "
        f"dictionary and is no longer updated; its files stay here until {until}."
    )
    extras.update(publication_status="retired", retired_on=today)
    publisher.upsert_package(
        {
            "name": package["name"],
            "notes": f"{notice}\n\n{package.get('notes') or ''}".strip(),
            "extras": [{"key": k, "value": v} for k, v in extras.items()],
        }
    )
    return "marked retired"
