"""Resource views from the dictionary's ``charts:`` (pure) and their validation."""

from __future__ import annotations

import dataclasses

import pytest

from dagster_project.lib.dictionary import DictionaryError, load_dictionary
from publish.ckan.views import TABLE_PREVIEW_TITLE, wanted_views


def test_a_kpi_dataset_gets_a_table_preview_and_its_charts():
    dataset = load_dictionary().datasets["service_scorecard"]
    views = wanted_views(dataset)
    assert (views[0]["view_type"], views[0]["title"]) == ("datatables_view", TABLE_PREVIEW_TITLE)
    chart = views[1]
    assert chart["view_type"] == "charts_view"
    assert (chart["engine"], chart["type"], chart["x"], chart["y"]) == (
        "plotly",
        "Line",
        "month",
        ["transactions"],
    )
    assert chart["filter"] == "service_id:311-roads"


def test_a_dataset_without_charts_gets_the_table_preview_only():
    views = wanted_views(load_dictionary().datasets["building_permits"])
    assert [v["view_type"] for v in views] == ["datatables_view"]


def test_a_chart_naming_an_unknown_column_is_refused(tmp_path):
    import shutil

    from dagster_project.settings import DICTIONARY_DIR

    root = tmp_path / "data_dictionary"
    shutil.copytree(DICTIONARY_DIR, root)
    path = root / "datasets" / "service_scorecard.yml"
    path.write_text(path.read_text().replace("y: transactions,", "y: transaction_count,"))
    with pytest.raises(DictionaryError, match="names column 'transaction_count'"):
        load_dictionary(root)


def test_the_dictionary_schema_refuses_an_unknown_chart_type(tmp_path):
    import shutil

    from dagster_project.settings import DICTIONARY_DIR

    root = tmp_path / "data_dictionary"
    shutil.copytree(DICTIONARY_DIR, root)
    path = root / "datasets" / "service_scorecard.yml"
    path.write_text(path.read_text().replace("type: line", "type: pie", 1))
    with pytest.raises(DictionaryError, match="pie"):
        load_dictionary(root)


def test_views_follow_dataset_changes():
    dataset = load_dictionary().datasets["service_scorecard"]
    spec = {**dataset.spec, "charts": []}
    assert len(wanted_views(dataclasses.replace(dataset, spec=spec))) == 1
