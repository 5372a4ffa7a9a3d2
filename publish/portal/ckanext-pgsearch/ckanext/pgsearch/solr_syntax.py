"""Parse the subset of Solr/Lucene query syntax that CKAN and its clients send.

CKAN builds ``q`` and ``fq`` strings in Solr syntax (``+state:(active OR draft)``,
``organization:"parks"``, ``name:"x" OR title:"x"``), and portal users and API clients
type their own. This module turns such a string into a small tree that ``sql.py``
compiles to PostgreSQL. It is pure Python with no CKAN import, so it is unit-tested
from the pipeline's environment.

Supported: words, "phrases", ``field:value``, ``field:"phrase"``, ``field:(a OR b)``,
``*:*``, ``field:*``, a trailing ``*`` for prefix matches, ``AND``/``OR``/``NOT``,
``&&``/``||``/``!``, ``+``/``-`` prefixes, parentheses and backslash escapes.
Rejected with :class:`UnsupportedSyntax` (a clear message, HTTP 409 on the API):
ranges (``[a TO b]``, ``{a TO b}``), fuzzy and proximity (``~``), boosts (``^``),
``?`` and inner/leading ``*`` wildcards, and local parameters (``{!...}``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Union


class UnsupportedSyntax(ValueError):
    """The query uses Solr syntax this search backend does not implement."""


@dataclass(frozen=True)
class Term:
    """One value to match: ``field`` None means the default free-text field."""

    field: str | None
    value: str
    kind: str = "word"  # word | phrase | prefix | any (field:*)


@dataclass(frozen=True)
class MatchAll:
    """``*:*``: every document."""


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class And:
    nodes: tuple[Node, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Or:
    nodes: tuple[Node, ...] = field(default_factory=tuple)


Node = Union[Term, MatchAll, Not, And, Or]  # noqa: UP007 (a runtime alias)

# A token is an operator, a parenthesis, a quoted phrase or a bare word.
# Bare words may hold backslash-escaped characters (``a\:b``).
_TOKEN_RE = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<phrase>"(?:\\.|[^"\\])*")
  | (?P<and>&&)
  | (?P<or>\|\|)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<word>(?:\\.|[^\s()"\\])+)
  """,
    re.VERBOSE,
)

_UNSUPPORTED = [
    (re.compile(r"(?<!\\)[\[\]{}]"), "ranges like [a TO b] and {a TO b} are not supported"),
    (re.compile(r"(?<!\\)~"), "fuzzy and proximity searches (~) are not supported"),
    (re.compile(r"(?<!\\)\^"), "boosts (^) are not supported"),
    (re.compile(r"(?<!\\)\?"), "the ? wildcard is not supported; use a trailing * instead"),
]

_FIELD_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_.\-]*):(.*)$", re.DOTALL)


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        match = _TOKEN_RE.match(text, position)
        if match is None:  # only an unterminated quote can get here
            raise UnsupportedSyntax(f"unbalanced quote at position {position}: {text!r}")
        position = match.end()
        kind = match.lastgroup
        assert kind is not None
        if kind != "space":
            tokens.append((kind, match.group()))
    return tokens


