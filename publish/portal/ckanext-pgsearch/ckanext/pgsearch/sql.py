"""Compile a parsed dataset search into PostgreSQL over CKAN's own tables.

There is no separate index: every search reads ``package``, ``tag``, ``resource``,
``member`` and ``"group"`` as they are, so results are never stale and there is
nothing to rebuild. Field names follow CKAN's Solr schema (``tags``, ``res_format``,
``organization``, ``extras_<key>``...) so CKAN's pages, its API clients and ours work
unchanged. Pure Python (no CKAN import): the SQL text and its bound parameters are
unit-tested without a database, and run for real by the portal tests.

Matching rules, chosen to be close to Solr's for a city-sized catalogue:
- free text (``q`` words, ``text``, ``title``, ``notes``...) matches case-insensitively
  at the start of a word, so ``park`` finds "Parks" and "parking" but not "Sparks";
- string fields (``name``, ``tags``, ``organization``, ``license_id``...) match exactly,
  ``res_format`` case-insensitively (CSV and csv are the same format to a resident).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .solr_syntax import And, MatchAll, Node, Not, Or, Term, UnsupportedSyntax

# Text of a dataset for free-text search: one row per package, built on the fly.
DOCUMENT_CTE = """
doc AS (
  SELECT p.id,
         concat_ws(' ', p.name, p.title, p.notes, p.author, p.maintainer, p.version,
                   tg.tags, rs.res_text, og.org_text, gr.groups_text, ex.extras_text) AS text,
         tg.tags, rs.res_name, rs.res_description
  FROM package p
  LEFT JOIN LATERAL (
    SELECT string_agg(t.name, ' ') AS tags
    FROM package_tag pt JOIN tag t ON t.id = pt.tag_id
    WHERE pt.package_id = p.id AND pt.state = 'active') tg ON true
  LEFT JOIN LATERAL (
    SELECT string_agg(concat_ws(' ', r.name, r.description, r.format), ' ') AS res_text,
           string_agg(r.name, ' ') AS res_name,
           string_agg(r.description, ' ') AS res_description
    FROM resource r WHERE r.package_id = p.id AND r.state = 'active') rs ON true
  LEFT JOIN LATERAL (
    SELECT concat_ws(' ', g.name, g.title) AS org_text
    FROM "group" g WHERE g.id = p.owner_org) og ON true
  LEFT JOIN LATERAL (
    SELECT string_agg(concat_ws(' ', g.name, g.title), ' ') AS groups_text
    FROM member m JOIN "group" g ON g.id = m.group_id
    WHERE m.table_id = p.id AND m.table_name = 'package' AND m.state = 'active'
      AND NOT g.is_organization AND g.state = 'active') gr ON true
  LEFT JOIN LATERAL (
    SELECT string_agg(e.value, ' ') AS extras_text
    FROM jsonb_each_text(coalesce(p.extras, CAST('{}' AS jsonb))) e) ex ON true
)"""

# Free-text fields: SQL expression over package ``p`` and document ``d``.
TEXT_FIELDS = {
    None: "d.text",
    "text": "d.text",
    "title": "p.title",
    "notes": "p.notes",
    "author": "p.author",
    "maintainer": "p.maintainer",
    "res_name": "d.res_name",
    "res_description": "d.res_description",
}
# Autocomplete's n-gram fields: a substring anywhere in the name or title.
NGRAM_FIELDS = {"name_ngram": "p.name", "title_ngram": "p.title"}

# Single-valued string fields, matched exactly.
STRING_FIELDS = {
    "id": "p.id",
    "name": "p.name",
    "state": "p.state",
    "type": "p.type",
    "dataset_type": "p.type",
    "license_id": "p.license_id",
    "owner_org": "p.owner_org",
    "creator_user_id": "p.creator_user_id",
    "url": "p.url",
    "version": "p.version",
    "author_email": "p.author_email",
    "maintainer_email": "p.maintainer_email",
    "organization": '(SELECT g.name FROM "group" g WHERE g.id = p.owner_org)',
    "capacity": "(CASE WHEN p.private THEN 'private' ELSE 'public' END)",
    "entity_type": "'package'",
}

# Multi-valued fields: an EXISTS over the related rows; ``{match}`` is the condition.
MULTI_FIELDS = {
    "tags": """EXISTS (SELECT 1 FROM package_tag pt JOIN tag t ON t.id = pt.tag_id
        WHERE pt.package_id = p.id AND pt.state = 'active' AND t.vocabulary_id IS NULL
        AND {match})""",
    "groups": """EXISTS (SELECT 1 FROM member mb JOIN "group" g ON g.id = mb.group_id
        WHERE mb.table_id = p.id AND mb.table_name = 'package' AND mb.state = 'active'
        AND NOT g.is_organization AND g.state = 'active' AND {match})""",
    "res_format": """EXISTS (SELECT 1 FROM resource r
        WHERE r.package_id = p.id AND r.state = 'active' AND {match})""",
    "res_url": """EXISTS (SELECT 1 FROM resource r
        WHERE r.package_id = p.id AND r.state = 'active' AND {match})""",
    "res_type": """EXISTS (SELECT 1 FROM resource r
        WHERE r.package_id = p.id AND r.state = 'active' AND {match})""",
}
MULTI_FIELD_VALUE = {
    "tags": "t.name",
    "groups": "g.name",
    "res_format": "lower(r.format)",
    "res_url": "r.url",
    "res_type": "r.resource_type",
}
CASE_INSENSITIVE_FIELDS = {"res_format"}

SORT_FIELDS = {
    "score": "score",
    "name": "name",
    "title": "lower(coalesce(title, name))",
    "title_string": "lower(coalesce(title, name))",
    "metadata_modified": "metadata_modified",
    "metadata_created": "metadata_created",
    "id": "id",
    "state": "state",
    "license_id": "license_id",
    # Page-view tracking is not part of this portal: "Popular" sorts by recency.
    # (CKAN's own home page asks for "view_recent", without the s.)
    "view_recent": "metadata_modified",
    "views_recent": "metadata_modified",
    "views_total": "metadata_modified",
}

# Facets: SQL returning (value, count) rows over the ``matched`` CTE ``m``.
FACET_QUERIES = {
    "organization": """SELECT g.name, count(*) FROM matched m
        JOIN "group" g ON g.id = m.owner_org GROUP BY g.name""",
    "owner_org": """SELECT m.owner_org, count(*) FROM matched m
        WHERE m.owner_org IS NOT NULL GROUP BY m.owner_org""",
    "groups": """SELECT g.name, count(DISTINCT m.id) FROM matched m
        JOIN member mb ON mb.table_id = m.id AND mb.table_name = 'package'
             AND mb.state = 'active'
        JOIN "group" g ON g.id = mb.group_id AND NOT g.is_organization
             AND g.state = 'active'
        GROUP BY g.name""",
    "tags": """SELECT t.name, count(DISTINCT m.id) FROM matched m
        JOIN package_tag pt ON pt.package_id = m.id AND pt.state = 'active'
        JOIN tag t ON t.id = pt.tag_id AND t.vocabulary_id IS NULL
        GROUP BY t.name""",
    "res_format": """SELECT r.format, count(DISTINCT m.id) FROM matched m
        JOIN resource r ON r.package_id = m.id AND r.state = 'active'
        WHERE coalesce(r.format, '') <> '' GROUP BY r.format""",
    "license_id": """SELECT m.license_id, count(*) FROM matched m
        WHERE coalesce(m.license_id, '') <> '' GROUP BY m.license_id""",
    "state": "SELECT m.state, count(*) FROM matched m GROUP BY m.state",
    "dataset_type": "SELECT m.type, count(*) FROM matched m GROUP BY m.type",
    "type": "SELECT m.type, count(*) FROM matched m GROUP BY m.type",
    "capacity": """SELECT CASE WHEN m.private THEN 'private' ELSE 'public' END, count(*)
        FROM matched m GROUP BY 1""",
}
EXTRAS_FACET = """SELECT m.extras ->> :facet_key, count(*) FROM matched m
    WHERE coalesce(m.extras ->> :facet_key, '') <> '' GROUP BY 1"""
VOCAB_FACET = """SELECT t.name, count(DISTINCT m.id) FROM matched m
    JOIN package_tag pt ON pt.package_id = m.id AND pt.state = 'active'
    JOIN tag t ON t.id = pt.tag_id
    JOIN vocabulary v ON v.id = t.vocabulary_id AND v.name = :facet_key
    GROUP BY t.name"""

MATCHED_COLUMNS = (
    "p.id, p.name, p.title, p.owner_org, p.license_id, p.extras, p.type, "
    "p.state, p.private, p.metadata_modified, p.metadata_created"
)


def word_pattern(value: str) -> str:
    """A PostgreSQL regular expression matching ``value`` at the start of a word.

    Words, phrases and prefix searches (``park*``) all match from a word's start.
    """
    escaped = [re.sub(r"([^\w\s])", r"\\\1", word) for word in value.split()]
    return r"\m" + r"\W+".join(escaped)


@dataclass
class CompiledSearch:
    """SQL pieces for one search; ``params`` are bound, never interpolated."""

    where: str
    score: str
    params: dict[str, Any] = field(default_factory=dict)

    def matched_cte(self) -> str:
        return (
            f"WITH {DOCUMENT_CTE.strip()},\nmatched AS (\n  SELECT {MATCHED_COLUMNS}, "
            f"{self.score} AS score\n  FROM package p JOIN doc d ON d.id = p.id\n"
            f"  WHERE {self.where})\n"
        )

    def count_sql(self) -> str:
        return self.matched_cte() + "SELECT count(*) FROM matched"

    def page_sql(self, sort: list[tuple[str, str]]) -> str:
        order = []
        for sort_field, direction in sort:
            if sort_field not in SORT_FIELDS:
                raise ValueError(f"cannot sort on {sort_field!r}")
            nulls = "NULLS LAST" if direction == "desc" else "NULLS FIRST"
            order.append(f"{SORT_FIELDS[sort_field]} {direction.upper()} {nulls}")
        order.append("id ASC")  # stable paging when the sort keys tie
        return (
            self.matched_cte() + "SELECT id, name, title, owner_org, license_id, extras, "
            "type, state, metadata_modified, metadata_created, score FROM matched "
            f"ORDER BY {', '.join(order)} LIMIT :rows OFFSET :start"
        )

    def facet_sql(self, facet_field: str, limit: int, mincount: int) -> tuple[str, dict[str, Any]]:
        """SQL and extra parameters for one facet, or ("", {}) for an unknown field."""
        extra: dict[str, Any] = {"facet_mincount": mincount}
        if facet_field in FACET_QUERIES:
            base = FACET_QUERIES[facet_field]
        elif facet_field.startswith("extras_"):
            base, extra["facet_key"] = EXTRAS_FACET, facet_field[len("extras_") :]
        elif facet_field.startswith("vocab_"):
            base, extra["facet_key"] = VOCAB_FACET, facet_field[len("vocab_") :]
        else:
            return "", {}
        sql = (
            self.matched_cte() + f"SELECT * FROM ({base}) AS facet(value, n) "
            "WHERE n >= :facet_mincount ORDER BY n DESC, value ASC"
        )
        if limit >= 0:
            sql += " LIMIT :facet_limit"
            extra["facet_limit"] = limit
        return sql, extra


class Compiler:
    """Turns parsed q/fq trees plus permission labels into one :class:`CompiledSearch`."""

    def __init__(self, site_id: str):
        self.site_id = site_id
        self.params: dict[str, Any] = {}
        self.score_terms: list[str] = []

    def _bind(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    # -- terms ---------------------------------------------------------------
    def _text_match(self, expression: str, term: Term) -> str:
        if term.kind == "any":
            return f"coalesce({expression}, '') <> ''"
        return f"coalesce({expression}, '') ~* {self._bind(word_pattern(term.value))}"

    def _string_match(self, expression: str, term: Term, case_insensitive: bool = False) -> str:
        if term.kind == "any":
            return f"coalesce({expression}, '') <> ''"
        value = term.value.lower() if case_insensitive else term.value
        if term.kind == "prefix":
            escaped = value.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
            return f"coalesce({expression}, '') LIKE {self._bind(escaped + '%')}"
        return f"coalesce({expression}, '') = {self._bind(value)}"

    def _term(self, term: Term, scored: bool) -> str:
        name = term.field
        if name in TEXT_FIELDS:
            condition = self._text_match(TEXT_FIELDS[name], term)
            if scored and name is None and term.kind != "any":
                self._add_score(term)
            return condition
        if name in NGRAM_FIELDS:
            escaped = term.value.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
            return f"{NGRAM_FIELDS[name]} ILIKE {self._bind('%' + escaped + '%')}"
        if name == "site_id":
            return "TRUE" if term.kind == "any" or term.value == self.site_id else "FALSE"
        if name in STRING_FIELDS:
            return self._string_match(STRING_FIELDS[name], term)
        if name in MULTI_FIELDS:
            match = self._string_match(
                MULTI_FIELD_VALUE[name], term, case_insensitive=name in CASE_INSENSITIVE_FIELDS
            )
            return MULTI_FIELDS[name].format(match=match)
        if name and name.startswith("extras_"):
            expression = f"(p.extras ->> {self._bind(name[len('extras_') :])})"
            return self._string_match(expression, term)
        if name and name.startswith("vocab_"):
            match = self._string_match("t.name", term)
            return f"""EXISTS (SELECT 1 FROM package_tag pt JOIN tag t ON t.id = pt.tag_id
                JOIN vocabulary v ON v.id = t.vocabulary_id
                WHERE pt.package_id = p.id AND pt.state = 'active'
                AND v.name = {self._bind(name[len("vocab_") :])} AND {match})"""
        if name in ("metadata_modified", "metadata_created"):
            raise UnsupportedSyntax(
                f"{name} can only be filtered with a date range, which "
                "this portal's search does not support; sort on it instead"
            )
        known = sorted(k for k in (*TEXT_FIELDS, *NGRAM_FIELDS, *STRING_FIELDS, *MULTI_FIELDS) if k)
        raise UnsupportedSyntax(
            f"unknown search field {name!r}; searchable fields are "
            f"{', '.join(known)}, extras_<key> and vocab_<name>"
        )

    def _add_score(self, term: Term) -> None:
        pattern = self._bind(word_pattern(term.value))
        self.score_terms.append(
            f"(CASE WHEN coalesce(p.title, '') ~* {pattern} THEN 4 ELSE 0 END"
            f" + CASE WHEN p.name ~* {pattern} THEN 4 ELSE 0 END"
            f" + CASE WHEN coalesce(d.tags, '') ~* {pattern} THEN 2 ELSE 0 END"
            f" + CASE WHEN d.text ~* {pattern} THEN 1 ELSE 0 END)"
        )

    def node(self, node: Node, scored: bool = False) -> str:
        if isinstance(node, MatchAll):
            return "TRUE"
        if isinstance(node, Term):
            return self._term(node, scored)
        if isinstance(node, Not):
            return f"NOT ({self.node(node.node)})"
        if isinstance(node, And):
            return "(" + " AND ".join(self.node(child, scored) for child in node.nodes) + ")"
        if isinstance(node, Or):
            return "(" + " OR ".join(self.node(child, scored) for child in node.nodes) + ")"
        raise TypeError(f"not a search node: {node!r}")

    # -- visibility ------------------------------------------------------------
    def permission_filter(self, labels: list[str] | None) -> str:
        """Mirror CKAN's DefaultPermissionLabels in SQL (None: no filter, e.g. sysadmin)."""
        if labels is None:
            return "TRUE"
        clauses = []
        if "public" in labels:
            clauses.append("(p.state = 'active' AND NOT p.private)")
        grouped: dict[str, list[str]] = {"member": [], "creator": [], "collaborator": []}
        for label in labels:
            kind, _, ident = label.partition("-")
            if kind in grouped and ident:
                grouped[kind].append(ident)
        if grouped["member"]:
            clauses.append(f"p.owner_org = ANY({self._bind(grouped['member'])})")
        if grouped["creator"]:
            clauses.append(
                f"(p.owner_org IS NULL AND p.creator_user_id = "
                f"ANY({self._bind(grouped['creator'])}))"
            )
        if grouped["collaborator"]:
            clauses.append(f"p.id = ANY({self._bind(grouped['collaborator'])})")
        return "(" + " OR ".join(clauses) + ")" if clauses else "FALSE"


def compile_search(
    q: Node, filters: list[Node], labels: list[str] | None, site_id: str
) -> CompiledSearch:
    """One search: ``q`` scores and filters, each of ``filters`` only filters."""
    compiler = Compiler(site_id)
    conditions = [compiler.node(q, scored=True)]
    conditions += [compiler.node(node) for node in filters]
    conditions.append(compiler.permission_filter(labels))
    score = " + ".join(compiler.score_terms) if compiler.score_terms else "0"
    return CompiledSearch(where="\n    AND ".join(conditions), score=score, params=compiler.params)
