"""The data dictionary validates, explains its errors, and everything generated matches it."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from dagster_project.lib.dictionary import DictionaryError, load_dictionary
from dagster_project.lib.dictionary.generated import drifted
from dagster_project.lib.gates.gx_project import drifted_suites
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
    history = dictionary.datasets["service_requests"].publication.history
    assert history[-1].on == "2026-11-02"


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
        # the code, not its comments ("-- no applicant names" documents what is left out)
        sql = re.sub(r"--[^\n]*", "", node["raw_code"]).lower()
        for name in personal:
            assert not re.search(rf"\b{name}\b", sql), (
                f"{node['name']} mentions personal column {name}"
            )


def test_a_yaml_syntax_error_is_reported_at_its_position(dictionary_copy):
    path = dictionary_copy / "datasets" / "digital_adoption.yml"
    path.write_text(
        path.read_text().replace(
            "temporal_coverage: {start: 2024-01-01}", "temporal_coverage: {start: 2024-01-01, end}}"
        )
    )
    with pytest.raises(DictionaryError, match=r"digital_adoption.yml, line 13: this is not valid"):
        load_dictionary(dictionary_copy)


def test_a_comma_in_an_unquoted_flow_mapping_value_is_explained(dictionary_copy):
    """YAML splits "reason: Test payments, made by staff" inside {...} into two fields:
    the error says so, with the line and column, not "check the spelling"."""
    path = dictionary_copy / "sources" / "payments.yml"
    path.write_text(
        path.read_text().replace(
            "null_values:",
            "drop_rows:\n  - {rule: test_rows, reason: Test payments, made by staff, "
            "where: \"service = 'TEST'\"}\nnull_values:",
        )
    )
    with pytest.raises(DictionaryError) as raised:
        load_dictionary(dictionary_copy)
    message = str(raised.value)
    assert "'made by staff' (column 46) is read as a field of its own" in message
    assert "in quotes" in message and "check the spelling" not in message


def test_a_bad_entry_stays_local_when_not_strict(dictionary_copy):
    """The code location loads with a broken dataset file: only that dataset is left out."""
    path = dictionary_copy / "datasets" / "building_permits.yml"
    path.write_text(path.read_text().replace("licence: odc-by", "licence: odc-byy"))
    dictionary = load_dictionary(dictionary_copy, strict=False)
    assert "building_permits" not in dictionary.datasets
    assert {"service_requests", "digital_adoption"} <= set(dictionary.datasets)
    (problem,) = dictionary.invalid_datasets["building_permits"]
    assert problem.startswith("building_permits.yml, line 10, field licence: 'odc-byy'")
    with pytest.raises(DictionaryError):
        load_dictionary(dictionary_copy)


def test_a_broken_contract_blocks_the_datasets_built_from_it(dictionary_copy):
    path = dictionary_copy / "sources" / "permits.yml"
    path.write_text(path.read_text().replace("format: xlsx", "format: xlsxx"))
    dictionary = load_dictionary(dictionary_copy, strict=False)
    assert "permits" in dictionary.invalid_sources and "permits" not in dictionary.sources
    assert "crm311" in dictionary.sources
    assert "invalid contract" in dictionary.invalid_datasets["building_permits"][0]
    assert "service_requests" in dictionary.datasets


def test_an_edit_is_seen_at_the_next_load(dictionary_copy):
    first = load_dictionary(dictionary_copy)
    assert load_dictionary(dictionary_copy) is first  # one load, shared
    path = dictionary_copy / "datasets" / "digital_adoption.yml"
    path.write_text(path.read_text().replace("title: ", "title: New ", 1))
    assert load_dictionary(dictionary_copy).datasets["digital_adoption"].title.startswith("New")


def test_a_published_column_may_not_derive_from_a_column_no_contract_lists(tmp_path):
    """Lineage to an unlisted (so unclassified) source column is refused, with the fix."""
    import shutil

    from dagster_project.settings import PROJECT_DIR

    root = tmp_path / "dictionary"
    shutil.copytree(PROJECT_DIR / "data_dictionary", root)
    path = root / "datasets" / "building_permits.yml"
    path.write_text(
        path.read_text().replace("source_columns: [permits.ward]", "source_columns: [permits.wrd]")
    )
    dictionary = load_dictionary(root, strict=False)
    [problem] = dictionary.invalid_datasets["building_permits"]
    assert "'permits.wrd', which the permits contract does not list" in problem


def test_a_public_column_derived_from_a_personal_one_says_how_it_is_de_identified(
    dictionary_copy,
):
    """A renamed copy of a personal column ("contact_a" from the participant's first
    name) is refused; a derived column with its reason (address_block) is not."""
    path = dictionary_copy / "datasets" / "recreation_registrations.yml"
    text = path.read_text()
    column = (
        "  - name: contact_a\n    type: varchar\n"
        "    source_columns: [recreation_registrations.participant_first_name]\n"
        "    description: Who to contact about the section.\n    classification: public\n"
    )
    path.write_text(text.replace("columns:\n", "columns:\n" + column, 1))
    dictionary = load_dictionary(dictionary_copy, strict=False)
    [problem] = dictionary.invalid_datasets["recreation_registrations"]
    assert "'contact_a' is public but derives from" in problem
    assert "'recreation_registrations.participant_first_name', which is personal" in problem
    assert "classification_reason" in problem
    assert "service_requests" in dictionary.datasets  # its address_block states its reason


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("2026-02-30", "change note dated '2026-02-30', which is not a date"),
        ("{2026-02-01}", "field change_notes"),
    ],
)
def test_a_change_note_needs_a_calendar_date(dictionary_copy, written, said):
    """Caught at the dictionary check, not when the changelog is written at publication."""
    path = dictionary_copy / "datasets" / "digital_adoption.yml"
    note = f"change_notes:\n  - on: {written}\n    note: The months were recounted.\n"
    path.write_text(path.read_text().replace("\npublication:", f"\n{note}publication:", 1))
    dictionary = load_dictionary(dictionary_copy, strict=False)
    [problem] = dictionary.invalid_datasets["digital_adoption"]
    assert said in problem
