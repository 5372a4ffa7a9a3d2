"""The privacy gate: no personal information reaches the portal, checked three ways.

1. By meaning: every column of the published model is in the dataset's dictionary entry,
   classified public, and none carries the name of a column any source classifies
   personal.
2. By personal value: no published text holds a value of a personal source column (a
   caller's name, phone, e-mail, home address), whole or as a run of two to four words
   inside a longer text ("4400 block of Main St (Jane Doe)"), or as one word with a
   digit (a plate inside a sentence); a two-word name in either order, a first and a
   last name kept in two columns together, accents or not; a name written shorter
   (without its title or middle initial, "P. Dunmore", "Mr Dunmore"), with a family
   name of particles first ("DE LA FONTAINE, MARIE"), or one of several owners of one
   value ("HALVORSEN, BJORN & INGRID"), after "Ms" (not "MS"), hyphenated into one
   word ("Percival-Dunmore"), as a username ("p.dunmore", "user pdunmore"), or with its
   letters mangled by a wrong encoding ("RenÃ©e"); and a name published in two columns
   of one row (a first name beside a last name). A home address is also found with its
   street type written otherwise ("Crescent", "Cres"). Length is not the test of
   whether a value identifies someone; frequency is: a value that many records share
   ("Anonymous", "N/A") identifies nobody and is not matched, unless it is a person's
   full name (a given and a family name of the census lists: a frequent caller).
3. By count: a published aggregate's small cells are suppressed, with their complements
   (``small_cells.py``; the dataset's ``small_cells`` declaration).
4. By shape: text that holds an e-mail address (also spelled out), a phone number, a
   social insurance or health card number (with their checksums), a card number or a
   house number with a postal code (``recognizers.py``, presidio-analyzer); and a
   person's name no system holds, a given and a family name of the census lists
   written as names are, in a value few rows hold (``person_names.py``).

Each published column that can hold words (text, JSON, lists, structs, enums) is read
once, as its text: its distinct values with their row counts go to a
temporary table, and the value checks run on that; the columns of one-word values are read
once more together, for a name split over two of them.

A failure names the column, the rule and how many rows, with masked examples, so the
report itself leaks nothing.
"""

from __future__ import annotations

import functools
import hashlib
import html.entities
import itertools
import re
from dataclasses import dataclass, field
from uuid import uuid4

import duckdb

from ..dictionary import Dataset, Dictionary
from ..warehouse import literal, quote
from .person_names import (
    EVERYDAY_WORDS,
    PLACE_BEFORE_WORDS,
    PLACE_WORDS,
    name_lists,
    unknown_name_finding,
)
from .recognizers import (
    CANDIDATE,
    INVISIBLE_CHARACTERS,
    STREET_TYPES,
    STYLED,
    STYLED_RANGES,
    Recognizers,
)
from .results import WARNING_MARK, mask
from .small_cells import small_cell_check

# A personal value shared by more records than this is not identifying ("Anonymous"):
# 20, or one in ten thousand of the personal records counted when that is more (a
# resident who called 23 times was no longer looked for in a city of a million
# requests), rounded down to a power of two so that it changes seldom (a change counts
# all values again: a value it makes identifying was stamped with an older generation).
IDENTIFYING_MAX_RECORDS = 20
IDENTIFYING_MAX_SHARE = 1e-4
# ... and at most 128, for names and codes only (values of several words, or with a
# digit): a single word ("unknown", "resident") shared by 21 records is a placeholder,
# and a placeholder shared by hundreds in a city of ten million records would block
# every dataset that publishes the word
IDENTIFYING_MAX_RECORDS_CAP = 128
MIN_PERSONAL_VALUE_LENGTH = 3  # "Al" or "12" alone would match anything
SHAPE_SAMPLE = 50  # values checked per shape before all values of a frequent shape are
FREQUENT_SHAPE = 200  # a shape (digits -> 9, letters -> A) with more distinct values


@dataclass
class PrivacyResult:
    passed: bool
    findings: list[dict] = field(default_factory=list)
    # listed with the result, not blocking (small_cells.small_cell_check)
    warnings: list[dict] = field(default_factory=list)
    # the personal values checked against, as personal_values_mark() gives them
    personal_values: str | None = None
    # only the personal values new since a pass of the same rows and rules were looked
    # for (check_privacy's ``extends``)
    extended: bool = False

    def summary(self) -> str:
        said = (
            "no personal column and no personal value found"
            if self.passed
            else "; ".join(f"{f['column']}: {f['rule']} ({f['rows']} rows)" for f in self.findings)
        )
        if self.warnings:  # (the public quality report shows this: which cells, only in
            # the check's metadata, for the data team; a public map of them would help the
            # attacker the warning is about)
            said += f"; {WARNING_MARK}" + "; ".join(w["said"] for w in self.warnings)
        return said


def _model_columns(conn, model: str) -> dict[str, str]:
    return dict(
        conn.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'open_data' AND table_name = ? ORDER BY ordinal_position",
            [model],
        ).fetchall()
    )


def _meaning_findings(
    columns: dict[str, str], dataset: Dataset, dictionary: Dictionary
) -> list[dict]:
    findings = []
    documented = {c.name: c for c in dataset.columns}
    for name in columns:
        if name not in documented:
            findings.append({"column": name, "rule": "not in the data dictionary", "rows": 0})
        elif documented[name].classification != "public":
            findings.append(
                {"column": name, "rows": 0, "rule": f"classified {documented[name].classification}"}
            )
        if name in dictionary.personal_column_names:
            findings.append(
                {"column": name, "rule": "named like a personal source column", "rows": 0}
            )
    return findings


def _unclassified_findings(conn, columns: dict[str, str], dataset: Dataset, dictionary) -> list:
    """A published column named like a column the department's export carries but its
    contract does not list: loaded as text, never classified, so not publishable. (By
    name: a renamed copy whose lineage is declared is the dictionary's check, which asks
    a public column derived from a personal one how it is de-identified; an undeclared
    copy is the value checks': its values, or a first and a last name kept in two
    columns, are personal values.)"""
    unlisted: set[str] = set()
    for system in dataset.source_systems:
        source = dictionary.sources.get(system)
        if source is None:
            continue
        listed = {c.name for c in source.columns} | {
            point[role]
            for point in source.spec.get("coordinates", [])
            for role in ("longitude", "latitude")
        }
        raw = conn.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'raw' AND table_name = ?",
            [source.raw_table],
        ).fetchall()
        unlisted |= {c for (c,) in raw if not c.startswith("_") and c not in listed}
    return [
        {
            "column": name,
            "rows": 0,
            "rule": "a source column its contract does not list (unclassified)",
        }
        for name in columns
        if name in unlisted
    ]


# The personal values, kept beside the raw tables they come from (same file, same 0600):
# a count of records per normalised value, kept up to date as files arrive, not rebuilt
# once per dataset or per run. The identifying values are a view over the counts.
# Each value is stamped with the generation that brought it: counted from all rows (0,
# under a new epoch), or added with the next new files (1, 2, ...). A gate that passed a
# table against generation g of an epoch need only look for the values added since. The
# state keeps a digest of the files of each generation, so a generation number that
# came back with other files (a warehouse restored from a backup, then new files) is
# not taken for the one a pass saw.
# How personal values are derived from the raw rows (normalised, reversed or rotated,
# first and last names joined): a change recounts them all (a new epoch), so no pass of a gate is
# extended over values derived the old way.
# Words of an organisation's name, never of a person's: a value of three words holding
# one is not rotated
NOT_IN_NAMES = ("of", "the", "and", "for", "de", "du", "des", "la", "le", "les", "et",
                "inc", "ltd", "corp", "co", "city", "town")  # fmt: skip
VALUE_DERIVATION = 23
# Titles before a name, as normalised ("Dr." is "dr"): the name is also counted without
# its title
TITLES = ("mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev", "mme", "mlle", "m",
          "madame", "monsieur", "sir")  # fmt: skip
# Words inside a family name ("de la Fontaine", "van der Berg")
NAME_PARTICLES = ("de", "du", "des", "la", "le", "van", "von", "der", "den", "da", "di",
                  "del", "della", "dos", "st", "ste", "mac", "ben", "bin", "al")  # fmt: skip
# The titles a published text is read for ("Mr Dunmore called again"), as their case
# writes them before a name (``_titles_marked``): "Miss Grant", not "don't miss Grant
# deadlines"; "Ms Dunmore", not "MS Office". Not "Dr" (a drive: "Riverside Dr East") or
# "M" (metres: "200 m south"). Each is read as "Mrs", a title the published words hold.
SPOKEN_TITLES = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Mme", "Mlle", "Madame", "Monsieur")
SPOKEN_TITLES_IN_CAPITALS = ("MR", "MRS", "MME", "MLLE", "MADAME", "MONSIEUR")
# ... and those that are no other word, however a clerk typed them ("mr dunmore called")
TITLES_IN_ANY_CASE = ("mrs", "mr", "mx", "mme", "mlle", "madame", "monsieur")
# A given name's initial stands for it ("P. Dunmore"), but for letters that are words of
# their own before a word ("a young team", "i hall", "o brien" from O'Brien, "y")
INITIALS = "b-hj-np-xz"
# Family names that are also words of a place or a direction: no initial or title form
# is made of them ("Rink B West" is no Brian West, "Mr North" too likely a text's word)
PLACE_LIKE_NAMES = ("north", "south", "east", "west", "street", "hall", "park", "lane",
                    "hill", "field", "wood", "woods", "ford", "bridge", "king", "green",
                    "brook", "rivers", "lake", "banks", "bank", "church", "gate", "gates",
                    "cross", "court", "mill", "mills", "pool", "rink", "wells", "stone",
                    "marsh", "moore", "dale", "vale", "grove", "berry", "rose", "young",
                    "little", "long", "short", "white", "black", "brown", "gray", "grey",
                    "day", "may", "price", "cash", "case", "parks", "square", "place")  # fmt: skip
