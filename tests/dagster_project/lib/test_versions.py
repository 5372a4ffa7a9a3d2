"""A dataset's version history: what counts as a new version, and the changelog text."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dagster_project.lib.dictionary import load_dictionary
from dagster_project.lib.row_changes import RowChanges
from dagster_project.lib.versions import (
    VersionHistory,
    change_notes,
    changelog_markdown,
    data_last_updated,
    dictionary_changes,
    entry_fingerprint,
    next_version,
)


def test_dictionary_changes_name_the_fields_and_columns_that_changed():
    spec = {"title": "Permits", "columns": [{"name": "ward", "description": "Ward."}]}
    edited = {
        "title": "Building permits",
        "limitations": "New.",
        "columns": [{"name": "ward", "description": "Ward, 1 to 15."}, {"name": "value"}],
    }
    assert dictionary_changes(entry_fingerprint(spec), entry_fingerprint(edited)) == [
        "column value added",
        "column ward changed",
        "limitations added",
        "title changed",
    ]


def test_versions_and_changelog_newest_first(tmp_path):
    history = VersionHistory(tmp_path, "permits")
    prints = {"title": "a"}
    first = next_version(None, RowChanges(3, 0, 0, 3), prints, date(2026, 1, 5))
    (tmp_path / "p.parquet").write_bytes(b"x")
    (tmp_path / "p.csv").write_text("x\n")
    files = {"parquet": tmp_path / "p.parquet", "csv": tmp_path / "p.csv"}
    history.record(first, files, datetime(2026, 1, 5, tzinfo=UTC))
    assert next_version(first, RowChanges(0, 0, 0, 3), prints, date(2026, 1, 6)) is None
    second = next_version(
        first, RowChanges(2, 1, 1, 4, columns_added=("ward",)), {"title": "b"}, date(2026, 2, 1)
    )
    history.record(second, files, datetime(2026, 2, 1, 9, tzinfo=UTC))
    third = next_version(second, RowChanges(0, 0, 0, 4), {"title": "c"}, date(2026, 3, 1))
    history.record(third, files, datetime(2026, 3, 1, tzinfo=UTC))
    versions = history.versions()
    assert [v.number for v in versions] == [1, 2, 3]
    assert versions[0].superseded_at == "2026-02-01T09:00:00+00:00"
    assert versions[1].superseded_at is None  # version 3 changed the dictionary only
    assert data_last_updated(versions) == "2026-02-01"
    assert changelog_markdown(versions) == (
        "- **Version 3** (2026-03-01): data dictionary: title changed.\n"
        "- **Version 2** (2026-02-01): 2 rows added, 1 changed, 1 removed (4 rows); "
        "columns added: ward; data dictionary: title changed.\n"
        "- **Version 1** (2026-01-05): first publication, 3 rows."
    )


def test_a_change_note_says_why_in_the_version_it_explains():
    """The governance group dates a note; the first version published on or after that
    date carries it, once; a note alone is not a new version, nor a dictionary change."""
    first = next_version(None, RowChanges(3, 0, 0, 3), {}, date(2026, 1, 5))
    spec = {
        "title": "Scorecard",
        "change_notes": [
            {"on": "2026-01-20", "note": "Licences now count in the month   received."},
            {"on": date(2026, 3, 1), "note": "Written ahead: waits for its change."},
        ],
    }
    assert entry_fingerprint(spec) == entry_fingerprint({"title": "Scorecard"})
    today = date(2026, 2, 1)
    notes = change_notes(spec, [first], today)
    assert notes == ["Licences now count in the month received."]
    assert next_version(first, RowChanges(0, 0, 0, 3), {}, today, notes) is None
    second = next_version(first, RowChanges(0, 2, 0, 3), {}, today, notes)
    assert second.describe() == (
        "**Version 2** (2026-02-01): 0 rows added, 2 changed, 0 removed (3 rows). "
        "*Why:* Licences now count in the month received."
    )
    history = [first, second]
    assert change_notes(spec, history, date(2026, 2, 15)) == []  # told once
    assert change_notes(spec, history, date(2026, 3, 1)) == ["Written ahead: waits for its change."]
    assert change_notes(spec, [], today) == []  # a first publication changes nothing
    # written later on the day version 2 was published: it goes with version 3
    late = {"change_notes": [*spec["change_notes"], {"on": "2026-02-01", "note": "Said late."}]}
    assert change_notes(late, history, date(2026, 2, 15)) == ["Said late."]


@pytest.mark.parametrize("days", [-1, "a year"])
def test_the_retention_in_city_yml_is_validated(tmp_path, days):
    import shutil

    from dagster_project.lib.dictionary import DictionaryError

    root = tmp_path / "data_dictionary"
    shutil.copytree(load_dictionary().root, root)
    city = root / "city.yml"
    city.write_text(
        city.read_text().replace(
            "previous_versions_retention_days: 365", f"previous_versions_retention_days: {days}"
        )
    )
    with pytest.raises(DictionaryError, match="previous_versions_retention_days"):
        load_dictionary(root)


def test_the_retention_defaults_when_city_yml_does_not_say():
    city = load_dictionary().city
    assert (city.previous_versions_retention_days, city.retired_dataset_retention_days) == (
        365,
        730,
    )
