"""The Solr query subset ckanext-pgsearch understands (pure parser, no CKAN needed)."""

import pytest

from ckanext.pgsearch.solr_syntax import (
    And,
    MatchAll,
    Not,
    Or,
    Term,
    UnsupportedSyntax,
    parse,
    parse_lenient,
    parse_sort,
)


@pytest.mark.parametrize("text", [None, "", "  ", '""', "*:*"])
def test_empty_and_match_all(text):
    assert parse(text) == MatchAll()


def test_what_ckan_itself_sends():
    assert parse("+capacity:public +state:(active OR draft)") == And(
        (Term("capacity", "public"), Or((Term("state", "active"), Term("state", "draft"))))
    )
    assert parse('name:"ward-map" OR title:"ward-map"') == Or(
        (Term("name", "ward-map", "phrase"), Term("title", "ward-map", "phrase"))
    )
    assert parse('organization:"city-parks"') == Term("organization", "city-parks", "phrase")


def test_words_phrases_prefixes_and_negation():
    assert parse("bike lanes") == And((Term(None, "bike"), Term(None, "lanes")))
    assert parse('"bike lanes"') == Term(None, "bike lanes", "phrase")
    assert parse("park*") == Term(None, "park", "prefix")
    assert parse("-tags:parking") == Not(Term("tags", "parking"))
    assert parse("NOT tags:parking") == Not(Term("tags", "parking"))
    assert parse("a OR (b AND NOT c)") == Or(
        (Term(None, "a"), And((Term(None, "b"), Not(Term(None, "c")))))
    )
    assert parse("res_format:*") == Term("res_format", "", "any")
    assert parse(r"name:a\:b") == Term("name", "a:b")


@pytest.mark.parametrize(
    "text, words",
    [
        ("title:[a TO b]", "ranges"),
        ("metadata_modified:{* TO NOW}", "ranges"),
        ("bike~2", "fuzzy"),
        ("title:bike^4", "boosts"),
        ("b?ke", "wildcard"),
        ("*ike", "trailing"),
        ("(bike", "parenthesis"),
        ("{!lucene}bike", "local parameters"),
    ],
)
def test_unsupported_syntax_says_what_is_wrong(text, words):
    with pytest.raises(UnsupportedSyntax, match=words):
        parse(text)


def test_special_characters_inside_phrases_are_plain_text():
    assert parse('"what? [draft] ~ ^"') == Term(None, "what? [draft] ~ ^", "phrase")


def test_lenient_parse_forgives_a_residents_typing():
    assert parse_lenient('"bike lanes') == And((Term(None, "bike"), Term(None, "lanes")))
    with pytest.raises(UnsupportedSyntax):
        parse_lenient('title:"bike lanes')  # fielded queries stay strict


def test_sort():
    assert parse_sort("score desc, metadata_modified desc") == [
        ("score", "desc"),
        ("metadata_modified", "desc"),
    ]
    assert parse_sort("name") == [("name", "asc")]
    with pytest.raises(ValueError):
        parse_sort("name sideways")