# A family name after a title, as the published words give it (``_personal_value_rows``)
TITLED = "~"
# A family name of one or two particles and a word, after a title, read in a published
# text as written: "Mme de la Fontaine", "mr de montigny", "M. de Montigny", "Ms Di
# Stefano". After a title that is only a title ("Mr", "Mme"), in any case; after one that
# is also a word, with a capital ("Monsieur de la Fontaine", not "Monsieur le maire", "un
# monsieur de la rue Ontario"; "M." with its full stop, not "200 m", "7 P.M. De La
# Salle"; "Dr" a drive). Not "Miss", which headings capitalise ("Don't Miss De La Salle
# Open House"). A street's or an office's word after the particles is no one's name
# (``NOT_A_FAMILY_NAME``: "Mme de la rue Beaubien", "Monsieur le Maire").
_PARTICLES = "|".join(NAME_PARTICLES)
_SPACES = "[\\s\\x{a0}\\x{202f}]+"  # (a no-break space too: "Mme\u00a0de la Fontaine")
_PARTICLES_THEN = f"((?:(?i:{_PARTICLES})\\.?{_SPACES}){{1,2}}"
# (Latin letters, not any script's: RE2's classes of all Unicode letters made the look-up
# of every published value a fifth slower)
TITLED_PARTICLE_NAMES = (
    f"(?:^|[^A-Za-zÀ-ÿ.])(?i:mr|mrs|mme|mlle|ms|mx)\\.?{_SPACES}{_PARTICLES_THEN}"
    "[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'’-]*)",
    f"(?:^|[^A-Za-zÀ-ÿ.])(?:Madame|Monsieur|MADAME|MONSIEUR|M\\.|Dr|DR|Prof)\\.?{_SPACES}"
    f"{_PARTICLES_THEN}[A-ZÀ-Þ][A-Za-zÀ-ÿ'’-]*)",
)
# ... the titles' words, as the normalised text has them (``_titles_marked`` makes
# "Mme Dunmore" "mrs dunmore")
TITLE_WORDS_BEFORE_PARTICLES = ("mr", "mrs", "mme", "mlle", "ms", "mx", "madame",
                                "monsieur", "m", "dr", "prof")  # fmt: skip
_TITLE_THEN_PARTICLE = (
    f"(^| )({'|'.join(TITLE_WORDS_BEFORE_PARTICLES)}) ({'|'.join(NAME_PARTICLES)}) "
)
NOT_A_FAMILY_NAME = (
    "rue", "avenue", "av", "boulevard", "boul", "chemin", "ch", "parc", "place", "route",
    "rang", "montee", "cote", "promenade", "ruelle", "impasse", "maire", "mairesse",
    "directeur", "directrice", "president", "presidente", "ministre", "juge", "comte",
    "comtesse", "conseiller", "conseillere", "depute", "deputee", "ville", "paroisse",
)  # fmt: skip
# ... and the same family name in a personal value, the given name first or last
_FAMILY_WITH_PARTICLES_LAST = f" ((?:{_PARTICLES})(?: (?:{_PARTICLES}))? [a-z'-]+)$"
_FAMILY_WITH_PARTICLES_FIRST = f"^((?:{_PARTICLES})(?: (?:{_PARTICLES}))? [a-z'-]+) [a-z'-]+$"
# A username made of a name: a given name's initial and a family name of six letters
# or more, joined ("mtremblay"; "jsmith" is too short to tell from a word), kept marked.
# Many words are a letter and a family name ("planning" is P. Lanning, "stopping" S.
# Topping; "PLANNING2025", "user parking permit"), so a published word is read as a
# username only where it is written as one: with a dot ("p.dunmore"), or after a word
# that names one ("username pdunmore", a web address's "/users/pdunmore")
USERNAME = "^"
USERNAME_FAMILY_MIN_LENGTH = 6
USERNAME_SHAPE = f"[a-z][.]?[a-z]{{{USERNAME_FAMILY_MIN_LENGTH},}}[0-9]{{0,4}}"
USERNAME_MARKED = f"[a-z][.][a-z]{{{USERNAME_FAMILY_MIN_LENGTH},}}[0-9]{{0,4}}"
USERNAME_BEFORE = ("username", "userid", "users", "u", "profile", "profiles")
# A word of a published text this long, holding a letter and a digit, is matched alone
# against the personal values too: a plate inside a sentence ("PARK EXPIRED METER
# SJEM364") is no run of 2-4 words. Names (no digits) are not: "Young" alone is a word
# of "Young Adult Swim"; nor are dates and numbers ("closed 2015-04-09" is no child's
# birth date; phone and card numbers are the recognizers').
SINGLE_WORD_MIN_LENGTH = 5
SHORT_MIDDLE_WORD = 4  # an initial, "Jr", a nickname ("Ros", "Neil") between two names
DATE_TYPES = ("date", "timestamp", "timestamptz")
PERSONAL_VALUE_COUNTS = "raw._personal_value_counts"
PERSONAL_VALUES = "raw._personal_values"
PERSONAL_VALUES_STATE = "raw._personal_values_state"
FREQUENT_NAMES = "raw._personal_frequent_names"
# A full name stays identifying up to this many times the placeholder limit (a caller of
# a hundred requests); beyond, it is a business in a name field ("Ross Stores") more
# likely than a person. And words of placeholders that read as names ("John Doe",
# "Jane Citizen", "Walk In")
FREQUENT_NAME_MAX_TIMES = 8
PLACEHOLDER_WORDS = frozenset(
    "doe citizen public walk test sample unknown anonymous resident customer caller client "
    "tenant owner occupant staff".split()
)


def build_personal_values(conn, dictionary: Dictionary) -> bool:
    """Bring ``raw._personal_value_counts`` up to date with the raw files loaded now, and
    ``raw._personal_values`` (every identifying value of a personal source column, lower
    case) with it. Files added since the last time are counted and added; anything else
    (a file's rows withdrawn by a corrected re-delivery, another set of personal
    columns) recounts all. Returns False when no raw table holds personal columns yet."""
    existing = {
        row[0]
        for row in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw'"
        ).fetchall()
    }
    columns = [
        (s.system, s.raw_table, c.name)
        for s in dictionary.sources.values()
        if s.raw_table in existing
        for c in s.columns
        # a date alone is no one's: every child's birth date made a text of that date fail
        # (a birth date in a text is the recognizers': "born", "DOB" and the date); typed
        # text is sentences, not names: "Pothole filled" in a few notes made every
        # published text that says it fail (the names inside it are not known by value)
        if c.classification == "personal"
        and c.type not in DATE_TYPES
        and not c.spec.get("free_text")
    ]
    if not columns:
        return False
    threshold = _identifying_threshold(conn, {system for system, _, _ in columns})
    definition = _digest(
        [VALUE_DERIVATION, columns, _name_pairs(dictionary, existing), threshold,
         _word_lists_digest()]
    )  # fmt: skip
    try:
        files = sorted(
            f"{system}:{sha}"
            for system, sha in conn.execute(
                "SELECT DISTINCT system, sha256 FROM raw._ingest_files WHERE status = 'loaded'"
            ).fetchall()
        )
    except duckdb.CatalogException:  # raw tables made without the ingest: count them all
        files, definition = [], f"{definition}:unledgered"
    ledgered = not definition.endswith(":unledgered")
    stored = _stored_state(conn)
    if (
        ledgered
        and stored is not None
        and stored.definition == definition
        and stored.files == files
    ):
        return True
    added = None
    if (
        ledgered
        and stored is not None
        and stored.definition == definition
        and set(stored.files) <= set(files)
    ):
        added = sorted(set(files) - set(stored.files))
    # (the same epoch only while values are added; a recount starts a new one)
    digests = [*stored.digests, _digest(files)] if added is not None else [_digest(files)]
    epoch = stored.epoch if added is not None else uuid4().hex
    conn.execute("BEGIN TRANSACTION")
    try:
        _count_values(conn, columns, _name_pairs(dictionary, existing), added, len(digests) - 1)
        _keep_frequent_names(conn, threshold)
        # (the frequent names apart: an IN over them made each gate's look-up 40% slower)
        conn.execute(
            f"CREATE OR REPLACE VIEW {PERSONAL_VALUES} AS SELECT value, generation FROM "
            f"{PERSONAL_VALUE_COUNTS} WHERE records <= {IDENTIFYING_MAX_RECORDS} OR "
            f"(records <= {threshold} AND (contains(value, ' ') OR "
            f"regexp_matches(value, '[0-9]'))) UNION ALL SELECT value, generation FROM "
            f"{FREQUENT_NAMES}"
        )
        conn.execute(
            f"CREATE OR REPLACE TABLE {PERSONAL_VALUES_STATE} AS SELECT ? AS definition, "
            "?::VARCHAR[] AS files, ? AS epoch, ?::VARCHAR[] AS digests",
            [definition, files, epoch, digests],
        )
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return True


@functools.cache
def _word_lists_digest() -> str:
    """The word lists the frequent names are read with: a change recounts (a new epoch).
    The census lists by the version of the package that ships them (read and sorted,
    they cost each run's first gate 0.13 s)."""
    from importlib.metadata import version

    return _digest([version("names"), sorted(EVERYDAY_WORDS), sorted(PLACE_WORDS),
                    sorted(PLACEHOLDER_WORDS), FREQUENT_NAME_MAX_TIMES])  # fmt: skip


def _keep_frequent_names(conn, threshold: int) -> None:
    """``FREQUENT_NAMES``: the personal values shared by more records than a placeholder
    may be ("Anonymous Caller", "N/A") that are a person's full name all the same: a
    given and a family name of the census lists (``person_names``), either order. A
    resident who called 25 times, or the many John Smiths of a big city, are still
    people: frequency says a value is no one's only when it is not a name. Those over
    the ``threshold`` of a value of several words (the others identify anyway), with
    the generation that brought them."""

    def full_name(value: str) -> bool:
        words = value.split(" ")
        if not 2 <= len(words) <= 3 or any(
            w in NOT_IN_NAMES or w in PLACEHOLDER_WORDS or len(w) < 3 for w in words
        ):
            return False

        def parts(word: str) -> set[str]:  # a hyphenated name by any of its parts
            return {p.replace("'", "") for p in word.split("-") if p}

        for given, family in ((words[0], words[-1]), (words[-1], words[0])):
            if (
                parts(given) & given_names
                and given not in EVERYDAY_WORDS
                and parts(family) & family_names
                and family not in PLACE_WORDS
            ):
                return True
        return False

    frequent = conn.execute(
        f"SELECT value, generation FROM {PERSONAL_VALUE_COUNTS} WHERE records > "
        f"{int(threshold)} AND records <= {int(threshold) * FREQUENT_NAME_MAX_TIMES} AND "
        "regexp_full_match(value, '[a-z''-]{3,} [a-z''-]{3,}( [a-z''-]{3,})?')"
    ).fetchall()
    given_names, family_names = name_lists() if frequent else (frozenset(), frozenset())
    names = [(value, generation) for value, generation in frequent if full_name(value)]
    conn.execute(f"CREATE OR REPLACE TABLE {FREQUENT_NAMES} (value VARCHAR, generation INTEGER)")
    if names:
        conn.execute(
            f"INSERT INTO {FREQUENT_NAMES} SELECT unnest(?::VARCHAR[]), unnest(?::INTEGER[])",
            [[v for v, _ in names], [g for _, g in names]],
        )


