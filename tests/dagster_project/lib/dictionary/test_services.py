"""The service inventory (services.yml) and finance's cost allocation (cost_allocation.yml):
the shipped ones load, and the mistakes an editor makes in them are reported by name."""

from __future__ import annotations

import shutil

import pytest
import yaml

from dagster_project.lib.dictionary import DictionaryError, load_dictionary
from dagster_project.settings import DICTIONARY_DIR

# The ids the KPI brief (issue 13) fixes: the scorecard and the transactions use them.
EXPECTED_SERVICES = {
    "311-roads", "311-waste", "311-parks", "311-water", "311-bylaw", "311-animal-services",
    "311-snow", "311-transit", "building-permit-house", "building-permit-small-building",
    "building-permit-large-building", "building-permit-complex-building",
    "building-inspection", "planning-zoning-amendment", "planning-official-plan-amendment",
    "planning-site-plan", "planning-minor-variance", "planning-subdivision",
    "planning-consent", "foi-request", "business-licence", "recreation-registration",
    "property-tax-payment", "water-bill-payment", "parking-ticket-payment", "animal-licence",
    "bylaw-complaint", "open-air-burn-permit", "fire-inspection-request", "snow-clearing",
    "city-job-application",
}  # fmt: skip


@pytest.fixture
def dictionary_copy(tmp_path):
    target = tmp_path / "data_dictionary"
    shutil.copytree(DICTIONARY_DIR, target)
    return target


def _edit(path, change):
    doc = yaml.safe_load(path.read_text())
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False))


def _problems(root) -> str:
    with pytest.raises(DictionaryError) as failure:
        load_dictionary(root)
    return "\n".join(failure.value.problems)


def test_the_inventory_lists_every_service_with_its_timelines():
    services = load_dictionary().services
    assert set(services) >= EXPECTED_SERVICES
    # the Building Code's permit decision days by building class, with their source
    days = {s: services[f"building-permit-{s}"].legislated.days for s in
            ("house", "small-building", "large-building", "complex-building")}  # fmt: skip
    assert days == {"house": 10, "small-building": 15, "large-building": 20,
                    "complex-building": 30}  # fmt: skip
    assert services["foi-request"].legislated.days == 30
    assert "M.56" in services["foi-request"].legislated.description
    assert services["building-inspection"].legislated.days == 2
    # every legislated timeline cites a statute with an e-Laws link
    for service in services.values():
        if service.legislated:
            assert service.legislated.source.startswith("https://www.ontario.ca/laws/")
    # the job applications have no transactions in the warehouse: no system
    assert services["city-job-application"].system is None


def test_snow_clearing_sets_each_road_classs_timeline_which_the_warehouse_reads():
    """The Minimum Maintenance Standards' hours per road class are the inventory's, not
    a number in a dbt model: the seed core.dim_road_classes reads is generated from it."""
    from dagster_project.lib.dictionary.render.dbt import road_class_timelines_csv

    dictionary = load_dictionary()
    snow = dictionary.services["snow-clearing"].legislated
    hours = {t.road_class: t.hours for t in snow.by_road_class}
    assert hours == {1: 4, 2: 6, 3: 12, 4: 16, 5: 24}  # class 6: none
    assert snow.days == pytest.approx(4 / 24, abs=1e-4)  # the strictest class
    rows = road_class_timelines_csv(dictionary).splitlines()
    assert rows[0] == "service_id,road_class,standard_hours,standard_depth_cm,source"
    assert rows[1] == "snow-clearing,1,4,2.5,https://www.ontario.ca/laws/regulation/020239"
    assert len(rows) == 6


def test_road_class_timelines_that_disagree_are_reported(dictionary_copy):
    def break_entry(doc):
        snow = next(s for s in doc["services"] if s["id"] == "snow-clearing")
        snow["legislated"]["by_road_class"][0]["hours"] = 3  # days still says 4 hours
        snow["legislated"]["by_road_class"].append({"road_class": 2, "hours": 6, "depth_cm": 5})
        other = next(s for s in doc["services"] if s["id"] == "foi-request")
        other["legislated"]["by_road_class"] = [{"road_class": 1, "hours": 1, "depth_cm": 1}]

    _edit(dictionary_copy / "services.yml", break_entry)
    problems = _problems(dictionary_copy)
    assert "2 services set timelines by road class (foi-request, snow-clearing)" in problems
    assert "'snow-clearing': a road class is listed twice" in problems
    assert "is not its strictest road class's 3 hours" in problems


def test_an_unknown_division_or_system_is_reported(dictionary_copy):
    def break_entry(doc):
        doc["services"][0]["division"] = "roads-department"
        doc["services"][1]["system"] = "no_such_system"

    _edit(dictionary_copy / "services.yml", break_entry)
    problems = _problems(dictionary_copy)
    assert "division 'roads-department' is not in divisions.yml" in problems
    assert "system 'no_such_system' has no contract in sources/" in problems


def test_shares_above_one_are_reported(dictionary_copy):
    def overallocate(doc):
        centre = doc["cost_centres"][0]
        centre["allocations"] = [
            {"service": "311-roads", "channel": "phone", "share": 0.7},
            {"service": "311-waste", "channel": "phone", "share": 0.6},
        ]

    _edit(dictionary_copy / "cost_allocation.yml", overallocate)
    problems = _problems(dictionary_copy)
    assert "allocates 1.3 of its costs; shares add up to at most 1" in problems


def test_a_channel_the_service_is_not_offered_on_is_reported(dictionary_copy):
    def misallocate(doc):
        # the FOI request is offered on the web, by e-mail, mail and at the counter
        doc["cost_centres"][0]["allocations"] = [
            {"service": "foi-request", "channels": ["web", "mobile_app"], "share": 0.5}
        ]

    _edit(dictionary_copy / "cost_allocation.yml", misallocate)
    assert "service 'foi-request' is not offered on mobile_app" in _problems(dictionary_copy)


def test_one_channel_and_several_in_one_allocation_is_refused(dictionary_copy):
    def both(doc):
        doc["cost_centres"][0]["allocations"] = [
            {"service": "311-roads", "channel": "phone", "channels": ["phone", "web"], "share": 0.1}
        ]

    _edit(dictionary_copy / "cost_allocation.yml", both)
    problems = _problems(dictionary_copy)
    assert (
        "field cost_centres/0/allocations/0: channel and channels together: give one of them only"
        in problems
    )
