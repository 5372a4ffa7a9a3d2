"""Datasets leaving the catalog, on the real local CKAN: a package of ours whose entry was
removed from the dictionary is marked retired, then deleted after the retention; a
package made by hand is never touched; a dataset retired in the dictionary is deleted
after the retention too."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from dagster_project.lib.dictionary import load_dictionary
from dagster_project.lib.dictionary.entries import PublicationEvent
from publish.ckan.dataset import retire_dataset
from publish.ckan.mapping import organization_dict, package_dict, package_facts, package_name
from publish.ckan.publisher import CkanPublisher
from publish.ckan.retirement import (
    approved_packages,
    our_packages,
    removed_from_dictionary,
    retire_removed,
)

pytestmark = pytest.mark.portal


def extras(package):
    """The package's facts: schema fields (top level) and extras."""
    return package_facts(package)


def test_a_dataset_removed_from_the_dictionary_is_retired_then_deleted(sysadmin, run_id):
    publisher = CkanPublisher(sysadmin)
    dictionary = load_dictionary()
    gone = dataclasses.replace(dictionary.datasets["digital_adoption"], id=f"gone_{run_id}")
    division = dictionary.divisions[gone.owner_division]
    publisher.ensure_organization(organization_dict(division))
    ours, _ = publisher.upsert_package(package_dict(gone, division))
    by_hand = sysadmin.action.package_create(
        name=f"by-hand-{run_id}", title="Made by hand", owner_org=division.id
    )
    # another city's pipeline publishing to the same portal, under its own division
    other_city = dataclasses.replace(division, id=f"other-city-{run_id}")
    publisher.ensure_organization(organization_dict(other_city))
    theirs, _ = publisher.upsert_package(
        package_dict(dataclasses.replace(gone, id=f"theirs_{run_id}"), other_city)
    )
    try:
        removed = removed_from_dictionary(our_packages(publisher), dictionary)
        assert [p["name"] for p in removed if run_id in p["name"]] == [ours["name"]]
        day = datetime(2026, 3, 1, tzinfo=UTC)
        retention = timedelta(days=2)  # tiny, for the test

        target = next(p for p in removed if p["id"] == ours["id"])
        assert retire_removed(publisher, target, retention, day) == "marked retired"
        shown = sysadmin.action.package_show(id=ours["id"])
        assert shown["state"] == "active" and not shown["private"]  # links keep working
        assert extras(shown)["publication_status"] == "retired"
        assert extras(shown)["retired_on"] == "2026-03-01"
        assert shown["notes"].startswith(
            "**This dataset was retired on 2026-03-01.** It was removed from the city's data "
            "dictionary and is no longer updated; its files stay here until 2026-03-03."
        )
        again = next(p for p in our_packages(publisher) if p["id"] == ours["id"])
        assert retire_removed(publisher, again, retention, day + timedelta(days=1)) == "retired"
        assert retire_removed(publisher, again, retention, day + timedelta(days=2)) == (
            "deleted (retention over)"
        )
        assert sysadmin.action.package_show(id=ours["id"])["state"] == "deleted"
        assert ours["id"] not in [p["id"] for p in our_packages(publisher)]
        # the hand-made package carries no marker, the other city's is not of our
        # divisions: neither is ours to retire
        for kept in (by_hand, theirs):
            shown = sysadmin.action.package_show(id=kept["id"])
            assert shown["state"] == "active" and "retired_on" not in extras(shown)
    finally:
        for package in (ours, by_hand, theirs):
            sysadmin.action.dataset_purge(id=package["id"])
        sysadmin.action.organization_purge(id=f"other-city-{run_id}")


def test_a_dataset_retired_in_the_dictionary_is_deleted_after_the_retention(sysadmin, run_id):
    publisher = CkanPublisher(sysadmin)
    dictionary = load_dictionary()
    dataset = dataclasses.replace(dictionary.datasets["digital_adoption"], id=f"retiring_{run_id}")
    division = dictionary.divisions[dataset.owner_division]
    publisher.ensure_organization(organization_dict(division))
    created, _ = publisher.upsert_package(package_dict(dataset, division))
    publication = dataset.publication
    retired = dataclasses.replace(
        dataset,
        publication=dataclasses.replace(
            publication,
            status="retired",
            history=(*publication.history, PublicationEvent("retired", "Data team", "2026-03-01")),
        ),
    )
    try:
        retention = timedelta(days=2)
        assert (
            retire_dataset(
                publisher, retired, division, retention, datetime(2026, 3, 2, tzinfo=UTC)
            )
            == "updated"
        )
        shown = sysadmin.action.package_show(id=created["id"])
        assert extras(shown)["retired_on"] == "2026-03-01"
        assert shown["notes"].startswith("**This dataset was retired on 2026-03-01.**")
        assert (
            retire_dataset(
                publisher, retired, division, retention, datetime(2026, 3, 3, tzinfo=UTC)
            )
            == "deleted (retention over)"
        )
        assert sysadmin.action.package_show(id=created["id"])["state"] == "deleted"
        assert retire_dataset(publisher, retired, division, retention) == "deleted"
    finally:
        sysadmin.action.dataset_purge(id=created["id"])


def test_the_approved_datasets_packages_are_found_by_name_marked_or_not(sysadmin, run_id):
    """The site, score and catalog steps read every approved dataset's package in one
    search. A package published before the pipeline marked its packages, and unchanged
    since (so never patched with the marker), is still the dataset's, as package_show
    found it: left out, data.json would drop it and its score would fall."""
    publisher = CkanPublisher(sysadmin)
    dictionary = load_dictionary()
    division = dictionary.divisions[dictionary.datasets["digital_adoption"].owner_division]
    publisher.ensure_organization(organization_dict(division))
    unmarked_id, missing_id = f"unmarked_{run_id}", f"missing_{run_id}"
    unmarked = sysadmin.action.package_create(
        name=package_name(unmarked_id), title="Published by an older release", owner_org=division.id
    )
    approved = [
        dataclasses.replace(dictionary.datasets["digital_adoption"], id=dataset_id)
        for dataset_id in (unmarked_id, missing_id)
    ]
    try:
        found = approved_packages(
            publisher, dataclasses.replace(dictionary, datasets={d.id: d for d in approved})
        )
        assert found[unmarked_id]["id"] == unmarked["id"]
        assert found[missing_id] is None
    finally:
        sysadmin.action.dataset_purge(id=unmarked["id"])