def _identifying_threshold(conn, systems: set[str]) -> int:
    """The most records a personal value may have and still identify someone
    (``IDENTIFYING_MAX_SHARE``): from the rows loaded for the systems with personal
    columns (the ledger), a power of two, at least ``IDENTIFYING_MAX_RECORDS``."""
    try:
        (rows,) = conn.execute(
            "SELECT coalesce(sum(rows_loaded), 0) FROM raw._ingest_files "
            "WHERE status = 'loaded' AND list_contains(?, system)",
            [sorted(systems)],
        ).fetchone()
    except (duckdb.CatalogException, duckdb.BinderException):  # no ledger (raw tables made
        return IDENTIFYING_MAX_RECORDS  # without the ingest)
    share = min(int(rows * IDENTIFYING_MAX_SHARE), IDENTIFYING_MAX_RECORDS_CAP)
    return max(IDENTIFYING_MAX_RECORDS, 1 << (share.bit_length() - 1) if share else 0)


FIRST_NAME_WORDS = ("first", "given", "forename", "fname")
LAST_NAME_WORDS = ("last", "surname", "family", "lname")


def _name_pairs(dictionary: Dictionary, existing: set[str]) -> list[tuple[str, str, str, str]]:
    """(system, raw table, first-name column, last-name column) of each source that keeps
    a person's name in two personal columns ("participant_first_name", "..._last_name"):
    each alone is one word, and a published "Private Swim Lesson - Wyatt Young" holds
    neither as a run of words the personal values had. A first name goes with the last
    name of the same person: the column's name with the part's word taken out is the
    same ("participant_{}_name"); a source with one of each pairs them anyway
    ("given_name" and "surname")."""
    pairs = []
    for source in dictionary.sources.values():
        if source.raw_table not in existing:
            continue
        personal = [c.name for c in source.columns if c.classification == "personal"]
        firsts = _name_parts(personal, FIRST_NAME_WORDS, LAST_NAME_WORDS)
        lasts = _name_parts(personal, LAST_NAME_WORDS, FIRST_NAME_WORDS)
        matched = [(f, last) for key, f in firsts for k, last in lasts if k == key]
        if not matched and len(firsts) == 1 and len(lasts) == 1:
            matched = [(firsts[0][1], lasts[0][1])]
        pairs += [(source.system, source.raw_table, f, last) for f, last in matched]
    return pairs


def _name_parts(
    columns: list[str], words: tuple[str, ...], other_words: tuple[str, ...]
) -> list[tuple[str, str]]:
    """(the column's name with the part's word as "{}", the column) of the name columns
    that hold this part (and not also the other: "last_name_first_letter")."""
    parts = []
    for column in columns:
        if "name" not in column or any(w in column for w in other_words):
            continue
        word = next((w for w in words if w in column), None)
        if word is not None:
            parts.append((column.replace(word, "{}", 1), column))
    return parts


@dataclass(frozen=True)
class _State:
    definition: str
    files: list[str]
    epoch: str
    digests: list[str]  # of the files of each generation, the last one's now


def _digest(items: list) -> str:
    return hashlib.sha256(repr(items).encode()).hexdigest()[:16]


def personal_values_mark(conn) -> str | None:
    """``epoch:generation:digest`` of the personal values as they are now (None: none)."""
    return _mark(_stored_state(conn))


def _mark(stored: _State | None) -> str | None:
    if stored is None:
        return None
    return f"{stored.epoch}:{len(stored.digests) - 1}:{stored.digests[-1]}"


