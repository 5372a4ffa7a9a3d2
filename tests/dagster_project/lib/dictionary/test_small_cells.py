"""The dictionary's small-cell declarations: what they hand to dbt, and the mistakes
`make dictionary-check` names."""

from __future__ import annotations

import shutil

import pytest

from dagster_project.lib.dictionary import DictionaryError, load_dictionary
from dagster_project.lib.dictionary.render.dbt import open_data_model
from dagster_project.lib.dictionary.site import dataset_page
from dagster_project.lib.dictionary.small_cells import SUPPRESSED_NOTE, Total
from dagster_project.settings import DICTIONARY_DIR


@pytest.fixture
def dictionary_copy(tmp_path):
    target = tmp_path / "data_dictionary"
    shutil.copytree(DICTIONARY_DIR, target)
    return target


def test_the_city_threshold_is_the_default_and_reaches_the_models_meta():
    dataset = load_dictionary().datasets["service_request_performance"]
    rules = dataset.small_cells
    assert rules.threshold == 5 and rules.flag == "is_suppressed"
    assert rules.dimensions == ("month", "service_category", "ward_number")
    assert [t.dimension for t in rules.totals_along] == list(rules.dimensions)
    assert rules.groups()[0] == (Total("month"), ("service_category", "ward_number"))
    meta = open_data_model(dataset)["config"]["meta"]["small_cells"]
    assert meta["counts"][1] == {
        "column": "requests_closed",
        "determines": ["median_days_to_close", "share_closed_within_target"],
    }
    assert (
        "small_cells"
        not in open_data_model(load_dictionary().datasets["service_requests"])["config"]["meta"]
    )


def test_the_dictionary_site_says_what_is_suppressed_and_why_a_cell_is_blank():
    dictionary = load_dictionary()
    scorecard = dictionary.datasets["service_scorecard"]
    said = scorecard.small_cells.describe()
    assert said.startswith("Counts from 1 to 4 (transactions, completed_transactions)")
    assert "along service_id, month within date_trunc('quarter', month)" in said
    page = dataset_page(dictionary, scorecard, {"nodes": {}, "sources": {}}, None, "http://portal")
    assert "<th>Small cells</th>" in page
    # a KPI column's definition says it can be empty
    online = next(c for c in scorecard.columns if c.name == "online_share")
    assert online.description.endswith(SUPPRESSED_NOTE)


def _edit(dictionary_copy, old: str, new: str) -> None:
    path = dictionary_copy / "datasets" / "fire_inspections_by_month.yml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_a_dataset_may_raise_the_threshold_never_lower_it(dictionary_copy):
    _edit(dictionary_copy, "small_cells:\n", "small_cells:\n  threshold: 10\n")
    dataset = load_dictionary(dictionary_copy).datasets["fire_inspections_by_month"]
    assert dataset.small_cells.threshold == 10
    _edit(dictionary_copy, "threshold: 10", "threshold: 3")
    with pytest.raises(DictionaryError, match="threshold 3 is below the city's 5"):
        load_dictionary(dictionary_copy)


def test_names_that_are_not_the_datasets_columns_are_reported(dictionary_copy):
    _edit(dictionary_copy, "determines: [violations_found]", "determines: [violations]")
    _edit(dictionary_copy, "small_cells:\n", "small_cells:\n  totals_along: [ward_number]\n")
    with pytest.raises(DictionaryError) as failure:
        load_dictionary(dictionary_copy)
    problems = "\n".join(failure.value.problems)
    assert (
        "small_cells determines names 'violations', which is not one of the dataset's" in problems
    )
    assert "totals_along names 'ward_number', which is not one of its dimensions" in problems
