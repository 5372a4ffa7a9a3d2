"""People's names that no source system holds, found in published text without a model.

The privacy gate knows the names the city's systems keep (personal values, ``privacy``);
a name typed into a free-text field, or planted in a category, that no personal column
holds ("Neighbour Bob Jones dumping") needs a named-entity model, which cannot be
installed here (no spaCy model on the package index). What stands in for one: a given
name followed by a family name, both in the U.S. Census Bureau's 1990 name lists (public
domain, shipped by the ``names`` package: 5,163 given names, 88,799 family names), each
word written as a name is (capital first: "Bob Jones", "Jones, Bob"), in a value that few
rows of the column hold.

What is not taken for a person's name (measured on the real extracts of
``../shared/realdata``, LA 311 and Calgary permits among them: 1 value in ~300k, a
business named after its owner; none of the scale-20 sample city's 144k published
values):
- a place: the pair followed, within three words, by a street type or a place word
  ("Martin Luther King Jr Blvd", "Nathan Phillips Square", "George Brown College"), or
  after "Mount", "Saint", "of" ("Mount Pleasant") and the other ``PLACE_BEFORE_WORDS``;
- a given name that is an everyday word ("Will", "Mark", "Grant", "Sandy", "Don":
  ``EVERYDAY_WORDS``);
- a value many rows of the column hold (``IDENTIFYING_MAX_RECORDS``): a council member's
  name on every request of a district, a builder's on hundreds of permits;
- a place whose word comes first, as French writes it ("Parc Jean Drapeau", "Aréna
  Maurice Richard", "Rue Jeanne Mance");
- text in capitals ("SHERMAN OAKS", "SHANE HOMES"): legacy systems' codes and place
  names; a person's name in capitals is left to the personal values;
- the names the city lists as public in ``city.yml`` (``public_contacts: names``: an
  elected official, a park named after someone).

A name so found blocks the dataset where it reads as a person: a word about a person
beside it ("Neighbour Bob Jones", "Bob Jones called"), or in a sentence (five words or
more, two of them in small letters: typed text). As a whole value ("Bob Jones") or
inside a label ("Terry Fox Run", "Maple Leaf Catering": a program, a building, a
business named after someone, or words the census lists hold as names) it is a warning
on the gate's report, not a block: such values are many in a city's data (the sample
city's business names hold "Maple Leaf", a given and a family name of the lists), and
the census lists alone cannot tell them from a person.

What it misses (a model's job): names outside the lists, a single name ("Mr Dunmore" is
the personal values'), names in capitals.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources

import duckdb

from ..warehouse import literal
from .recognizers import STREET_TYPES
from .results import mask

# Words of a place's name after a person's ("Nathan Phillips Square", "George Brown
# College", "Sherman Oaks Library"): street types, buildings, parks, institutions
PLACE_WORDS = frozenset(STREET_TYPES) | frozenset(
    """
    avenue park parks centre center arena library school college university institute
    academy hall hospital market bridge station building tower plaza mall church cathedral
    chapel pool rink field fields gardens garden estates heights hill hills valley creek
    river lake bay beach island point village town city township county ward district
    memorial foundation fund award program programme house manor lodge inn hotel theatre
    theater museum gallery stadium airport terminal wharf pier marina dam falls woods ridge
    mount mountain meadow meadows commons green greens cemetery tunnel expressway freeway
    corridor subdivision homes building ranch towne oaks crest jr sr inc ltd co corp llc
    company associates group construction contracting developments secondary elementary
    public catholic complex amphitheatre farm day run parade festival trivia night cup
    trophy classic tournament series lecture award scholarship fund trail forest
    conservation reserve sanctuary wing pavilion auditorium centennial north south east
    west""".split()
)
# Words of a place's name before a person's, as French and English write them
PLACE_BEFORE_WORDS = frozenset(
    """
    mount mt fort port saint st ste lake of parc aréna arena centre center rue avenue
    boulevard boul chemin place pont métro metro école ecole collège college salle
    bibliothèque bibliotheque piscine station square promenade parc-nature maison
    pavillon""".split()
)
# Words about a person beside a name ("Neighbour Bob Jones", "Bob Jones called")
PERSON_BEFORE = frozenset(
    """
    neighbour neighbor caller contact resident owner tenant landlord complainant applicant
    attn c/o per by from with called call spoke mr mrs ms miss mme mlle dear""".split()
)
PERSON_AFTER = frozenset(
    """
    called calls reported complained complains says said phoned requested states
    stated wants asked lives""".split()
)
# A value of this many words or more, two of them in small letters, is typed text (a
# sentence: "Neighbour Bob Jones dumping again"), not a label ("Maple Leaf Catering")
SENTENCE_WORDS = 5

# Given names that are everyday words, not taken for a name before a family name
EVERYDAY_WORDS = frozenset(
    """
    will mark bill rose grant joy hope june may april faith art dawn guy major sterling king
    frank earnest sunny crystal ivy iris lily holly olive pearl ruby amber jade summer autumn
    winter gale storm rain forest glen dale cliff rock lane street park ray don drew gene
    chase chance page pat sue rich carol penny misty sandy rusty brandy candy cherry ginger
    honey angel destiny harmony melody liberty justice noble royal prince duke earl baron
    marshal august christian young else long love see case easter maple willow birch
    aspen hazel laurel heather daisy violet jasmine poppy fern flora meadow river lake sky
    star storm sunshine golden silver""".split()
)
# A word as a name is written: a capital and small letters (an apostrophe or a hyphen
# inside: "O'Neil", "Jean-Pierre"); accented letters too
_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ'’-]*")


@cache
def name_lists() -> tuple[frozenset[str], frozenset[str]]:
    """(given names, family names), lower case, from the Census Bureau's lists."""
    folder = resources.files("names")

    def read(*files: str) -> frozenset[str]:
        return frozenset(
            line.split()[0].lower()
            for file in files
            for line in (folder / file).read_text().splitlines()
            if line.strip()
        )

    return read("dist.male.first", "dist.female.first"), read("dist.all.last")