def _count_values(
    conn,
    columns: list[tuple[str, str, str]],
    pairs: list[tuple[str, str, str, str]],
    added: list[str] | None,
    generation: int,
) -> None:
    """Count the values of all loaded rows (``added`` None), or add those of the rows
    from the ``added`` files ("system:sha256") to the counts; a value first seen is
    stamped ``generation``. Besides each personal column's values: a two-word value
    (a name) in the other order too, and each row's first and last name together
    (``pairs``: (system, table, first-name column, last-name column))."""

    def rows_of(system: str) -> str | None:
        if added is None:
            return ""
        shas = [f.split(":", 1)[1] for f in added if f.split(":", 1)[0] == system]
        if not shas:
            return None
        return f" WHERE _source_sha256 IN ({', '.join(literal(s) for s in shas)})"

    # Each part gives the values of one column with their rows (``n``): a column's values
    # are grouped before they are normalised, as most repeat (6k names in 870k requests,
    # 60k phones): the normalising, regular expressions on each value, runs once a value
    # (2.6x fewer in the scale-20 city), the counts are the same.
    def grouped(column_sql: str, source: str, expression: str = "") -> str:
        return (
            f"SELECT {expression or _normalised(column_sql)} AS value, _n AS n FROM (SELECT "
            f"{column_sql}, count(*) AS _n FROM {source} GROUP BY ALL)"
        )

    parts = []
    for system, table, column in columns:
        if (where := rows_of(system)) is not None:
            # an address without a number is a street, a corner or a place ("King St",
            # "Jean-Talon Market"): no one's home, and published in every address block
            located = (
                f"{' AND' if where else ' WHERE'} regexp_matches({quote(column)}, '[0-9]')"
                if "address" in column and "email" not in column and "e_mail" not in column
                else ""
            )
            normal = _normalised(quote(column))
            source = f"raw.{quote(table)}{where}{located}"
            parts.append(
                grouped(quote(column), source, _street_types_abbreviated(normal) if located else "")
            )
            if located:  # ... and a home address with a unit, without it
                parts.append(
                    grouped(quote(column), f"{source} AND regexp_matches({quote(column)}, "
                            f"{literal(_HAS_UNIT)})",
                            _without_unit(_street_types_abbreviated(normal)))
                )  # fmt: skip
            if any(word in column for word in NAME_COLUMN_WORDS):
                parts.append(_each_of_several(quote(column), f"raw.{quote(table)}", where))
    for system, table, first, last in pairs:  # "Wyatt" and "Young": "wyatt young"
        if (where := rows_of(system)) is not None:
            joined = f"concat_ws(' ', {quote(first)}, {quote(last)})"
            parts.append(
                grouped(
                    f"{joined} AS joined",
                    f"raw.{quote(table)}{where}{' AND' if where else ' WHERE'} "
                    f"{quote(first)} IS NOT NULL AND {quote(last)} IS NOT NULL",
                    _normalised("joined"),
                )
            )
    # (no personal column in the files added: a typed empty value, as length() needs one)
    values = " UNION ALL ".join(parts) or "SELECT NULL::VARCHAR AS value, 0 AS n"
    # The forms below are made from the values that could be names: two to four words,
    # no digit and no @ (``named``: 14k of the 1.4M values of the scale-20 city), so
    # that each form's test reads those only, not every value.
    three_words = f"spaces = 2 AND NOT regexp_matches(value, '\\b({'|'.join(NOT_IN_NAMES)})\\b')"
    word = "split_part(value, ' ', {})".format
    # A name of three words with its last word first, or its first word last: "Tremblay,
    # Marie Claire" is "marie claire tremblay", and a system that keeps "okafor chidi
    # emeka" (family name first) has it published as "Chidi Emeka Okafor". Not a value
    # with a word no name has ("City of Calgary", an applicant's: "Minutes of Calgary
    # City Council" held "of calgary city"). Rotated too: a name with its hyphens as
    # spaces ("Lavoie, Jean Pierre" from "Jean-Pierre Lavoie").
    rotated_names = (
        f"SELECT {word(3)} || ' ' || {word(1)} || ' ' || {word(2)}, records FROM named "
        f"WHERE {three_words} UNION ALL "
        f"SELECT {word(2)} || ' ' || {word(3)} || ' ' || {word(1)}, records FROM named "
        f"WHERE {three_words}"
    )
    # A name of two words in either order: "Gauthier, Madison" is "madison gauthier"
    reversed_names = f"SELECT {word(2)} || ' ' || {word(1)}, records FROM named WHERE spaces = 1"
    # A name as it is written shorter: without its title ("Dr. Agatha Whitcombe" is
    # published "Agatha Whitcombe"), then without a middle initial ("Percival J.
    # Dunmore": "Percival Dunmore", and reversed, "DUNMORE, PERCIVAL")
    untitled = (
        f"SELECT regexp_replace(value, '^({'|'.join(TITLES)}) ', '') AS value, records, "
        f"spaces - 1 AS spaces FROM plain WHERE spaces >= 2 "
        f"AND regexp_matches(value, '^({'|'.join(TITLES)}) ')"
    )
    unmiddled = (
        f"SELECT {word(1)} || ' ' || {word(3)} AS value, records, 1 AS spaces FROM titled "
        f"WHERE {three_words} AND length({word(2)}) = 1"
    )
    # A family name with a particle, the given name last: "Marie de la Fontaine" is
    # published "DE LA FONTAINE, MARIE", "Jean de Montigny" "de Montigny, Jean"
    particle_first = (
        f"SELECT substr(value, length({word(1)}) + 2) || ' ' || {word(1)}, records FROM "
        f"named WHERE spaces >= 2 AND regexp_matches(value, ' ({'|'.join(NAME_PARTICLES)}) ')"
        # ... and that family name after a title: "Mme de la Fontaine", "Mr de Montigny",
        # from "Marie de la Fontaine", "Marie Claire de Lotbinière", "DE LA VÉRENDRYE,
        # SOPHIE" (as ``_titled_particle_names`` reads a published text)
        f" UNION ALL SELECT '{TITLED}' || family, records FROM (SELECT coalesce(nullif("
        f"regexp_extract(value, {literal(_FAMILY_WITH_PARTICLES_LAST)}, 1), ''), "
        f"regexp_extract(value, {literal(_FAMILY_WITH_PARTICLES_FIRST)}, 1)) AS family, "
        "records FROM named WHERE spaces BETWEEN 2 AND 3) WHERE family <> ''"
    )
    # A given name as its initial ("P. Dunmore"), and the family name after a title
    # ("Mr Dunmore", which the published words give as "~dunmore": a family name alone
    # is a word that many records share, only rare ones count as identifying)
    # Made from two-word names in both orders (a tax roll keeps "DUNMORE, PERCIVAL"),
    # family names with a hyphen or an apostrophe too ("C. Bergeron-Leblanc", "S.
    # O'Neil"); not of a family name that is a place's or a direction's word
    not_place_like = f"{word(2)} NOT IN ({', '.join(repr(w) for w in PLACE_LIKE_NAMES)})"
    two_word_names = (
        "SELECT value, records FROM named WHERE spaces = 1 UNION ALL "
        f"SELECT {word(2)} || ' ' || {word(1)}, records FROM named WHERE spaces = 1"
    )
    hyphenated_given = "[a-z]+(-[a-z]+)+ [a-z][a-z''-]*[a-z]"
    given_initials = f"regexp_replace({word(1)}, '([a-z])[a-z]*-?', '\\1', 'g')"
    initialled = (  # (a hyphenated given name too: "J. Tremblay" for Jean-Philippe)
        f"SELECT left(value, 1) || ' ' || {word(2)}, records FROM ({two_word_names}) WHERE "
        f"regexp_full_match(value, '[{INITIALS}][a-z-]+ [a-z][a-z''-]*[a-z]') AND {not_place_like} "
        # ... the initial after the family name ("Kettleworth, T.", as lists write it)
        f"UNION ALL SELECT {word(2)} || ' ' || left(value, 1), records FROM ({two_word_names}) "
        f"WHERE regexp_full_match(value, '[{INITIALS}][a-z-]+ [a-z][a-z''-]*[a-z]') AND "
        f"{not_place_like} "
        f"UNION ALL SELECT '{TITLED}' || {word(2)}, records FROM ({two_word_names}) WHERE "
        # (a hyphenated given name too: "Mr Lavoie" for Jean-Pierre Lavoie)
        f"regexp_full_match(value, '[a-z][a-z]+(-[a-z]+)* [a-z][a-z''-]*[a-z]') AND "
        f"{not_place_like} "
        # ... a hyphenated given name's initials, in both orders ("JP Tremblay", "J.-P.
        # Tremblay", "Tremblay, J.P." for Jean-Pierre Tremblay)
        # (from the names as the systems hold them, given name first: "anne bergeron-
        # leblanc" reversed would give "bl anne")
        f"UNION ALL SELECT {given_initials} || ' ' || {word(2)}, records FROM named "
        f"WHERE spaces = 1 AND regexp_full_match(value, '{hyphenated_given}') AND "
        f"{not_place_like} "
        f"UNION ALL SELECT {word(2)} || ' ' || {given_initials}, records FROM named "
        f"WHERE spaces = 1 AND regexp_full_match(value, '{hyphenated_given}') AND "
        f"{not_place_like} "
        # ... and the username ("mtremblay": ``USERNAME``) of a plain family name
        f"UNION ALL SELECT '{USERNAME}' || left(value, 1) || {word(2)}, records FROM "
        f"({two_word_names}) WHERE regexp_full_match(value, "
        f"'[a-z][a-z]+ [a-z]{{{USERNAME_FAMILY_MIN_LENGTH},}}') AND {not_place_like}"
    )
    # A name's hyphens and apostrophes as spaces too: "Jean-Pierre Lavoie" is published
    # as "Jean Pierre Lavoie" (an address rebuilt from its words), "O'Brien" as "O’Brien"
    # (a typographic apostrophe, which normalises to a space)
    # ... and its apostrophes dropped: "Siobhan O'Neil" is published "Siobhan ONeil"
    spaced_names = (  # (cheap tests first: a regex on each of millions of values cost 1 s)
        "SELECT unnest(list_distinct([trim(regexp_replace(value, '[''-]+', ' ', 'g')), "
        "trim(regexp_replace(replace(value, '''', ''), '-+', ' ', 'g'))])) AS value, records "
        "FROM v WHERE (contains(value, '-') OR contains(value, '''')) "
        "AND NOT contains(value, '@') AND regexp_matches(value, '[a-z][''-][a-z]') "
        "AND NOT regexp_matches(value, '[0-9]')"
    )
    # An e-mail address's name ("siobhan.oneil@example.com": "reply sent to
    # siobhan.oneil"), when it is a first and a last name joined by "." (an "_" is a
    # space once normalised: "siobhan_oneil" is read as the name "siobhan oneil")
    local_parts = (
        "SELECT split_part(value, '@', 1), records FROM v WHERE contains(value, '@') "
        "AND regexp_full_match(split_part(value, '@', 1), '[a-z]{2,}[.][a-z]{2,}')"
    )
    # A plate or code of letters and digits with a space where they meet: "KXPR552" is
    # published as "KXPR 552" (two words, no longer one), "552KXPR" as "552 KXPR"
    split_codes = (
        "SELECT regexp_replace(value, '([a-z])([0-9])', '\\1 \\2'), records FROM v "
        f"WHERE NOT contains(value, ' ') AND length(value) >= {SINGLE_WORD_MIN_LENGTH} "
        "AND regexp_matches(value, '^[a-z0-9]+$') AND regexp_matches(value, '[a-z][0-9]') "
        "UNION ALL SELECT regexp_replace(value, '([0-9])([a-z])', '\\1 \\2'), records FROM v "
        f"WHERE NOT contains(value, ' ') AND length(value) >= {SINGLE_WORD_MIN_LENGTH} "
        "AND regexp_matches(value, '^[a-z0-9]+$') AND regexp_matches(value, '[0-9][a-z]') "
        # ... and the other way: "BXKR 123" is published "PLATE BXKR123 BLOCKING"
        "UNION ALL SELECT replace(value, ' ', ''), records FROM v WHERE length(value) "
        "BETWEEN 6 AND 10 AND regexp_full_match(value, "
        "'[a-z]{2,4} [0-9]{2,4}|[0-9]{2,4} [a-z]{2,4}')"
    )
    # Each value once with its rows first (4.3M rows are 1.4M values in the scale-20
    # city), and the other forms made from those: 1.5 s to 1.15 s, the same counts (a
    # form's rows are the rows of the values it comes from).
    counted = (
        f"WITH v AS MATERIALIZED (SELECT value, sum(n)::BIGINT AS records FROM ({values}) "
        f"GROUP BY value), spaced AS MATERIALIZED ({spaced_names}), "
        "plain AS MATERIALIZED (SELECT * FROM (SELECT value, records, length(value) - "
        "length(replace(value, ' ', '')) AS spaces FROM (SELECT value, records FROM v "
        "WHERE contains(value, ' ') UNION ALL SELECT value, records FROM spaced)) "
        "WHERE spaces <= 3 AND NOT regexp_matches(value, '[0-9@]')), "
        f"untitled AS MATERIALIZED ({untitled}), "
        "titled AS (SELECT * FROM plain UNION ALL SELECT * FROM untitled), "
        f"unmiddled AS MATERIALIZED ({unmiddled}), "
        "named AS (SELECT * FROM titled UNION ALL SELECT * FROM unmiddled) "
        "SELECT value, sum(records)::BIGINT AS records, "
        f"{int(generation)} AS generation FROM (SELECT value, records FROM v UNION ALL "
        "SELECT value, records FROM spaced UNION ALL SELECT value, records FROM untitled "
        "UNION ALL SELECT value, records FROM unmiddled UNION ALL "
        f"{reversed_names} UNION ALL {rotated_names} UNION ALL {particle_first} UNION ALL "
        f"{initialled} UNION ALL {split_codes} UNION ALL {local_parts}) "
        f"WHERE length(value) >= {MIN_PERSONAL_VALUE_LENGTH} "
        "GROUP BY value"
    )
    if added is None:
        for kind in ("VIEW", "TABLE"):  # an older warehouse kept the values as a table
            try:
                conn.execute(f"DROP {kind} IF EXISTS {PERSONAL_VALUES}")
            except duckdb.CatalogException:
                continue
        conn.execute(f"CREATE OR REPLACE TABLE {PERSONAL_VALUE_COUNTS} AS {counted}")
        return
    conn.execute(f"CREATE OR REPLACE TEMP TABLE _added_counts AS {counted}")
    conn.execute(
        f"UPDATE {PERSONAL_VALUE_COUNTS} AS c SET records = c.records + a.records "
        "FROM _added_counts AS a WHERE c.value = a.value"
    )
    conn.execute(
        f"INSERT INTO {PERSONAL_VALUE_COUNTS} SELECT a.value, a.records, a.generation "
        f"FROM _added_counts AS a ANTI JOIN {PERSONAL_VALUE_COUNTS} AS c ON c.value = a.value"
    )
    conn.execute("DROP TABLE _added_counts")


# Columns whose values are people's names, by the words of their names: only those are
# split into the several names a value may hold (a second read of the column)
NAME_COLUMN_WORDS = ("name", "owner", "manager", "contact", "applicant", "holder")
# Several people in one value: "HALVORSEN, BJORN & INGRID", "KOWALCZYK PIOTR; KOWALCZYK
# ANNA", "John & Mary Smith" (a tax roll's owners, a household)
SEVERAL = "\\s*[&;]\\s*"


def _each_of_several(column: str, table: str, where: str) -> str:
    """SQL of the names in a value that holds several, each as a value of its own: a
    given name alone takes the family name of the others ("Bjorn Halvorsen", "Ingrid
    Halvorsen"; "John Smith", "Mary Smith"). Only values holding "&" or ";" are split."""
    text = f"CAST({column} AS VARCHAR)"
    family = (
        "CASE WHEN contains(names[1], ',') THEN split_part(names[1], ',', 1) "
        "ELSE regexp_extract(trim(names[-1]), '([^ ]+)$', 1) END"
    )
    each = (
        "list_transform(names, n -> CASE WHEN contains(trim(n), ' ') OR contains(n, ',') "
        f"THEN n ELSE trim(n) || ' ' || {family} END)"
    )
    several = f"(contains({text}, '&') OR contains({text}, ';'))"
    return (
        f"SELECT {_normalised('name')} AS value, 1 AS n FROM (SELECT unnest({each}) AS name FROM "
        f"(SELECT string_split_regex({text}, '{SEVERAL}') AS names FROM {table}"
        f"{where}{' AND' if where else ' WHERE'} {several}))"
    )


def _stored_state(conn) -> _State | None:
    """None when never counted (or counted by a version without generations: then all
    is counted again, once)."""
    try:
        row = conn.execute(
            f"SELECT definition, files, epoch, digests FROM {PERSONAL_VALUES_STATE}"
        ).fetchone()
    except duckdb.Error:  # no table, or one without epoch and digests
        return None
    return _State(row[0], sorted(row[1]), row[2], list(row[3])) if row else None


