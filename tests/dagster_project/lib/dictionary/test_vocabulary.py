"""One vocabulary: the JSON Schemas the governance group validates against use its words."""

from __future__ import annotations

import json
import re

from dagster_project.lib.dictionary import load_dictionary
from dagster_project.lib.dictionary.vocabulary import (
    CLASSIFICATIONS,
    FREQUENCIES,
    LICENCES,
    PUBLICATION_STATUSES,
    SOURCE_TYPES,
    TYPES,
    data_type,
)
from dagster_project.settings import DICTIONARY_DIR


def schema(name: str) -> dict:
    return json.loads((DICTIONARY_DIR / "schema" / f"{name}.schema.json").read_text())


def test_schema_enums_are_the_vocabulary():
    dataset = schema("dataset")["properties"]
    column = dataset["columns"]["items"]["properties"]
    source = schema("source")["properties"]
    source_column = source["columns"]["items"]["properties"]
    assert dataset["update_frequency"]["enum"] == list(FREQUENCIES)
    assert source["expected_frequency"]["enum"] == list(FREQUENCIES)
    assert dataset["licence"]["enum"] == list(LICENCES)
    assert column["classification"]["enum"] == list(CLASSIFICATIONS)
    assert source_column["classification"]["enum"] == list(CLASSIFICATIONS)
    assert dataset["publication"]["properties"]["status"]["enum"] == list(PUBLICATION_STATUSES)
    assert sorted(source_column["type"]["enum"]) == sorted(SOURCE_TYPES)
    words = re.match(r"^\^\((.*)\|decimal", column["type"]["pattern"])[1].split("|")
    assert words == list(TYPES)
    assert column["lookup"]["enum"] == list(load_dictionary().city.lookups)


def test_every_type_has_its_spelling_for_every_engine():
    assert data_type("decimal(12,2)").duckdb == "DECIMAL(12,2)"
    assert data_type("money").datastore == "numeric"
    for kind in SOURCE_TYPES.values():
        assert kind.duckdb and kind.datastore and kind.frictionless


def test_every_frequency_has_a_grace_window_and_a_periodicity():
    for frequency in FREQUENCIES.values():
        assert frequency.periodicity
        assert (frequency.cron is None) == (frequency.grace is None)