def _unaccented(word: str) -> str:
    """The word without its accents ("hélène": "helene"), as the census lists write it."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def _as_a_name(word: str) -> bool:
    return word[:1].isupper() and not word.isupper() or len(word) == 1 and word.isupper()


def named_people(text: str, public: frozenset[str] = frozenset()) -> list[tuple[str, bool]]:
    """The given-and-family-name pairs ``text`` holds ("Bob Jones", "Jones, Bob"), each
    with whether it reads as a person (the whole value, a word about a person beside
    it, a sentence) rather than a label's part."""
    given_names, family_names = name_lists()
    words = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]
    found = []
    for i in range(len(words) - 1):
        (first, _, first_end), (second, second_start, _) = words[i], words[i + 1]
        between = text[first_end:second_start]
        if between not in (" ", ", ") or not (_as_a_name(first) and _as_a_name(second)):
            continue
        given, family = (second, first) if between == ", " else (first, second)
        # a hyphenated name by any of its parts ("Marie-Ève", "Bergeron-Leblanc"), a
        # family name without its apostrophe as the lists write it ("O'Neil": ONEIL)
        givens = {g for g in _unaccented(given.lower()).split("-") if g}
        families = {
            f.replace("'", "").replace("’", "") for f in _unaccented(family.lower()).split("-")
        }
        if (
            not givens & given_names
            or given.lower() in EVERYDAY_WORDS
            or not families & family_names
            or family.lower() in PLACE_WORDS
            or len(family) < 3
        ):
            continue
        after = {w.lower().rstrip(".") for w, _, _ in words[i + 2 : i + 5]}
        before = words[i - 1][0].lower() if i else ""
        if after & PLACE_WORDS or before in PLACE_BEFORE_WORDS:
            continue
        name = f"{given} {family}"
        if name.lower() in public or f"{first}{between}{second}".lower() in public:
            continue
        next_word = words[i + 2][0].lower() if i + 2 < len(words) else ""
        in_small_letters = sum(w.islower() for w, _, _ in words)
        person = (
            len(words) >= SENTENCE_WORDS
            and in_small_letters >= 2
            or before in PERSON_BEFORE
            or next_word in PERSON_AFTER
        )
        found.append((name, person))
    return found