def _normalised(sql: str) -> str:
    """Lower case, punctuation around words as spaces: "(Jean Dupuis)" -> "jean dupuis".

    Most values are already in that form ("613-555-0142", "jean dupuis", an e-mail: 3.2M
    of the 4.3M personal values of the scale-20 city): a full match of that form leaves
    them as they are, and only the others go through the replace, which cost 5 times as
    much per value (1.1 s of the 2 s the scale-20 full run spent counting them). Both
    give the same text: a value of that form holds no character the replace changes
    (single spaces become single spaces) and none that trim removes.

    Letters mangled by a wrong encoding are read as they were (``_unmangled``), on both
    sides: a name stored mangled or published mangled is the same name."""
    text = f"CAST({sql} AS VARCHAR)"
    lowered = f"lower({text})"
    slowly = _NORMALISE_SLOWLY.format(lowered=_unstyled(_unmangled(text, lowered)))
    return (
        f"CASE WHEN regexp_full_match({lowered}, {literal(ALREADY_NORMAL)}) THEN {lowered} "
        f"WHEN regexp_full_match({lowered}, '[\\x00-\\x7f]*') THEN "
        f"{_tidy_words(_NORMALISE_ASCII.format(lowered=lowered))} "
        f"ELSE {_tidy_words(slowly)} END"
    )


def _mangled_forms() -> dict[str, str]:
    """Text encoded as UTF-8 and read as Windows-1252 (or Latin-1), as a system that
    got the encoding wrong stored it, -> the text it was: "RenÃ©e" is "Renée", "Oâ€™Brien"
    "O’Brien". The accented letters of Latin-1 (two bytes, the first 0xC3) and the
    typographic quotes and dashes (three bytes from 0xE2 0x80)."""
    forms = {}
    for text in [chr(c) for c in range(0xC0, 0x100)] + list("‘’“”–—"):
        encoded = text.encode("utf-8")
        for codec in ("cp1252", "latin-1"):
            wrong = encoded.decode(codec, errors="ignore")
            if len(wrong) == len(encoded):  # (cp1252 has no character for a few bytes)
                forms[wrong] = text
    # ... and lowered after it was mangled ("renã©e"), where that says one letter only
    lowered: dict[str, set[str]] = {}
    for wrong, right in forms.items():
        lowered.setdefault(wrong.lower(), set()).add(right.lower())
    forms.update({w: r.pop() for w, r in lowered.items() if len(r) == 1 and w not in forms})
    return forms


_MANGLED = _mangled_forms()


def _unmangled(text: str, lowered: str) -> str:
    """SQL of ``text`` in lower case (``lowered``) with its mangled accented letters and
    quotes read as they were (``_mangled_forms``): a name stored mangled in a published
    text ("RenÃ©e Tremblay") is the personal value "renee tremblay". Only a text
    holding "Ã" or "â€" takes the replaces."""
    replaced = _replaced_by_pairs(text, _MANGLED_PAIRS)
    return (
        f"CASE WHEN contains({lowered}, 'ã') OR contains({lowered}, 'â€') THEN lower({replaced}) "
        f"ELSE {lowered} END"
    )


def _replaced_by_pairs(text: str, pairs: str) -> str:
    """SQL of ``text`` with each "wrong<tab>right" of the list ``pairs`` replaced, folded
    over the text in one expression (a chain of a hundred replace() calls, written out in
    each query that normalises, took the count 1.7 s more to plan)."""
    return (
        f"list_reduce(list_prepend({text}, {pairs}), (t, pair) -> "
        "replace(t, split_part(pair, chr(9), 1), split_part(pair, chr(9), 2)))"
    )


_MANGLED_PAIRS = "[" + ", ".join(literal(f"{w}\t{r}") for w, r in _MANGLED.items()) + "]"


# Characters that show nothing (a zero-width space, a soft hyphen) out, accents off
# ("Agnès" and "Agnes" are one name; [:alnum:] was ASCII only, and "agnès"
# was "agn s"), then anything but a letter or digit of any script, @ . + ' - as a
# space. ASCII text (most values) takes the same replace with an ASCII class: RE2's
# Unicode classes cost many times as much.
# Letters of other scripts that look like Latin ones (a Cyrillic "а" typed into
# "Tremblаy" hid the name) and full-width letters and digits ("Ｊｅａｎ") are read as the
# Latin ones, on both sides of the match: the personal values are normalised alike.
# After the accents are off ("ѐ" is a Cyrillic "е" with one). Mathematical and other
# styled letters and digits ("𝐌𝐚𝐝𝐢𝐬𝐨𝐧", "𝑮𝒂𝒖𝒕𝒉𝒊𝒆𝒓", "ℎ", "Ⓜ", "𝟔𝟏𝟑"): below.
_LOOK_ALIKES = {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
    "ј": "j", "ѕ": "s", "ԁ": "d", "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w", "ё": "e",
    "ї": "i", "α": "a", "ο": "o", "ν": "v", "ι": "i", "κ": "k", "ρ": "p", "υ": "u",
    "χ": "x", "ϲ": "c", "ε": "e", "τ": "t", "ѵ": "v",
    # capitals that look Latin, lower-cased first ("ТHADDEUS": Т, Н, К, М, В), a dotless ı
    "т": "t", "н": "h", "к": "k", "м": "m", "в": "b", "η": "h", "β": "b", "ζ": "z",
    "μ": "m", "ı": "i",
    # typographic apostrophes as the typewriter's, inside a word: "D’Amours" is
    # "d'amours" as "D'Amours" is (it was "d amours": "Mme D’Amours" held no family name)
    "’": "'", "‘": "'", "ʼ": "'",
    **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)},
    **{chr(0xFF10 + i): chr(0x30 + i) for i in range(10)},
}  # fmt: skip
# the recognizers' invisible characters, as RE2 writes them (\x{200b})
_INVISIBLE_RE2 = re.sub(r"[^-]", lambda c: f"\\x{{{{{ord(c.group()):x}}}}}", INVISIBLE_CHARACTERS)
_LOOK_ALIKES_FROM = "".join(_LOOK_ALIKES)
_LOOK_ALIKES_TO = "".join(_LOOK_ALIKES.values())


_STYLED_CLASS = "".join(f"\\x{{{first:x}}}-\\x{{{last:x}}}" for first, last in STYLED_RANGES)


def _unstyled(lowered: str) -> str:
    """The text with its styled letters and digits plain (recognizers.STYLED: what the
    recognizers read them as). Only a value that holds one takes the translate: with
    ~1,000 characters to look up it costs 15 times the look-alikes' on every value."""
    return (
        f"CASE WHEN regexp_matches({lowered}, '[{_STYLED_CLASS}]') THEN translate({lowered}, "
        f"'{''.join(STYLED)}', '{''.join(STYLED.values())}') ELSE {lowered} END"
    )


_NORMALISE_SLOWLY = (
    "regexp_replace(translate(strip_accents(regexp_replace({lowered}, "
    f"'[{_INVISIBLE_RE2}]', '', 'g')), "
    f"{literal(_LOOK_ALIKES_FROM)}, {literal(_LOOK_ALIKES_TO)}), "
    "'[^\\pL\\pN@.+''-]+', ' ', 'g')"
)
_NORMALISE_ASCII = "regexp_replace({lowered}, '[^a-z0-9@.+''-]+', ' ', 'g')"


def _tidy_words(spaced: str) -> str:
    """Each word without the punctuation that ends or begins it, and without a
    possessive "'s": "Foxcroft." and "Applewhite's dog" hold the names "foxcroft" and
    "applewhite" (a word kept its "." or "'s", and no longer equalled the name), and
    " - " between words is no word. Single spaces, nothing at either end."""
    no_possessive = f"regexp_replace({spaced}, '''s[.''+-]*( |$)', ' ', 'g')"
    ends = f"regexp_replace({no_possessive}, '[.''+-]+( |$)', ' ', 'g')"
    starts = f"regexp_replace({ends}, '(^| )[.''+-]+', ' ', 'g')"
    return f"trim(regexp_replace({starts}, '  +', ' ', 'g'))"


# Words of [a-z0-9@.+-] that begin and end with a letter, a digit or @, one space apart
# (a value with an apostrophe takes the replace: "applewhite's")
_WORD = "[a-z0-9@](?:[a-z0-9@.+-]*[a-z0-9@])?"
ALREADY_NORMAL = f"{_WORD}(?: {_WORD})*"


COLUMN_VALUES = "_privacy_column_values"

# Column types that hold text: text itself, and a JSON, list, struct, map, union or enum
# column with text in it, read as the published CSV writes it ('{"caller": "Jean
# Dupuis"}', ['Jean Dupuis']): only VARCHAR was read, and names inside a JSON column
# reached the portal. (A list of numbers holds none: ten-digit ids would be phones.)
_TEXT_TYPES = re.compile(r"VARCHAR|JSON|ENUM\(")


def holds_text(data_type: str) -> bool:
    """Whether a column of this DuckDB type can hold words (``_TEXT_TYPES``)."""
    return bool(_TEXT_TYPES.search(data_type))


def _collect_values(conn, table: str, column: str, identifier: str | None) -> None:
    """A text column's distinct values and how many rows hold each, in ``COLUMN_VALUES``
    (``_collect_all_values``, then ``_column_values``, for one column)."""
    _collect_all_values(conn, table, [column])
    _column_values(conn, column, identifier)


ALL_COLUMN_VALUES = "_privacy_all_column_values"


def _collect_all_values(conn, table: str, columns: list[str]) -> None:
    """The one scan of each text column of ``table``: its distinct values and how many
    rows hold each (a category column of a million rows has a few dozen values), all
    columns in ``ALL_COLUMN_VALUES`` (``col``, ``value``, ``rows``; a JSON or list column
    as its text). The value check reads them all in one query (``_value_findings``);
    the other checks take one column's from there (``_column_values``)."""
    parts = [
        f"SELECT {literal(column)} AS col, CAST({quote(column)} AS VARCHAR) AS value, "
        f"count(*) AS rows FROM {table} WHERE CAST({quote(column)} AS VARCHAR) IS NOT NULL "
        "GROUP BY ALL"
        for column in columns
    ] or ["SELECT NULL::VARCHAR AS col, NULL::VARCHAR AS value, 0::BIGINT AS rows LIMIT 0"]
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {ALL_COLUMN_VALUES} AS {' UNION ALL '.join(parts)}")


