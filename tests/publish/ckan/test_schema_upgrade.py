"""A dataset published before the portal had its dataset schema updates in place.

Before ckanext-scheming, the publisher sent the dataset's facts as CKAN extras; CKAN 2.12
keeps extras in the ``package.extras`` JSON column, which is where the schema's fields are
kept too. The test writes a package exactly as the old publisher left it (its extras put
in that column directly: the schema's validation would refuse them through the API, since
they are named like its fields) and publishes the dictionary's dataset over it.
"""

from __future__ import annotations

import json

import pytest

from dagster_project.lib.dictionary import load_dictionary
from publish.ckan.mapping import package_dict
from publish.ckan.publisher import CkanPublisher
from publish.portal.services import Postgres
from publish.portal.settings import load_settings

pytestmark = pytest.mark.portal
# keys the publisher sent before the schema (owner_division and limitations are new)
OLD_KEYS = {
    "update_frequency",
    "grain",
    "source_systems",
    "publication_status",
    "spatial_coverage",
    "temporal_coverage_start",
    "data_steward",
    "approved_by",
    "approved_on",
}


def test_a_package_published_before_the_schema_is_patched_in_place(sysadmin, run_id):
    dictionary = load_dictionary()
    dataset = dictionary.datasets["building_permits"]
    division = dictionary.divisions[dataset.owner_division]
    publisher = CkanPublisher(sysadmin)
    publisher.ensure_organization(
        {"name": division.id, "title": division.name, "description": division.description}
    )
    wanted = {**package_dict(dataset, division), "name": f"legacy-permits-{run_id}"}
    core = {k: v for k, v in wanted.items() if k != "extras"}
    legacy = sysadmin.action.package_create(**core)
    try:
        old_extras = {e["key"]: e["value"] for e in wanted["extras"] if e["key"] in OLD_KEYS}
        Postgres(load_settings()).sql(
            "UPDATE package SET extras = '"
            + json.dumps(old_extras).replace("'", "''")
            + f"'::jsonb WHERE id = '{legacy['id']}'",
            database="ckan_default",
        )
        before = sysadmin.action.package_show(id=legacy["id"])
        assert before["update_frequency"] == dataset.update_frequency.name  # read as a field
        assert "owner_division" not in before

        updated, action = publisher.upsert_package(wanted)
        assert (updated["id"], action) == (legacy["id"], "updated")
        shown = sysadmin.action.package_show(id=wanted["name"])
        assert shown["owner_division"] == division.name
        assert shown["limitations"] == dataset.limitations
        assert shown["grain"] == dataset.grain
        assert (
            shown.get("extras", []) == []
        )  # every fact is a schema field, none left as a raw extra
        found = sysadmin.action.package_search(fq=f"name:{wanted['name']}")
        assert found["count"] == 1
        # and the next publication sees nothing to change
        assert publisher.upsert_package(wanted)[1] == "unchanged"
    finally:  # a package of its own: not left for other tests' "no changes" plans
        sysadmin.action.dataset_purge(id=legacy["id"])
