"""The data dictionary validates, explains its errors, and everything generated matches it."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from dagster_project.lib.dictionary import DictionaryError, load_dictionary
from dagster_project.lib.dictionary_outputs import drifted
from dagster_project.lib.gate_setup import drifted_suites
from dagster_project.settings import DBT_PROJECT_DIR, DICTIONARY_DIR, EXPECTATIONS_DIR


@pytest.fixture
def dictionary_copy(tmp_path):
    target = tmp_path / "data_dictionary"
    shutil.copytree(DICTIONARY_DIR, target)
    return target


def test_the_shipped_dictionary_is_valid():
    dictionary = load_dictionary()
    assert {d.id for d in dictionary.approved_datasets} >= {
        "service_requests",
        "building_permits",
        "service_request_performance",
        "digital_adoption",
    }
    assert {
        "caller_name",
        "caller_phone",
        "caller_email",
        "applicant_name",
    } <= dictionary.personal_column_names


def test_generated_dbt_files_and_gx_suites_have_not_drifted():
    dictionary = load_dictionary()
    assert drifted(dictionary, DBT_PROJECT_DIR) == [], "run `make dictionary-generate`"
    assert drifted_suites(dictionary, EXPECTATIONS_DIR) == [], "run `make dictionary-generate`"


def test_errors_name_the_file_the_line_the_field_and_what_to_do(dictionary_copy):
    path = dictionary_copy / "datasets" / "building_permits.yml"
    text = path.read_text().replace("update_frequency: weekly", "update_frequency: weekley")
    path.write_text(text.replace("licence: odc-by\n", ""))
    with pytest.raises(DictionaryError) as failure:
        load_dictionary(dictionary_copy)
    problems = "\n".join(failure.value.problems)
    assert (
        "building_permits.yml, line 9, field update_frequency: 'weekley' is not allowed; "
        "use one of" in problems
    )
    assert (
        "building_permits.yml, line 1, field (top level): 'licence' is missing: add it" in problems
    )


def test_a_personal_column_can_never_be_published(dictionary_copy):
    path = dictionary_copy / "datasets" / "service_requests.yml"
    path.write_text(
        path.read_text()
        + (
            "  - name: caller_email\n    type: varchar\n    description: The caller's e-mail.\n"
            "    classification: personal\n"
        )
    )
    with pytest.raises(DictionaryError) as failure:
        load_dictionary(dictionary_copy)
    problems = "\n".join(failure.value.problems)
    assert "column 'caller_email' is classified personal" in problems
    assert "column 'caller_email' has the name of a personal source column" in problems


def test_unknown_owner_division_is_reported(dictionary_copy):
    path = dictionary_copy / "datasets" / "digital_adoption.yml"
    path.write_text(
        path.read_text().replace("owner_division: strategy-performance", "owner_division: strategy")
    )
    with pytest.raises(DictionaryError, match="owner_division 'strategy' is not in divisions"):
        load_dictionary(dictionary_copy)


def test_yes_no_on_and_dates_stay_words(dictionary_copy):
    dictionary = load_dictionary(dictionary_copy)
    history = dictionary.datasets["service_requests"]["publication"]["history"]
    assert history[-1]["on"] == "2026-11-02"


def test_no_personal_column_reaches_open_data_models():
    """Across the whole dbt project (its manifest), not only the dictionary."""
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    personal = load_dictionary().personal_column_names
    published = [
        n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["config"].get("schema") == "open_data"
    ]
    assert len(published) >= 4
    for node in published:
        assert node["config"]["contract"]["enforced"], node["name"]
        assert not personal & set(node["columns"]), node["name"]
        sql = node["raw_code"].lower()
        for name in personal:
            assert not re.search(rf"\b{name}\b", sql), (
                f"{node['name']} mentions personal column {name}"
            )