def _column_values(conn, column: str, identifier: str | None) -> None:
    """One column's values of ``ALL_COLUMN_VALUES`` in ``COLUMN_VALUES``, which the shape
    and name checks read. ``own_identifier``: the value is in the column's declared
    identifier format (its ``pattern``), which the shape check skips: "BP-2024-123456"
    has a phone number's digits but is the city's own permit number."""
    own = f"regexp_full_match(value, {literal(identifier)})" if identifier else "false"
    conn.execute(
        f"CREATE OR REPLACE TEMP TABLE {COLUMN_VALUES} AS SELECT value, rows, {own} AS "
        f"own_identifier FROM {ALL_COLUMN_VALUES} WHERE col = ?",
        [column],
    )


def _word_runs(words: str) -> str:
    """SQL of the runs of 2 to 4 consecutive words of a list of words. The list is made
    once (a lambda's argument), not once per run: an expression of the text (its
    initials joined, its street types abbreviated) written in each run's place was made
    again for each word, and a 10,000-character text took 4 s."""
    return (
        f"list_transform([{words}], ws -> flatten(list_transform([2, 3, 4], n -> "
        "list_transform(range(1, len(ws) - n + 2), i -> array_to_string(ws[i:i + n - 1], "
        "' ')))))[1]"
    )


def _as_username(word: str) -> str:
    """SQL of a word written as a username, as the personal values mark it."""
    return f"'{USERNAME}' || regexp_replace({word}, '[.0-9]', '', 'g')"


def _published_forms() -> str:
    """SQL of the list of forms a published text's words (``words``, of ``normal``) are
    looked up in: besides the whole text (the caller's), each a personal value's form."""
    # Every run of 2-4 words: a name inside a longer text
    runs = _word_runs("words")
    # A word of a letter and a digit alone: a plate inside a sentence; an e-mail
    # address's name alone, "siobhan.oneil" (the personal values hold the names of
    # e-mail addresses that join a first and a last name)
    words_with_digits = (
        f"list_filter(words, w -> length(w) >= {SINGLE_WORD_MIN_LENGTH} "
        "AND ((regexp_matches(w, '[0-9]') AND regexp_matches(w, '[a-z]')) OR "
        "(contains(w, '.') AND regexp_full_match(w, '[a-z]{2,}[.][a-z]{2,}'))))"
    )
    # A title and the word after it: "Mr Dunmore called again" holds "~dunmore" (a
    # family name after a title; the personal values hold it for each two-word name)
    after_title = (  # (the words zipped with the next: a lambda over positions split
        # the text again for each one, 45% more time on long texts)
        f"list_transform(list_filter(list_zip(words, words[2:]), p -> "
        f"list_contains({list(TITLES_IN_ANY_CASE)}, p[1]) AND length(p[2]) > 1), "
        f"p -> '{TITLED}' || p[2])"
    )
    # Two words with an initial or a short nickname between them: "Percival J. Dunmore",
    # 'Rosamund "Ros" Pettigrew' hold "percival dunmore" and "rosamund pettigrew"
    around_short = (
        f"list_filter(list_transform(range(1, len(words) - 1), i -> CASE WHEN "
        f"length(words[i + 1]) <= {SHORT_MIDDLE_WORD} THEN words[i] || ' ' || "
        f"words[i + 2] END), g -> g IS NOT NULL)"
    )
    # The words of a name written with a hyphen, an apostrophe or a dot between its
    # parts, as words of their own: "Percival-Dunmore" and "Mary-Anne Smithers" hold
    # "percival dunmore" and "mary anne smithers", "O'Neil" is "oneil" (a system that
    # dropped the apostrophe), "thaddeus.kettleworth" "thaddeus kettleworth". Not a
    # hyphenated place's ("boul. René-Lévesque", "1200 block of Jean-Talon", "Jean-Talon
    # Market": a street named after someone is written so, and its people live there),
    # nor a placeholder's ("walk-in").
    place_near = "list_contains({}, {}) OR regexp_matches({}, '^[0-9]')".format
    before, after = "coalesce(words[i - 1], '')", "coalesce(words[i + 1], '')"
    split_here = (
        "regexp_full_match(words[i], '[a-z]+(-[a-z]+)+') AND NOT ("
        f"{place_near(HYPHEN_PLACE_BEFORE, before, before)}) AND NOT list_contains("
        f"{sorted(PLACE_WORDS)}, {after}) AND NOT list_has_any(string_split(words[i], '-'), "
        f"{sorted(PLACEHOLDER_WORDS | {'in', 'up', 'off'})})"
    )
    plain_words = (
        "flatten(list_transform(range(1, len(words) + 1), i -> CASE "
        f"WHEN {split_here} THEN string_split(words[i], '-') "
        "WHEN regexp_full_match(words[i], '[a-z]{2,}[.][a-z]{2,}') THEN "
        "string_split(words[i], '.') ELSE [replace(words[i], chr(39), '')] END))"
    )
    parted = (
        "CASE WHEN regexp_matches(normal, '[a-z][-.''][a-z]') THEN "
        f"list_filter({_word_runs(plain_words)}, g -> NOT list_contains(words, g)) "
        # (a word alone only as it was with its apostrophe: "O'Neil" is "oneil"; a
        # hyphenated place's part alone, "Saint-Lambert"'s "lambert", is no name)
        "|| list_transform(list_filter(words, w -> contains(w, chr(39))), "
        "w -> replace(w, chr(39), '')) ELSE [] END"
    )
    # A word written as a username: a given name's initial and a family name joined
    # ("m.tremblay", "mtremblay2", "user mtremblay"), which the personal values hold
    # marked (``USERNAME``: a word alone is not matched with the names, "wilhelmina").
    # (The length first: a cheap test that most words fail.)
    usernames = (
        f"list_transform(list_filter(words, w -> length(w) > {USERNAME_FAMILY_MIN_LENGTH} "
        f"AND regexp_full_match(w, {literal(USERNAME_MARKED)})), w -> {_as_username('w')}) "
        f"|| list_transform(list_filter(list_zip(words, words[2:]), p -> "
        f"list_contains({list(USERNAME_BEFORE)}, p[1]) AND "
        f"regexp_full_match(p[2], {literal(USERNAME_SHAPE)})), p -> {_as_username('p[2]')})"
    )
    # An address with its street type written out or shortened otherwise than the
    # system keeps it ("45 Birch Crescent" for "45 Birch Cres"): the whole text and its
    # runs once more with the street types as the personal values hold them (Canada
    # Post's abbreviations)
    abbreviated = _street_words("words")
    streets = (
        f"CASE WHEN regexp_matches(normal, '[0-9]') AND regexp_matches(normal, "
        f"{literal(_STREET_TYPES_TO_ABBREVIATE)}) THEN [array_to_string({abbreviated}, ' ')] "
        f"|| {_word_runs(abbreviated)} ELSE [] END"
    )
    # A family name's "Mc" or "Mac" written apart ("Angus Mc Donald" for McDonald): the
    # text once more with it joined to the word after it
    mc_joined = "regexp_replace(normal, '(^| )(ma?c) ([a-z])', '\\1\\2\\3', 'g')"
    mc = (
        f"CASE WHEN regexp_matches(normal, '(^| )ma?c [a-z]') THEN [{mc_joined}] || "
        f"{_word_runs(f'string_split({mc_joined}, chr(32))')} ELSE [] END"
    )
    # Initials written with dots or hyphens, or spaced ("J.P. Tremblay", "J-P Tremblay",
    # "J. P. Tremblay", "Tremblay, J.-P."): the initials as one word ("jp tremblay"),
    # as the personal values hold a hyphenated given name's
    initials_joined = (
        "regexp_replace(regexp_replace(normal, '(^| )([a-z])[.-]+([a-z])[.-]*( |$)', "
        "'\\1\\2\\3\\4', 'g'), '(^| )([a-z]) ([a-z])( |$)', '\\1\\2\\3\\4', 'g')"
    )
    initials = (
        "CASE WHEN regexp_matches(normal, '(^| )[a-z]([.-]+| )[a-z]([.-]| |$)') THEN "
        f"{_word_runs(f'string_split({initials_joined}, chr(32))')} ELSE [] END"
    )
    return (
        f"{runs} || {words_with_digits} || {around_short} || {after_title} || "
        f"{parted} || {usernames} || {streets} || {mc} || {initials}"
    )


def _personal_value_rows(conn, since: int | None = None) -> list[tuple[str, int, str]]:
    """Per column of ``ALL_COLUMN_VALUES`` (those that have any): rows whose value, or one
    of its forms (``_published_forms``: a run of 2-4 of its words...), is a personal
    value (``since``: one of the values added after that generation), and one of them.

    All columns in one query: the look-up reads the 1.4M personal values of the scale-20
    city once however many columns a table has (60 ms a column, once each, before).

    One hash join of every value's forms with the personal values: linear in the data
    (a per-value list lookup would compare each with every personal value). The whole
    value is one form; only a value that can hold others is split into its words, once
    (``splittable``: several words, a hyphen, a dot or an apostrophe inside a word; most
    values of an id or code column are one word: no lists are built for them)."""
    splittable = (
        "contains(normal, ' ') OR regexp_matches(normal, '[a-z][-.''][a-z]') OR "
        f"(length(normal) > {USERNAME_FAMILY_MIN_LENGTH} AND "
        f"regexp_full_match(normal, {literal(USERNAME_MARKED)}))"
    )
    # Words run together in CamelCase ("ThaddeusKettleworth", "MaryKate Olsen"): the
    # text once more with them apart (and "McDonald" as "Mc Donald", which a system
    # may keep so)
    # (only a word of two capitalised parts: an id's mixed case is no name, and split
    # into words it made 5 forms a value)
    # (RE2's \\b knows ASCII letters only: "ÉmilieTremblay" has none before its É, so the
    # word's edges are said as Latin letters or not: classes of any script's letters made
    # the look-up a fifth slower; applied twice, as two words in a row share the
    # character between them)
    camel = "'(^|[^A-Za-zÀ-ÿ])([A-ZÀ-Þ][a-zà-ÿ]+)([A-ZÀ-Þ][a-zà-ÿ]+)([^A-Za-zÀ-ÿ]|$)'"
    apart = "'\\1\\2 \\3\\4', 'g'"
    camel_apart = f"regexp_replace(regexp_replace(text, {camel}, {apart}), {camel}, {apart})"
    # ... and a file's name without its extension ("renee.tremblay.pdf", "see
    # renee-tremblay.pdf": the name's words are read as they would be without it)
    extension = "'[.](pdf|docx?|xlsx?|csv|txt|jpe?g|png|gif|html?|zip|msg|eml)\\b'"
    return conn.execute(
        f"WITH {_readable_values(ALL_COLUMN_VALUES, carried='col, ')}, cased AS (SELECT "
        f"col, value, text FROM readable UNION ALL SELECT col, value, {camel_apart} "
        f"FROM readable WHERE regexp_matches(text, {camel}) "
        f"UNION ALL SELECT col, value, regexp_replace(text, {extension}, ' ', 'gi') FROM "
        f"readable WHERE regexp_matches(text, {extension}, 'i')), "
        "normalised AS "
        f"(SELECT col, value, text, {_normalised(_titles_marked('text'))} AS normal FROM "
        "cased), "
        "split AS MATERIALIZED (SELECT col, value, text, normal, string_split(normal, ' ') "
        f"AS words FROM normalised WHERE {splittable}), "
        "grams AS (SELECT col, value AS original, normal AS gram FROM normalised UNION ALL "
        f"SELECT col, value, unnest({_published_forms()}) FROM split UNION ALL "
        # (the text as written read only where a title's word is followed by a
        # particle's in the normalised text: most values fail that one test)
        f"SELECT col, value, unnest({_titled_particle_names('text')}) FROM split WHERE "
        f"regexp_matches(normal, {literal(_TITLE_THEN_PARTICLE)})), "
        "hits AS (SELECT DISTINCT "
        f"col, original FROM grams JOIN {PERSONAL_VALUES} p ON gram = p.value"
        f"{'' if since is None else f' AND p.generation > {int(since)}'}) "
        f"SELECT a.col, sum(a.rows), any_value(a.value) FROM {ALL_COLUMN_VALUES} a "
        "SEMI JOIN hits h ON a.col = h.col AND a.value = h.original GROUP BY a.col"
    ).fetchall()


