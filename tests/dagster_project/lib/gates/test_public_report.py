"""The quality report the portal serves: the gates' outcomes and the dictionary's rules,
for published datasets only, never a value from the rows."""

from __future__ import annotations

import pytest

from dagster_project.lib.dictionary import load_dictionary
from dagster_project.lib.gates.public_report import render_reports
from dagster_project.lib.gates.results import GateResults
from dagster_project.settings import get_settings


@pytest.fixture(scope="module")
def dictionary():
    return load_dictionary()


def render(tmp_path, dictionary, published, results):
    return render_reports(
        tmp_path / "reports",
        dictionary,
        published,
        {d: results.get(d) for d in published},
        lambda d: f"http://portal.example/dataset/{d}",
        lambda d: f"http://portal.example/dictionary/datasets/{d}.html",
    )


def test_a_report_states_each_gate_and_the_rules_checked(tmp_path, dictionary):
    results = GateResults(tmp_path / "gates")
    results.record_gate("service_requests", "quality_gate", True, "all expectations met on 9 rows")
    results.record_gate("service_requests", "privacy_gate", False, "ward: personal value (2 rows)")
    files = render(tmp_path, dictionary, ["service_requests"], results)
    assert sorted(files) == ["index.html", "service_requests.html"]
    page = files["service_requests.html"].read_text()
    assert "all expectations met on 9 rows" in page
    assert "FAILED" in page and "ward: personal value (2 rows)" in page
    dataset = dictionary.datasets["service_requests"]
    ruled = [c.name for c in dataset.columns if c.rules]
    assert ruled and all(f"<code>{name}</code>" in page for name in ruled)
    assert "http://portal.example/dictionary/datasets/service_requests.html" in page
    assert "a check failed" in files["index.html"].read_text()


def test_only_published_datasets_get_a_report_and_old_ones_are_removed(tmp_path, dictionary):
    results = GateResults(tmp_path / "gates")
    render(tmp_path, dictionary, ["service_requests", "building_permits"], results)
    files = render(tmp_path, dictionary, ["building_permits"], results)
    assert sorted(files) == ["building_permits.html", "index.html"]
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == sorted(files)
    assert "not run yet" in files["building_permits.html"].read_text()


def test_failure_examples_never_reach_the_report(tmp_path, dictionary):
    """The gate's summary holds counts; examples (which Data Docs would show) stay out."""
    results = GateResults(tmp_path / "gates")
    results.record_gate(
        "service_requests", "quality_gate", False, "expect_column_values_to_be_in_set(ward): 3 rows"
    )
    page = render(tmp_path, dictionary, ["service_requests"], results)[
        "service_requests.html"
    ].read_text()
    assert "3 rows" in page
    assert "partial_unexpected" not in page and "@" not in page


def test_the_dictionary_site_url_must_be_http(monkeypatch):
    monkeypatch.setenv("DICTIONARY_SITE_URL", "file:///srv/docs")
    with pytest.raises(ValueError, match="http"):
        get_settings().dictionary_site_url  # noqa: B018 (the property raises)
    monkeypatch.setenv("DICTIONARY_SITE_URL", "https://data.city.example/dictionary/")
    assert get_settings().dictionary_site_url == "https://data.city.example/dictionary"
    monkeypatch.setenv("DICTIONARY_SITE_URL", "")
    assert get_settings().dictionary_site_url is None
