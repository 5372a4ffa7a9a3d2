"""The rule model: one list of rules per column, one small renderer per target."""

from __future__ import annotations

import dataclasses

import duckdb
import pytest

from dagster_project.lib.dictionary import RULE_KINDS, column_rules, load_dictionary
from dagster_project.lib.dictionary.render import frictionless, gx, sql, text
from dagster_project.lib.gates.gx_project import expectation_from_config

RENDERERS = {
    "Great Expectations": gx.EXPECTATIONS,
    "Frictionless": frictionless.CONSTRAINTS,
    "text": text.WORDS,
    "SQL": sql.VIOLATIONS,
}


@pytest.mark.parametrize("target", sorted(RENDERERS))
def test_every_renderer_has_an_entry_for_every_kind(target):
    assert set(RENDERERS[target]) == set(RULE_KINDS), f"{target} renderer is incomplete"


def test_a_column_states_its_rules_once_for_every_target():
    dataset = load_dictionary().datasets["service_requests"]
    ward = next(c for c in dataset.columns if c.name == "ward_number")
    (rule,) = ward.rules
    assert (rule.kind, rule.arguments["lookup"]) == ("lookup", "wards")
    assert rule.arguments["values"] == list(range(1, 16))  # from city.yml, nowhere else
    assert gx.EXPECTATIONS["lookup"](rule)["kwargs"]["value_set"] == list(range(1, 16))


def test_no_rule_is_checked_twice_on_a_published_model():
    """Value rules are the GX gate's: the dbt YAML of published models carries no tests."""
    from dagster_project.lib.dictionary.render.dbt import open_data_yaml

    generated = open_data_yaml(load_dictionary())
    assert "data_tests" not in generated and "contract" in generated


def test_adding_a_kind_of_rule_is_one_entry_plus_one_line_per_renderer(monkeypatch):
    """A new kind, ``max_length``: the reader of its YAML word, then one line per target."""
    monkeypatch.setitem(
        RULE_KINDS,
        "max_length",
        lambda spec, _lookups: {"length": spec["max_length"]} if "max_length" in spec else None,
    )
    monkeypatch.setitem(
        gx.EXPECTATIONS,
        "max_length",
        lambda r: {
            "type": "expect_column_value_lengths_to_be_between",
            "kwargs": {"column": r.column, "max_value": r.arguments["length"]},
        },
    )
    monkeypatch.setitem(
        frictionless.CONSTRAINTS, "max_length", lambda r: {"maxLength": r.arguments["length"]}
    )
    monkeypatch.setitem(
        text.WORDS, "max_length", lambda r: f"at most {r.arguments['length']} characters"
    )
    monkeypatch.setitem(
        sql.VIOLATIONS, "max_length", lambda r: f"length({r.column}) > {r.arguments['length']}"
    )

    dataset = load_dictionary().datasets["digital_adoption"]
    month = dataset.columns[0]
    spec = {**month.spec, "max_length": 7}
    month = dataclasses.replace(month, spec=spec, rules=column_rules(spec, {}))
    dataset = dataclasses.replace(dataset, columns=(month, *dataset.columns[1:]))

    suite = gx.expectation_configs(dataset)
    assert {
        "type": "expect_column_value_lengths_to_be_between",
        "kwargs": {"column": month.name, "max_value": 7},
    } in suite
    expectation_from_config(suite[-1])  # and GX itself knows the expectation
    assert frictionless.table_schema(dataset)["fields"][0]["constraints"]["maxLength"] == 7
    assert "at most 7 characters" in text.describe(month.rules)
    conn = duckdb.connect()
    conn.execute("CREATE SCHEMA open_data")
    conn.execute(f"CREATE TABLE open_data.{dataset.model} AS SELECT '2025-01-01' AS {month.name}")
    counts = sql.count_violations(conn, dataclasses.replace(dataset, columns=(month,)))
    assert counts[next(k for k in counts if k.endswith(f"max_length:{month.name}"))] == 1


def test_a_renderer_without_the_kind_says_what_to_do(monkeypatch):
    monkeypatch.setitem(RULE_KINDS, "new_kind", lambda spec, _lookups: {})
    dataset = load_dictionary().datasets["digital_adoption"]
    column = dataset.columns[0]
    column = dataclasses.replace(column, rules=column_rules(column.spec, {}))
    with pytest.raises(KeyError, match="no entry for rule kind 'new_kind'"):
        gx.expectation_configs(dataclasses.replace(dataset, columns=(column,)))