# Street types as Canada Post abbreviates them: a home address is counted with them
# ("45 Birch Crescent" is "45 birch cres"), and a published address is read with them too
STREET_ABBREVIATIONS = {
    "avenue": "ave", "av": "ave", "street": "st", "road": "rd", "drive": "dr",
    "crescent": "cres", "boulevard": "blvd", "boul": "blvd", "court": "crt", "ct": "crt",
    "place": "pl", "terrace": "terr", "ter": "terr", "circle": "cir", "circ": "cir",
    "parkway": "pky", "pkwy": "pky", "highway": "hwy", "square": "sq", "gardens": "gdns",
    "heights": "hts", "ln": "lane", "trl": "trail", "close": "cl", "point": "pt",
    "chemin": "ch", "route": "rte",  # (Canada Post's French ones: "1234 ch. du Lac-Vert")
    # and the directions after the street ("77 Main Street West" is "77 main st w")
    "west": "w", "east": "e", "north": "n", "south": "s", "ouest": "o", "est": "e",
}  # fmt: skip
_STREET_TYPES_TO_ABBREVIATE = f"(^| )({'|'.join(STREET_ABBREVIATIONS)})( |$)"
_STREET_MAP = (
    "MAP {"
    + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in STREET_ABBREVIATIONS.items())
    + "}"
)
# Words before a hyphenated name that make it a place's: a street's, a block's
HYPHEN_PLACE_BEFORE = sorted(
    set(STREET_TYPES)
    | PLACE_BEFORE_WORDS
    | {"of", "at", "on", "near", "block", "corner"}
    # French places named after someone ("Aéroport Jean-Lesage", "Marché Jean-Talon"),
    # as the normalised words write them
    | set(
        "aeroport autoroute hopital marche universite cegep clsc chsld lycee stade quartier "
        "secteur arrondissement district ville eglise paroisse complexe residence manoir "
        "foyer polyvalente academie institut clinique bibliotheque piscine arena gare "
        "terminus pont tunnel rang route montee cote promenade".split()
    )
)


# A unit in a home address ("12 Oak St Apt 4", "Unit 5, 200 King St", "3-45 Birch Cres",
# "45, rue Principale, app. 3"): the address is counted without it too, as it is
# published where the unit is left out
_UNITS = "apt|apartment|unit|suite|app|appt|bureau|logement"  # (not "ste": Sainte)
_HAS_UNIT = f"(?i)\\b({_UNITS})\\b|^\\s*[0-9a-z]+\\s*-\\s*[0-9]"


def _without_unit(normal: str) -> str:
    """SQL of a normalised address without its unit, before or after the street."""
    # the unit's number holds a digit or is one letter ("Unit 5", "Apt B": not "Suite Rd")
    unit = "(?:[a-z0-9-]*[0-9][a-z0-9-]*|[a-z])"
    leading = f"regexp_replace({normal}, '^({_UNITS}) {unit} ', '')"
    dashed = f"regexp_replace({leading}, '^[0-9a-z]+-([0-9])', '\\1')"
    return f"regexp_replace({dashed}, ' ({_UNITS}) {unit}$', '')"


def _street_words(words: str) -> str:
    """SQL of a list of words with the street types abbreviated."""
    return f"list_transform({words}, w -> coalesce({_STREET_MAP}[w], w))"


def _street_types_abbreviated(normal: str) -> str:
    """SQL of a normalised address with its street types abbreviated (only an address
    that writes one otherwise takes the words' look-up)."""
    return (
        f"CASE WHEN regexp_matches({normal}, {literal(_STREET_TYPES_TO_ABBREVIATE)}) THEN "
        f"array_to_string({_street_words(f'string_split({normal}, chr(32))')}, ' ') "
        f"ELSE {normal} END"
    )


def _titled_particle_names(sql: str) -> str:
    """SQL of the family names with particles after a title in the text ``sql``, as the
    personal values hold them ("Mme de la Fontaine" -> "~de la fontaine"; see
    ``TITLED_PARTICLE_NAMES``), read before the text is normalised (its case is needed).
    (Its caller reads only the texts whose normalised form has a title's word then a
    particle's; a text none of the patterns matches gives an empty list.)"""
    found = " || ".join(
        f"regexp_extract_all({sql}, {literal(pattern)}, 1)" for pattern in TITLED_PARTICLE_NAMES
    )
    return (
        f"list_transform(list_filter(list_transform({found}, x -> {_normalised('x')}), "
        f"f -> NOT list_contains({list(NOT_A_FAMILY_NAME)}, string_split(f, ' ')[-1])), "
        f"f -> '{TITLED}' || f)"
    )


def _titles_marked(sql: str) -> str:
    """The text with each title written as one before a name (``SPOKEN_TITLES``: "Ms
    Dunmore", "MR DUNMORE") as "Mrs", the title the published words are read for: a
    normalised text cannot tell "Miss Grant" from "don't miss Grant deadlines"."""
    titles = "|".join(SPOKEN_TITLES + SPOKEN_TITLES_IN_CAPITALS)
    return (
        f"CASE WHEN contains({sql}, 'M') THEN regexp_replace({sql}, "
        f"'(^|[^A-Za-z])({titles})\\.? +([A-ZÀ-Þ][A-Za-zÀ-ÿ''’])', '\\1Mrs \\3', 'g') "
        f"ELSE {sql} END"
    )


# HTML's names of accented letters, quotes and spaces ("Ren&eacute;e", "O&rsquo;Brien")
_HTML_NAMED = (
    "["
    + ", ".join(
        literal(f"&{name};\t{chr(point)}")
        for name, point in html.entities.name2codepoint.items()
        if 0xC0 <= point <= 0xFF or chr(point) in "‘’“”–—\xa0&'\""
    )
    + "]"
)


def _readable_values(values: str, carried: str = "") -> str:
    """SQL of CTEs that end in ``readable (value, text)``: each value of ``values`` with
    the text of a URL decoded ("/search?q=Renee+Tremblay", "Ren%C3%A9e") and JSON's and
    HTML's escapes read ("Ren\\u00e9e", "Ren&#233;e", "Ren&eacute;e"): a web page's
    address or a JSON value published as it was stored holds the name all the same.
    ``carried``: columns of ``values`` kept beside (``"col, "``)."""
    url = (
        "CASE WHEN contains(value, '%') OR regexp_matches(value, '[A-Za-z0-9][+][A-Za-z]') "
        "THEN replace(coalesce(try(url_decode(value)), value), '+', ' ') ELSE value END"
    )
    # (an escape that names no character, a surrogate half of an emoji among them, stays
    # as it is: a gate that fails on a text blocks its dataset)
    json_escapes = (
        "CASE WHEN contains(u, '\\u') THEN list_reduce(list_prepend(u, regexp_extract_all(u, "
        "'\\\\u[0-9a-fA-F]{4}')), (t, m) -> replace(t, m, coalesce(try(chr(try_cast(('0x' || "
        "substr(m, 3)) AS INTEGER))), m))) ELSE u END"
    )
    html_numbers = (
        "list_reduce(list_prepend(j, regexp_extract_all(j, '&#([0-9]{1,7}|[xX][0-9a-fA-F]{1,6});'"
        ")), (t, m) -> replace(t, m, coalesce(try(chr(CASE WHEN m[3] IN ('x', 'X') THEN "
        "try_cast(('0x' || m[4:-2]) AS INTEGER) ELSE try_cast(m[3:-2] AS INTEGER) END)), m)))"
    )
    html_named = _replaced_by_pairs(html_numbers, _HTML_NAMED)
    html_escapes = f"CASE WHEN contains(j, '&') THEN {html_named} ELSE j END"
    return (
        f"decoded AS (SELECT {carried}value, {url} AS u FROM {values}), "
        f"unescaped AS (SELECT {carried}value, {json_escapes} AS j FROM decoded), "
        f"readable AS (SELECT {carried}value, {html_escapes} AS text FROM unescaped)"
    )


