"""SQL that ckanext-pgsearch builds: values are always bound, never spliced into SQL."""

import pytest

from ckanext.pgsearch.solr_syntax import UnsupportedSyntax, parse
from ckanext.pgsearch.sql import compile_search, word_pattern


def compiled(q="", fq=("+state:active",), labels=None):
    return compile_search(parse(q), [parse(item) for item in fq], labels, site_id="city_portal")


def test_values_are_bound_parameters():
    search = compiled(q="x'; DROP TABLE package; --")
    sql = search.count_sql()
    assert "DROP TABLE" not in sql
    assert any("DROP" in str(value) for value in search.params.values())


def test_word_pattern_matches_from_a_word_start_and_escapes_regex():
    assert word_pattern("park") == r"\mpark"
    assert word_pattern("c++ data") == r"\mc\+\+\W+data"


def test_permission_labels_become_visibility_rules():
    public_only = compiled(labels=["public"])
    assert "NOT p.private" in public_only.where
    member = compiled(labels=["public", "member-org1", "creator-u1"])
    assert ["org1"] in member.params.values() and ["u1"] in member.params.values()
    assert compiled(labels=None).where.endswith("TRUE")
    assert compiled(labels=[]).where.endswith("FALSE")


def test_site_id_filter():
    assert "TRUE" in compiled(fq=['+site_id:"city_portal"']).where
    assert "FALSE" in compiled(fq=['+site_id:"elsewhere"']).where


def test_score_only_from_positive_free_text():
    assert compiled(q="bike").score != "0"
    assert compiled(q="-bike").score == "0"
    assert compiled(q="tags:bike").score == "0"


def test_unknown_fields_and_date_filters_are_explained():
    with pytest.raises(UnsupportedSyntax, match="unknown search field 'colour'"):
        compiled(q="colour:red")
    with pytest.raises(UnsupportedSyntax, match="date range"):
        compiled(fq=["metadata_modified:2024"])


def test_sort_and_facet_sql():
    search = compiled()
    assert "ORDER BY name ASC NULLS FIRST, id ASC" in search.page_sql([("name", "asc")])
    with pytest.raises(ValueError):
        search.page_sql([("colour", "asc")])
    sql, extra = search.facet_sql("extras_update_frequency", limit=5, mincount=1)
    assert extra == {"facet_mincount": 1, "facet_key": "update_frequency", "facet_limit": 5}
    assert search.facet_sql("no_such_facet", 5, 1) == ("", {})
