"""The quality score's weights and thresholds are the governance group's: read from
data_dictionary/quality_score.yml, validated by its schema, errors that say where."""

from __future__ import annotations

import shutil

import pytest

from dagster_project.lib.dictionary import DictionaryError, load_dictionary
from dagster_project.settings import DICTIONARY_DIR


@pytest.fixture
def dictionary_copy(tmp_path):
    target = tmp_path / "data_dictionary"
    shutil.copytree(DICTIONARY_DIR, target)
    return target


def test_the_shipped_policy_loads():
    policy = load_dictionary().quality_policy
    assert policy.weights == {
        "gates": 30,
        "freshness": 25,
        "metadata": 20,
        "completeness": 15,
        "accessibility": 10,
    }
    assert policy.grades == (("Gold", 80), ("Silver", 60))
    assert (policy.grade(80), policy.grade(79), policy.grade(59)) == ("Gold", "Silver", "Bronze")


def test_a_changed_weight_is_the_next_score(dictionary_copy):
    path = dictionary_copy / "quality_score.yml"
    path.write_text(path.read_text().replace("weight: 30", "weight: 50"))
    assert load_dictionary(dictionary_copy).quality_policy.weights["gates"] == 50


def test_a_bad_policy_names_the_file_line_and_field(dictionary_copy):
    path = dictionary_copy / "quality_score.yml"
    path.write_text(path.read_text().replace("weight: 25", "weight: high"))
    with pytest.raises(
        DictionaryError,
        match=r"quality_score.yml, line \d+, field "
        r"dimensions/freshness/weight",
    ):
        load_dictionary(dictionary_copy)
    assert load_dictionary(dictionary_copy, strict=False).quality_policy is None


def test_grades_in_the_wrong_order_are_refused(dictionary_copy):
    path = dictionary_copy / "quality_score.yml"
    text = path.read_text().replace("min_score: 80", "min_score: 50")
    path.write_text(text)
    with pytest.raises(DictionaryError, match="Gold's min_score must be above Silver's"):
        load_dictionary(dictionary_copy)


def test_a_city_without_its_own_policy_uses_the_platforms(dictionary_copy):
    (dictionary_copy / "quality_score.yml").unlink()
    assert load_dictionary(dictionary_copy).quality_policy.weights["freshness"] == 25