def _shape_findings(conn, column: str, recognizers: Recognizers) -> list[dict]:
    """Run the recognizers on the column's candidate values: all of a rare shape, a sample
    of a frequent one (and, when a sample hits, every row of that shape counts). A value
    is a candidate as the recognizers read it: its styled letters and digits plain
    ("𝐜𝐚𝐥𝐥 𝟓𝟓𝟓-𝟎𝟏𝟒𝟐", "⑥①③-⑤⑤⑤-⓪①④②")."""
    shape = "regexp_replace(regexp_replace(value, '[0-9]', '9', 'g'), '[^0-9 .()-]', 'A', 'g')"
    rows = conn.execute(
        # the values of a shape with the smallest hashes: a stable sample, without sorting
        # all of a frequent shape's values
        f"SELECT shape, min_by(value, hash(value), {FREQUENT_SHAPE + 1}) AS sample, "
        "count(*) AS distinct_values, sum(rows) AS shape_rows FROM (SELECT value, rows, "
        f"{shape} AS shape FROM {COLUMN_VALUES} WHERE regexp_matches({_unstyled('value')}, "
        f"{literal(CANDIDATE)}) AND NOT own_identifier) GROUP BY shape"
    ).fetchall()
    findings: dict[str, dict] = {}
    for _shape, sample, distinct, shape_rows in rows:
        frequent = distinct > FREQUENT_SHAPE
        if frequent and PHONE_SHAPED.search(_shape):
            _phones_among(conn, shape, _shape, column, recognizers, findings)
        for value in sample[:SHAPE_SAMPLE] if frequent else sample:
            for hit in recognizers.find(value):
                count = (
                    shape_rows
                    if frequent
                    else conn.execute(
                        f"SELECT rows FROM {COLUMN_VALUES} WHERE value = ?", [value]
                    ).fetchone()[0]
                )
                finding = findings.setdefault(
                    hit.entity,
                    {
                        "column": column,
                        "rule": f"holds personal data ({hit.entity})",
                        "rows": 0,
                        "example": mask(value),
                    },
                )
                finding["rows"] += count
                break  # one hit is enough for this value
    return list(findings.values())


# A shape with a phone number's 3-3-4 digits, and a value that could be one (a North
# American area code and exchange begin with 2-9; "REF 123-456-7890" ids do not)
PHONE_SHAPED = re.compile(r"9{3}[ .)-]{0,2}9{3}[ .-]?9{4}")
NANP_NUMBER = r"(^|[^0-9])[(]?[2-9][0-9]{2}[)]?[ .-]{0,2}[2-9][0-9]{2}[ .-]?[0-9]{4}([^0-9]|$)"


def _phones_among(conn, shape_sql: str, shape: str, column: str, recognizers, findings) -> None:
    """A frequent shape's values are read by sample: a phone number typed among 2,000
    references of its shape was missed. The values of such a shape that could be a
    phone number are read too (the first ``SHAPE_SAMPLE``), each counting its own rows."""
    candidates = conn.execute(
        f"SELECT value, rows FROM (SELECT value, rows, {shape_sql} AS shape FROM "
        f"{COLUMN_VALUES}) WHERE shape = ? AND regexp_matches(value, {literal(NANP_NUMBER)}) "
        f"ORDER BY hash(value) LIMIT {SHAPE_SAMPLE}",
        [shape],
    ).fetchall()
    for value, rows in candidates:
        if any(hit.entity == "PHONE_NUMBER" for hit in recognizers.find(value)):
            finding = findings.setdefault(
                "PHONE_NUMBER",
                {"column": column, "rule": "holds personal data (PHONE_NUMBER)", "rows": 0,
                 "example": mask(value)},
            )  # fmt: skip
            finding["rows"] += rows


def check_privacy(
    conn: duckdb.DuckDBPyConnection,
    dataset: Dataset,
    dictionary: Dictionary,
    recognizers: Recognizers | None = None,
    extends: str | None = None,
) -> PrivacyResult:
    """All the checks; or, with ``extends`` (the personal-values mark of a pass of these
    very rows and rules), whether the personal values added since that pass are in the
    table, when the values were only added to since (and the small-cell check, which
    is quick and says the warnings again). The other checks read nothing else that
    changes: a new day's file brings new names, and the permits' table it left as it
    was need not be read again in full."""
    has_personal = build_personal_values(conn, dictionary)
    stored = _stored_state(conn) if has_personal else None
    mark = _mark(stored)
    since = _generation_since(extends, stored) if extends and stored else None
    table = f"open_data.{quote(dataset.model)}"
    if since is not None:
        findings, warnings = (
            small_cell_check(conn, table, dataset.small_cells) if dataset.small_cells else ([], [])
        )
        findings += _personal_value_findings(conn, dataset, since)
        return PrivacyResult(
            passed=not findings,
            findings=findings,
            warnings=warnings,
            personal_values=mark,
            extended=True,
        )
    columns = _model_columns(conn, dataset.model)
    findings = _meaning_findings(columns, dataset, dictionary)
    findings += _unclassified_findings(conn, columns, dataset, dictionary)
    warnings = []
    if dataset.small_cells:
        failed, warnings = small_cell_check(conn, table, dataset.small_cells)
        findings += failed
    recognizers = recognizers or Recognizers(dictionary.city.public_contacts)
    public_names = frozenset(  # ("Huizar, Jose" listed: "jose huizar")
        " ".join(reversed(n.lower().split(", ", 1))) for n in dictionary.city.public_contacts.names
    )
    identifiers = {r.column: r.arguments["regex"] for r in dataset.rules if r.kind == "pattern"}
    one_word_columns = []
    text_columns = [name for name, data_type in columns.items() if holds_text(data_type)]
    _collect_all_values(conn, table, text_columns)
    personal = _value_findings(conn) if has_personal else {}
    for name in text_columns:
        _column_values(conn, name, identifiers.get(name))
        if has_personal:
            findings += personal.get(name, [])
            if _holds_one_word_values(conn):
                one_word_columns.append(name)
        findings += _shape_findings(conn, name, recognizers)
        named, labelled = unknown_name_finding(
            conn, name, COLUMN_VALUES, IDENTIFYING_MAX_RECORDS, public_names
        )
        findings += named
        warnings += labelled
    conn.execute(f"DROP TABLE IF EXISTS {COLUMN_VALUES}")
    conn.execute(f"DROP TABLE IF EXISTS {ALL_COLUMN_VALUES}")
    findings += _split_name_findings(conn, table, one_word_columns)
    return PrivacyResult(
        passed=not findings, findings=findings, warnings=warnings, personal_values=mark
    )


def _generation_since(passed_mark: str, stored: _State) -> int | None:
    """The generation a pass checked, if today's values only added to those: the same
    epoch, and that generation's files are the ones the pass saw. None: check all."""
    epoch, generation, digest = (passed_mark.split(":") + ["", "", ""])[:3]
    if epoch != stored.epoch or not generation.isdigit():
        return None
    found = int(generation) < len(stored.digests) and stored.digests[int(generation)] == digest
    return int(generation) if found else None


def _personal_value_findings(conn, dataset: Dataset, since: int) -> list[dict]:
    """The values-only check of each text column, against the values added since."""
    findings, one_word_columns = [], []
    table = f"open_data.{quote(dataset.model)}"
    columns = _model_columns(conn, dataset.model)
    text_columns = [name for name, data_type in columns.items() if holds_text(data_type)]
    _collect_all_values(conn, table, text_columns)
    personal = _value_findings(conn, since)
    for name in text_columns:
        findings += personal.get(name, [])
        _column_values(conn, name, None)
        if _holds_one_word_values(conn):
            one_word_columns.append(name)
    conn.execute(f"DROP TABLE IF EXISTS {COLUMN_VALUES}")
    conn.execute(f"DROP TABLE IF EXISTS {ALL_COLUMN_VALUES}")
    return findings + _split_name_findings(conn, table, one_word_columns, since)


# A column is looked at for half a name when this share of its distinct values or more
# are one word without a digit ("Emma", "Tremblay"); ids and codes hold digits, and
# categories and texts of several words are not halves of a name.
ONE_WORD_SHARE = 0.8
WORD_PAIRS = "_privacy_word_pairs"


def _holds_one_word_values(conn) -> bool:
    """Whether the column whose values ``COLUMN_VALUES`` holds could hold first or
    last names alone: mostly one word each, no digits, not the city's own identifiers."""
    (holds,) = conn.execute(
        "SELECT count(*) > 0 AND count(*) FILTER (WHERE regexp_full_match(trim(value), "
        f"'[^\\s0-9]+')) >= {ONE_WORD_SHARE} * count(*) FROM {COLUMN_VALUES} "
        "WHERE NOT own_identifier"
    ).fetchone()
    return bool(holds)


def _split_name_findings(conn, table: str, columns: list[str], since: int | None = None) -> list:
    """A first and a last name published in two columns of one row ("contact_a" Emma,
    "contact_b" Tremblay): each alone is one word that many records share, together
    they are a personal value (a name, or a source's first and last name joined). Read
    in one scan: the distinct combinations of the one-word columns, then each pair of
    them against the personal values (``since``: the values added after that
    generation only)."""
    if len(columns) < 2:
        return []
    listed = ", ".join(quote(c) for c in columns)
    # each combination's words normalised once (not once per pair: 21 pairs of 7 columns
    # of a million rows normalised the same words 6 times each)
    normalised = ", ".join(f"{_normalised(quote(c))} AS {quote(c)}" for c in columns)
    conn.execute(
        f"CREATE OR REPLACE TEMP TABLE {WORD_PAIRS} AS SELECT {normalised}, rows FROM "
        f"(SELECT {listed}, count(*) AS rows FROM {table} GROUP BY ALL)"
    )
    newer = "" if since is None else f" AND p.generation > {int(since)}"
    # each pair once (a name of two words is a personal value in either order), all
    # pairs in one look-up of the personal values
    pairs = list(itertools.combinations(columns, 2))
    joined = " UNION ALL ".join(
        f"SELECT {index} AS pair, {quote(first)} || ' ' || {quote(last)} AS text, rows FROM "
        f"{WORD_PAIRS} WHERE {quote(first)} IS NOT NULL AND {quote(last)} IS NOT NULL"
        for index, (first, last) in enumerate(pairs)
    )
    found = conn.execute(
        f"SELECT pair, sum(rows), any_value(text) FROM ({joined}) JOIN {PERSONAL_VALUES} p "
        f"ON p.value = text{newer} GROUP BY pair ORDER BY pair"
    ).fetchall()
    conn.execute(f"DROP TABLE IF EXISTS {WORD_PAIRS}")
    return [
        {
            "column": f"{pairs[index][0]} and {pairs[index][1]}",
            "rows": rows,
            "example": mask(str(example)),
            "rule": "holds a personal value in two columns (a first and a last name side by side)",
        }
        for index, rows, example in found
    ]


def _value_findings(conn, since: int | None = None) -> dict[str, list[dict]]:
    """The value check's finding for each column of ``ALL_COLUMN_VALUES`` that has one."""
    return {
        column: [
            {
                "column": column,
                "rows": rows,
                "example": mask(str(example)),
                "rule": "holds a value of a personal source column",
            }
        ]
        for column, rows, example in _personal_value_rows(conn, since)
    }