# A value worth the word-by-word look: two words written as names, side by side
CANDIDATE = r"[A-ZÀ-Þ][A-Za-zÀ-ÿ'’-]+,? [A-ZÀ-Þ][A-Za-zÀ-ÿ'’-]+"


def _name_tables(conn: duckdb.DuckDBPyConnection) -> None:
    """The two lists as views of the connection (``_given_names``, ``_family_names``) on
    Arrow tables made once per process: made as tables anew for each connection they
    took 0.07-0.3 s, and each gate opens its own."""
    given, family = _arrow_lists()
    conn.register("_given_names", given)
    conn.register("_family_names", family)


def name_tables_ahead() -> None:
    """Read the lists and make their Arrow tables now (the gates' warm-up thread)."""
    _arrow_lists()


@cache
def _arrow_lists():
    import pyarrow as pa

    return tuple(pa.table({"name": sorted(names)}) for names in name_lists())


def unknown_name_finding(
    conn: duckdb.DuckDBPyConnection,
    column: str,
    values_table: str,
    max_rows: int,
    public: frozenset[str] = frozenset(),
) -> tuple[list[dict], list[dict]]:
    """(findings, warnings) for a column (its distinct values and row counts in
    ``values_table``) whose values that at most ``max_rows`` rows hold name a person:
    a finding where the name reads as a person's, a warning inside a short label.

    DuckDB first keeps the values where a given name is followed by a family name (the
    pairs of adjacent words joined with the two lists), so the word-by-word look in
    Python reads those only: a million typed notes whose capitalised words matched a
    given name were 50 s of Python."""
    _name_tables(conn)
    word = "[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ'’-]*"
    # (a hyphenated name by any of its parts, as named_people reads it; "O'Neil" without
    # its apostrophe, as the lists write it; the given name first or second: "Smith,
    # John")
    # ... its accents off, as the lists write it: "Hélène Gagnon" is HELENE GAGNON
    parts = "string_split(regexp_replace(strip_accents(lower({})), '[''’]', '', 'g'), '-')".format
    candidates = conn.execute(
        "WITH pairs AS (SELECT value, rows, unnest(list_zip(w, w[2:])) AS p FROM (SELECT "
        f"value, rows, regexp_extract_all(value, {literal(word)}) AS w FROM {values_table} "
        f"WHERE rows <= {int(max_rows)} AND regexp_matches(value, {literal(CANDIDATE)}))), "
        f"split AS (SELECT value, rows, {parts('p[1]')} AS a, {parts('p[2]')} AS b "
        "FROM pairs WHERE p[2] IS NOT NULL), "
        "sides AS (SELECT value, rows, a AS givens, b AS families FROM split UNION ALL "
        "SELECT value, rows, b, a FROM split), "
        "given AS (SELECT value, rows, unnest(givens) AS given, families FROM sides), "
        "named AS (SELECT value, rows, unnest(families) AS family FROM given "
        "SEMI JOIN _given_names AS g ON g.name = given.given) "
        "SELECT DISTINCT value, rows FROM named SEMI JOIN _family_names AS f "
        "ON f.name = named.family"
    ).fetchall()
    found = {True: [0, None], False: [0, None]}
    for value, count in candidates:
        for name, person in named_people(value, public):
            found[person][0] += count
            found[person][1] = found[person][1] or name
            break  # one name is enough for this value
    findings, warnings = [], []
    for person, (rows, example) in found.items():
        if not rows:
            continue
        item = {"column": column, "rows": rows, "example": mask(example)}
        if person:
            findings.append({**item, "rule": "holds what reads as a person's name (a given "
                             "and a family name); if it is a public name, list it in city.yml "
                             "public_contacts: names"})  # fmt: skip
        else:
            warnings.append({**item, "rule": "a label holds a given and a family name (a "
                             "place or a program named after someone?)",
                             "said": f"{column}: {rows:,} rows hold a label with a person's "
                             "name in it (a place or a program named after someone?)"})  # fmt: skip
    return findings, warnings