class _Parser:
    """Recursive descent over the token list; default operator is AND (Solr q.op=AND)."""

    def __init__(self, text: str):
        if "{!" in text:
            raise UnsupportedSyntax("local parameters ({!...}) are not supported")
        outside_phrases = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)
        for pattern, message in _UNSUPPORTED:
            if pattern.search(outside_phrases):
                raise UnsupportedSyntax(f"{message}: {text!r}")
        self.text = text
        self.tokens = _tokenize(text)
        self.index = 0

    def parse(self) -> Node:
        if not self.tokens:
            return MatchAll()
        node = self._or(default_field=None)
        if self.index != len(self.tokens):
            raise UnsupportedSyntax(f"unexpected {self.tokens[self.index][1]!r} in {self.text!r}")
        return node

    # -- grammar -------------------------------------------------------------
    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def _is_keyword(self, token: tuple[str, str] | None, *words: str) -> bool:
        return token is not None and token[0] == "word" and token[1] in words

    def _or(self, default_field: str | None) -> Node:
        nodes = [self._and(default_field)]
        while True:
            token = self._peek()
            if token is not None and (token[0] == "or" or self._is_keyword(token, "OR")):
                self.index += 1
                nodes.append(self._and(default_field))
            else:
                break
        return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))

    def _and(self, default_field: str | None) -> Node:
        nodes = [self._clause(default_field)]
        while True:
            token = self._peek()
            if token is None or token[0] in ("rparen", "or") or self._is_keyword(token, "OR"):
                break
            if token[0] == "and" or self._is_keyword(token, "AND"):
                self.index += 1
            nodes.append(self._clause(default_field))
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def _clause(self, default_field: str | None) -> Node:
        token = self._peek()
        if token is None:
            raise UnsupportedSyntax(f"the query ends where a term was expected: {self.text!r}")
        negate = False
        if self._is_keyword(token, "NOT"):
            self.index += 1
            negate = True
        elif token[0] == "word" and token[1] in ("+", "-", "!"):
            self.index += 1
            negate = token[1] in ("-", "!")
        elif token[0] == "word" and token[1][0] in "+-!" and len(token[1]) > 1:
            # a prefix glued to its term: split it off
            self.tokens[self.index] = ("word", token[1][1:])
            negate = token[1][0] in "-!"
        elif token[0] == "phrase":
            pass
        node = self._atom(default_field)
        return Not(node) if negate else node

    def _atom(self, default_field: str | None) -> Node:
        token = self._peek()
        if token is None:
            raise UnsupportedSyntax(f"the query ends where a term was expected: {self.text!r}")
        kind, text = token
        self.index += 1
        if kind == "lparen":
            node = self._or(default_field)
            self._expect_rparen()
            return node
        if kind == "phrase":
            return Term(default_field, _unescape(text[1:-1]), "phrase")
        if kind in ("rparen", "and", "or"):
            raise UnsupportedSyntax(f"unexpected {text!r} in {self.text!r}")
        if text == "*:*":
            return MatchAll()
        match = _FIELD_RE.match(text)
        if match and not text.startswith("\\"):
            field_name, rest = match.group(1), match.group(2)
            if rest == "":  # field:(...) or field:"..."
                following = self._peek()
                if following is None:
                    raise UnsupportedSyntax(f"{field_name}: has no value in {self.text!r}")
                if following[0] == "lparen":
                    self.index += 1
                    node = self._or(default_field=field_name)
                    self._expect_rparen()
                    return node
                if following[0] == "phrase":
                    self.index += 1
                    return Term(field_name, _unescape(following[1][1:-1]), "phrase")
                raise UnsupportedSyntax(f"{field_name}: has no value in {self.text!r}")
            return _word_term(field_name, rest)
        return _word_term(default_field, text)

    def _expect_rparen(self) -> None:
        token = self._peek()
        if token is None or token[0] != "rparen":
            raise UnsupportedSyntax(f"unbalanced parenthesis in {self.text!r}")
        self.index += 1


def _word_term(field_name: str | None, raw: str) -> Term:
    if raw == "*":
        if field_name is None:
            return Term(None, "", "any")
        return Term(field_name, "", "any")
    unescaped_star = re.search(r"(?<!\\)\*", raw)
    if unescaped_star:
        if unescaped_star.start() != len(raw) - 1:
            raise UnsupportedSyntax(f"only a trailing * wildcard is supported, not {raw!r}")
        return Term(field_name, _unescape(raw[:-1]), "prefix")
    return Term(field_name, _unescape(raw), "word")


def parse(text: str | None) -> Node:
    """Parse one Solr query string (``q`` or one ``fq``) into a tree."""
    if text is None or not text.strip() or text.strip() in ('""', "''"):
        return MatchAll()
    return _Parser(text.strip()).parse()


def parse_lenient(text: str | None) -> Node:
    """Parse a user's free-text ``q``; on a syntax error fall back to its plain words.

    Solr's dismax parser (CKAN's default for a ``q`` without a colon) ignores stray
    quotes and operators, so a resident typing ``"bike lanes`` gets results, not an error.
    Fielded queries (with a colon) stay strict: their syntax is deliberate.
    """
    if text is not None and ":" not in text:
        try:
            return parse(text)
        except UnsupportedSyntax:
            words = re.findall(r"[\w'.@-]+", text)
            if not words:
                return MatchAll()
            return (
                And(tuple(Term(None, word, "word") for word in words))
                if len(words) > 1
                else Term(None, words[0], "word")
            )
    return parse(text)


def parse_sort(text: str | None) -> list[tuple[str, str]]:
    """``"score desc, metadata_modified desc"`` -> ``[("score", "desc"), ...]``."""
    clauses: list[tuple[str, str]] = []
    for part in (text or "").split(","):
        words = part.split()
        if not words:
            continue
        if len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise ValueError(f"cannot read sort clause {part.strip()!r}")
        clauses.append((words[0], words[1].lower() if len(words) == 2 else "asc"))
    return clauses
