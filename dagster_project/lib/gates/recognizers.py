"""Recognizers of personal data in published text, offline, built on presidio-analyzer.

presidio's pattern recognizers (phone numbers through Google's libphonenumber, record ids
such as "INS-2024-000300" refused as phone numbers, credit
cards with their checksum, e-mail shapes) plus the Canadian ones this city needs:
social insurance numbers and Ontario health card numbers (both checked with the Luhn
checksum, so a 9- or 10-digit identifier that is not one does not block a dataset),
e-mail addresses written out ("jane at example dot org"), and a house number with a full
postal code (a home's address). No NLP model is loaded (none can be installed here):
person names are caught by the personal-value match in ``privacy.py`` and kept out of
published locations by construction (``dbt/macros/address_block.sql``).

DuckDB first keeps only the values that could hold one of these shapes (``CANDIDATE``);
only those distinct values reach the recognizers, so a million identifiers cost a scan.
"""

from __future__ import annotations

import html
import re
import unicodedata
import urllib.parse
from dataclasses import dataclass
from datetime import date

from presidio_analyzer import Pattern, PatternRecognizer
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    PhoneRecognizer,
)

from ..dictionary.entries import PublicContacts

MIN_SCORE = 0.4
# A value is worth a closer look when it holds an @ (also full-width, "%40" or "(at)"),
# "at ... dot", a postal code, nine digits or more (full-width ones too; RE2's Unicode
# digit class made this filter 100 times slower) with up to three characters but
# letters between them (a phone, SIN, health card or
# card number, written "613/555/0142", "613 - 555 - 0142", "613–555–0177", "046.454.286",
# "613-555-01-88"), or a word that introduces a date of birth ("b." too). Digits: ASCII, full-width
# and mathematical ("𝟔𝟏𝟑": NFKC, which the recognizers apply, reads them as digits).
# (The separators were ` ().-` only, two at most: a number written otherwise never
# reached the recognizers.)
CANDIDATE = (
    r"(?i)[@＠]|%40|&#0*64;|&#x0*40;|&commat;|[(\[{<]at[)\]}>]|\bat\b.+\bdot\b|\barobase\b"
    r"|([a-z][._][a-z][a-z0-9]*|[a-z][0-9]+) at [a-z0-9-]+[.][a-z]"
    r"|[a-z][0-9][a-z][ -]?[0-9][a-z][0-9]"
    r"|[0-9０-９𝟎-𝟿]([^0-9０-９𝟎-𝟿a-z]{0,3}[0-9０-９𝟎-𝟿]){8}"
    r"|\bn[ée]e?\s*[:,]?\s*[0-9]"
    r"|\b(born|dob|d\.o\.b|birth[ _-]?date|birthday|b-?day|date[ _-]?of[ _-]?birth|n[ée]e? le"
    r"|date[ _-]?(de[ _-]?)?naissance|anniversaire|ddn)\b|[(,]\s*(?-i:b\.)\s*[0-9a-z]"
    r"|\b(call|called|calling|phone|telephone|t[ée]l[ée]phone|tel|tél|ph|cell|cellular"
    r"|call-?back|cb|voice ?mail|vm|msg|message|txt"
    r"|cellulaire|mobile|me|us|back|at|from|on|au|number|no|is)\b[^0-9０-９𝟎-𝟿]{0,4}"
    r"[0-9０-９𝟎-𝟿]([^0-9０-９𝟎-𝟿a-z]{0,3}[0-9０-９𝟎-𝟿]){6}"
    # the words that name a health card, a passport, a bank account or a licence plate
    # before a number
    r"|\b(ohip|ramq|phn|hcn|health ?card|health (insurance )?(number|no)|personal health"
    r"|maladie|soleil|care ?card|passports?|passeport|bank (account|acct)|chequing"
    r"|savings account|compte bancaire|direct deposit|void cheque|transit|licen[cs]e plate"
    r"|plaque|immatriculation)\b[^0-9]{0,30}[0-9]|\bplate\s*(number|no|#|:)[^0-9]{0,30}[0-9]"
    r"|\bsant[ée][^0-9]{0,30}[0-9]|\bplate\s*[a-z]{3,4}[ -]?[0-9]{3}\b"
    # (RE2's \b knows ASCII letters only: "santé" ends no word for it)
    r"|\bn[ée]e?\s+(en\s+)?(jan|f[ée]v|feb|mar|avr|apr|mai|may|juin|jun|juil|jul|ao[uû]t"
    r"|aug|sep|oct|nov|d[ée]c)[a-zéû]*\b"
)
# What the recognizers read: the text with the ways of writing a separator, an @ or a
# digit that they do not know made plain (full-width forms and dashes other than "-"
# are NFKC's or a dash; "/", "_" or "*" between digits, as in 613/555/0142, is a "-"; "(at)" glued
# to its words is an @: "kim.lee(at)riverton.ca"). The value is also read as it is.
# the dashes other than "-" (hyphens, en and em dashes, minus signs, full-width)
DASH_CHARACTERS = "\u2010-\u2015\u2212\ufe58\ufe63\uff0d"
DASHES = re.compile(f"[{DASH_CHARACTERS}]")
SLASH_BETWEEN_DIGITS = re.compile(r"(?<=\d)[/_*](?=\d)")
# an @ written as a web address writes it ("jane.doe%40example.com")
PERCENT_AT = re.compile(r"(?<=[\w.+-])%40(?=[\w-]+\.[\w.-]+)")
# "(at)", "[at]", "{at}", "<at>", "[@]", "(@)" glued to or spaced from its words
# ... and French's "arobase" ("jane.doe arobase gmail.com"; not "(a)": a by-law's
# clause, "Subsection 4(a) ottawa.ca/...")
AT_IN_BRACKETS = re.compile(
    r"(?i)(?<=[\w.])(?:\s*[(\[{<](?:at|@)[)\]}>]\s*|\s+arobase\s+)(?=[\w-]+\.[\w.-]+)"
)
# an international call's prefix as dialled from Europe ("0044 20 7946 0958"): a "+"
# to libphonenumber, which reads the country code after it. Only grouped as a phone
# number is (a space, "." or "-" after the country code): an id written with leading
# zeros ("0012345678901") stays as it is.
INTERNATIONAL_PREFIX = re.compile(
    r"(?<![\w+])00 ?(?=[1-9]\d{0,2}[ .-]\d(?:[ .-]?\d){6,12}(?![\d-]))"
)
# the trunk prefix a European number is written with after its country code, "+44 (0)20
# 7946 0958", "0044 (0)20 ...", which libphonenumber does not read
TRUNK_ZERO = re.compile(r"((?:\+|(?<![\w+])00 ?)[1-9]\d{0,2})\s*\(0\)\s*")
# digits grouped 3-3-4 with commas: "613,555,0125" (no amount is grouped so)
COMMA_GROUPED_PHONE = re.compile(r"(?<![\d,.])(\d{3}),(\d{3}),(\d{4})(?![\d,]|\.\d)")


# Characters that show nothing (zero-width spaces and joiners, a soft hyphen), typed
# into a number or an address to hide it, and the spaces around an @
# (Unicode's format characters: soft hyphen, zero-width space and joiners, direction
# marks, the invisible operators U+2061-2064, the Mongolian vowel separator...)
INVISIBLE_CHARACTERS = (
    "\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
)
INVISIBLE = re.compile(f"[{INVISIBLE_CHARACTERS}]")

# Letters and digits styled by Unicode: mathematical bold, italic, script, double-struck
# ("𝐌𝐚𝐝𝐢𝐬𝐨𝐧", "𝟔𝟏𝟑"), letterlike symbols ("ℎ"), superscripts and subscripts ("⁶¹³",
# "ᴹᵃᵈ"), small capitals ("ᴍᴀᴅɪsᴏɴ", some among the phonetic letters), circled,
# parenthesized, negative and squared letters and digits ("Ⓜ", "⑥", "⒨", "🅜", "🅼", "❻").
# Flags' regional indicators are left out.
STYLED_RANGES = (
    (0x00B2, 0x00BA), (0x0250, 0x02FF), (0x1D00, 0x1DBF), (0x2070, 0x209F), (0x2100, 0x214F),
    (0x2460, 0x24FF), (0x2776, 0x2793), (0x1D400, 0x1D7FF), (0x1F100, 0x1F1E5),
)  # fmt: skip
_DIGIT_NAMES = ("ZERO", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE")
_STYLED_NAME = re.compile(r"(?:LATIN (?:CAPITAL |SMALL )?LETTER (?:SMALL CAPITAL )?|DIGIT )(\w+)$")


def _plain_of(character: str) -> str | None:
    """The one ASCII letter (lower case) or digit a styled character stands for: what
    NFKC leaves of it, less punctuation ("⒜" is "(a)"), or what its name says when NFKC
    has nothing ("LATIN LETTER SMALL CAPITAL M", "NEGATIVE SQUARED LATIN CAPITAL LETTER
    M", "DINGBAT NEGATIVE CIRCLED DIGIT SIX")."""
    kept = [c for c in unicodedata.normalize("NFKC", character) if c.isalnum()]
    if len(kept) == 1 and kept[0].isascii():
        return kept[0].lower()
    found = _STYLED_NAME.search(unicodedata.name(character, ""))
    if found is None:
        return None
    word = found.group(1)
    if len(word) == 1 and word.isalpha():
        return word.lower()
    return str(_DIGIT_NAMES.index(word)) if word in _DIGIT_NAMES else None


STYLED = {
    chr(code): plain
    for first, last in STYLED_RANGES
    for code in range(first, last + 1)
    if chr(code) != (plain := _plain_of(chr(code)) or chr(code)) and plain.isascii()
}
UNSTYLED = str.maketrans(STYLED)  # for str.translate
SPACED_AT = re.compile(r"(?<=\w)\s+@\s*(?=\w)|(?<=\w)\s*@\s+(?=\w)")


# a character written as a web address writes it ("%28613%29%20555-0101")
PERCENT_ENCODED = re.compile(r"%[0-9A-Fa-f]{2}")


def plain_text(text: str) -> str:
    # (a web address's percent-encoding first: a phone number or an e-mail inside a link,
    # "/contact?p=%28613%29%20555-0101"; "+" stays a "+", a phone number's; "50% off"
    # is left as it is)
    plain = urllib.parse.unquote(text) if PERCENT_ENCODED.search(text) else text
    # (HTML's character references next: "gertrude.v&#64;example.org", "613&#45;555")
    plain = html.unescape(plain) if "&" in plain else plain
    plain = INVISIBLE.sub("", unicodedata.normalize("NFKC", plain.translate(UNSTYLED)))
    plain = COMMA_GROUPED_PHONE.sub(r"\1-\2-\3", plain)
    plain = INTERNATIONAL_PREFIX.sub("+", TRUNK_ZERO.sub(r"\1 ", plain))
    plain = SPACED_AT.sub("@", plain)
    plain = DASHES.sub("-", plain)
    plain = SLASH_BETWEEN_DIGITS.sub("-", plain)
    plain = PERCENT_AT.sub("@", plain)
    return AT_IN_BRACKETS.sub("@", plain)


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


class _LuhnRecognizer(PatternRecognizer):
    def validate_result(self, pattern_text: str) -> bool:
        return luhn_valid(re.sub(r"\D", "", pattern_text)[: self.digits])


class CanadianSinRecognizer(_LuhnRecognizer):
    """A social insurance number: 9 digits (3-3-3), valid by the Luhn checksum."""

    digits = 9

    def __init__(self):
        super().__init__(
            supported_entity="CA_SIN",
            patterns=[
                Pattern("SIN 3-3-3", r"(?<![\d-])\d{3}[ .-]\d{3}[ .-]\d{3}(?![\d-])", 0.6),
                Pattern("SIN 9 digits", r"(?<![\d-])\d{9}(?![\d-])", 0.5),
            ],
            context=["sin", "nas", "social insurance"],
        )


class SinAnyGroupingRecognizer(_LuhnRecognizer):
    """A SIN written after its name in any grouping ("SIN 046 45 4286", "NAS: 0464 54286"):
    nine digits with single separators, valid by the Luhn checksum. Only after the words
    that name it: nine digits grouped otherwise are many things."""

    digits = 9

    def __init__(self):
        super().__init__(
            supported_entity="CA_SIN",
            patterns=[
                Pattern(
                    "SIN after its name",
                    r"(?i)(?<=\b(?:sin|nas|social insurance number|social insurance"
                    r"|assurance sociale)\b)"
                    r"\W{0,3}(?:\d[ .-]?){8}\d(?![\d-])",
                    0.6,
                )
            ],
        )

    def validate_result(self, pattern_text: str) -> bool:
        return luhn_valid(re.sub(r"\D", "", pattern_text))


class OntarioDriversLicenceRecognizer(PatternRecognizer):
    """An Ontario driver's licence number: a letter and 14 digits, 4-5-5
    ("A1234-12345-12345")."""

    def __init__(self):
        super().__init__(
            supported_entity="ON_DRIVERS_LICENCE",
            patterns=[Pattern("Ontario licence", r"\b[A-Za-z]\d{4}[- ]?\d{5}[- ]?\d{5}\b", 0.6)],
        )


class OntarioHealthCardRecognizer(_LuhnRecognizer):
    """An Ontario health card number: 10 digits (4-3-3), an optional 2-letter version
    code; the last digit is a Luhn check digit."""

    digits = 10

    def __init__(self):
        super().__init__(
            supported_entity="ON_HEALTH_CARD",
            patterns=[
                Pattern(
                    "OHIP",
                    r"(?<![\d-])\d{4}[ -]?\d{3}[ -]?\d{3}(?:[ -]?[A-Z]{2})?"
                    r"(?![\d-])",
                    0.5,
                )
            ],
            context=["ohip", "health card", "health number"],
        )


# The words that name a health card or its number, in English and French (Ontario's
# OHIP, Quebec's RAMQ "carte soleil" and NAM, British Columbia's PHN, a "care card")
HEALTH_CARD_WORDS = (
    r"ohip|ramq|phn|hcn|health ?card|health (?:insurance )?(?:number|no\.?|#)"
    r"|personal health number|care ?card|carte soleil|carte d'assurance maladie"
    r"|carte santé|num[ée]ro d'assurance maladie"
)


class HealthNumberAfterItsNameRecognizer(PatternRecognizer):
    """A health card number after the words that name it, as any province writes it:
    8 to 12 digits with single separators, Quebec's four letters before them, Ontario's
    two-letter version code after ("OHIP 1234.567.897-AB", "RAMQ TREM 8403 1215", "PHN
    9123 456 789"). No checksum: named so, a number is one (a typo or a made-up one is
    as much a resident's as a valid one)."""

    def __init__(self):
        super().__init__(
            supported_entity="HEALTH_CARD",
            patterns=[
                Pattern(
                    "health number after its name",
                    rf"(?i)\b(?:{HEALTH_CARD_WORDS})\b(?:\s+(?:no\.?|number|#|num[ée]ro))?"
                    r"\W{0,4}(?:[A-Za-z]{4}[ .-]?)?(?:\d[ .-]?){7,11}\d(?:[ .-]?[A-Za-z]{2})?\b",
                    0.6,
                )
            ],
        )


class NamedNumberRecognizer(PatternRecognizer):
    """A number named by the words before it as a passport's or a bank account's:
    "passport GA123456", "bank account 123456789012", "transit 12345-003". The words are
    those of a person's papers, not a ledger's ("GL account 5100-2010" is the city's
    chart of accounts)."""

    def __init__(self):
        number = r"(?:\s+(?:no\.?|number|#|num[ée]ro))?\s*[:#]?\s*"
        super().__init__(
            supported_entity="PERSONAL_NUMBER",
            patterns=[
                Pattern(
                    "passport",
                    rf"(?i)\bpass(?:port|eport)s?\b{number}(?:[A-Za-z]{{1,3}}[ -]?\d{{5,8}}"
                    r"|\d{6,9})\b",
                    0.6,
                ),
                Pattern(
                    "bank account",
                    r"(?i)\b(?:bank (?:account|acct)|chequing(?: account)?|savings account"
                    r"|compte bancaire|direct deposit(?: to)?|void cheque)"
                    rf"\b{number}\d(?:[ -]?\d){{5,15}}\b",
                    0.6,
                ),
                # (spaced only after "no." or "#": "Transit 12345 678" is a route's change)
                Pattern("transit number", r"(?i)\btransit\b\s*[:#]?\s*\d{5}-\d{3}\b", 0.6),
                Pattern(
                    "transit number, named",
                    r"(?i)\btransit\s+(?:no\.?|number|#|num[ée]ro)\s*[:#]?\s*\d{5}[ -]\d{3}\b",
                    0.6,
                ),
            ],
        )


class LicencePlateRecognizer(PatternRecognizer):
    """A vehicle's licence plate after the words that name it ("licence plate: 7ABC
    123", "plate # BXKR 123", "plate ABC123 towed", "plaque no: 123 ABC"): letters and
    digits, two of each at least, in one word or two. "plate" alone names many things
    ("hot plate 2000W", "plate compactor 450kg"): those have fewer letters or digits. A
    year and a short word ("immatriculation 2024 au total") is no plate."""

    def __init__(self):
        super().__init__(
            supported_entity="PERSONAL_NUMBER",
            patterns=[
                Pattern(
                    "licence plate",
                    r"(?i)\b(?:licen[cs]e plate|plate (?:number|no\.?)|plaque d'immatriculation"
                    r"|immatriculation|plaque\s*(?:no\.?|#|:)|plate\s*[#:])\s*[:#]?\s*"
                    r"[A-Za-z0-9]{2,8}(?:[ -][A-Za-z0-9]{2,4})?\b",
                    0.6,
                ),
                # "plate" alone before three or four capitals and three digits ("plate
                # ABC123 towed"; not equipment's "Vibratory plate VP1550", "plate W12x26")
                Pattern(
                    "plate",
                    r"(?i)\bplate\s+(?-i:[A-Z]{3,4})[ -]?\d{3}\b",
                    0.6,
                ),
            ],
        )

    def validate_result(self, pattern_text: str) -> bool:
        words = re.split(r"[\s:#]+", pattern_text.strip())
        plate = next(
            (
                "".join(words[i:])
                for i in range(len(words))
                if re.search(r"\d", "".join(words[i:]))
                and words[i].lower() not in ("licence", "license", "plate", "number", "no", "no.")
                and not words[i].lower().startswith(("plaque", "immatriculation", "d'immat"))
            ),
            "",
        ).replace("-", "")
        letters, digits = sum(c.isalpha() for c in plate), sum(c.isdigit() for c in plate)
        year_and_word = re.fullmatch(
            r"(?:19|20)\d\d[A-Za-z]{1,2}|[A-Za-z]{1,2}(?:19|20)\d\d", plate
        )
        return 5 <= len(plate) <= 8 and letters >= 2 and digits >= 2 and not year_and_word


class SpelledOutEmailRecognizer(PatternRecognizer):
    """ "jane.doe at example dot org", "jane (at) example (dot) org". The name holds a
    letter and the domain ends in letters ("Open at 9 dot 30" is a time)."""

    def __init__(self):
        word = r"(?=[\w.+-]*[A-Za-z])[\w.+-]+"
        at = r"\s*(?:\(at\)|\[at\]|\bat\b|@|\barobase\b)\s*"  # ("jane.doe @ gmail dot com")
        dot = r"\s*(?:\(dot\)|\[dot\]|\bdot\b|\bpoint\b)\s*"
        # a name of words joined by "." or "_" (a letter each side), " at ", a domain with
        # its real dots: "c.applewhite at example.net" ("apply at jobs.riverton.ca", "4.30
        # at jobs.riverton.ca", "HR2024 at careers.riverton.ca" have no such name)
        dotted_name = (
            r"[A-Za-z0-9]*[A-Za-z](?:[._][A-Za-z][A-Za-z0-9]*)+"
            r"|(?-i:[a-z]+[0-9]+)"  # "jsmith84 at gmail.com" (not "HR2024 at careers...")
        )
        super().__init__(
            supported_entity="EMAIL_ADDRESS",
            patterns=[
                Pattern(
                    "spelled-out e-mail",
                    rf"(?i)\b{word}{at}[\w-]+(?:{dot}[\w-]+)*{dot}[a-z]{{2,}}\b",
                    0.6,
                ),
                Pattern(
                    "e-mail with 'at'",
                    rf"(?i)(?<![\w.])(?:{dotted_name})\s+at\s+[\w-]+(?:\.[\w-]+)*\.[a-z]{{2,}}\b",
                    0.5,
                ),
            ],
        )


class EmailShapeRecognizer(EmailRecognizer):
    """presidio's e-mail pattern, without its top-level-domain check (which downloads the
    public suffix list): any address shape is enough to block."""

    def validate_result(self, pattern_text: str) -> bool:
        return True


# A record id: a short letter prefix glued by a hyphen ("INS-2024-000300", "BP-2024-123456").
ID_PREFIX = re.compile(r"(?:^|[^0-9A-Za-z])[A-Za-z]{1,6}-$")
# How a North American phone number is written: 3-3-4 digits, optionally +1 and brackets.
PHONE_GROUPING = re.compile(r"(?:\+?1[ .-]?)?(?:\(\d{3}\)|\d{3})[ .-]?\d{3}[ .-]?\d{4}")


class RecordIdAwarePhoneRecognizer(PhoneRecognizer):
    """presidio's phone recognizer (libphonenumber), refusing record ids.

    libphonenumber reads "INS-2024-000300" as the number 202-400-0300: ten digits after
    the prefix. A match glued to a letter prefix by a hyphen and not grouped as a phone
    number is written (3-3-4) is the rest of an id: refused. A phone number stays one
    when a word is glued to it ("Tel-613-555-0142") and anywhere else in the text
    ("INS-2024-000300, call 613-555-0142")."""

    def analyze(self, text, entities, nlp_artifacts=None):
        return [
            result
            for result in super().analyze(text, entities, nlp_artifacts)
            if not _record_id(text, result.start, result.end)
        ]


# Digits grouped as no phone number is, year first: a tender's or a file's number ("RFP
# 2024-0145-03"), which libphonenumber reads as ten digits
YEAR_FIRST_ID = re.compile(r"(?:19|20)\d\d[-/.]\d{3,4}[-/.]\d{2,3}")


def _record_id(text: str, start: int, end: int) -> bool:
    if YEAR_FIRST_ID.fullmatch(text[start:end]):
        return True
    return bool(ID_PREFIX.search(text[:start])) and not PHONE_GROUPING.fullmatch(text[start:end])


# the street types a house number and a street end with ("17 Walnut Grove")
STREET_TYPES = ("st", "street", "ave", "avenue", "rd", "road", "dr", "drive", "cres",
                "crescent", "crt", "court", "ct", "blvd", "boulevard", "way", "lane", "ln",
                "pl", "place", "terr", "terrace", "cir", "circle", "pkwy", "parkway", "hwy",
                "highway", "trail", "trl", "gate", "grove", "row", "sq", "square", "line",
                "sideroad", "rue", "chemin", "ch", "boul", "promenade", "prom")  # fmt: skip
POSTAL_CODE = r"\b[A-Za-z]\d[A-Za-z][ -]?\d[A-Za-z]\d\b"
STREET_WORDS = "|".join(STREET_TYPES + ("boul", "av", "ave", "montée", "rang", "route", "rte"))
# a unit between the street and the postal code: "Apt 4", "Unit 4B,", "Suite 210", "#4"
_UNIT = r"(?:(?:apt|apartment|unit|suite|ste|app|appt|bureau)\.?\s*|#\s*)[\w-]{1,6}\b[^\d]*?"


class HomeAddressRecognizer(PatternRecognizer):
    """A house number and a full Canadian postal code in one value: a home's address,
    with a unit between them or the postal code first ("M5V 2T6 - 17 Walnut Grove")."""

    def __init__(self):
        super().__init__(
            supported_entity="HOME_ADDRESS",
            patterns=[
                # a street's word between the number and the postal code, or a street's
                # name in capitalised words ("45 Broadway K1P 1J1"): not a count, "12
                # requests in K1P 1J1", "Ward 5 - K1P 1J1"
                Pattern(
                    "house number + postal code",
                    rf"(?i)\b\d+[A-Za-z]?,?\s+(?:[^\d]*?\b(?:{STREET_WORDS})\b)[^\d]*?"
                    rf"(?:{_UNIT})?{POSTAL_CODE}",
                    0.6,
                ),
                Pattern(
                    "house number + a street's name + postal code",
                    r"\b\d+[A-Za-z]?,?\s+(?-i:[A-Z][A-Za-zÀ-ÿ'-]+)(?:\s+(?-i:[A-Z][A-Za-zÀ-ÿ'-]+))"
                    rf"{{0,3}},?\s*(?:{_UNIT})?{POSTAL_CODE}",
                    0.6,
                ),
                Pattern(  # (the street's words capitalised, whatever presidio's
                    # IGNORECASE: "Zone K1P 1J1: 3 inspections on Main St" is a count)
                    "postal code + house number and street",
                    rf"{POSTAL_CODE}[\s,;:-]+\d+[A-Za-z]?\s+(?:(?-i:[A-Z])[A-Za-z.'-]*\s+){{1,3}}"
                    rf"(?:{'|'.join(STREET_TYPES)})\b",
                    0.6,
                ),
            ],
        )


# The words that introduce a phone number
# (and what may follow them before the number: "call me back at", "phone number:")
# "calls" is no such word: "calls 250-1500 per day", "Calls from 830-1630" are counts
# and hours. Some words introduce a number alone ("call 555-0142", "tél. : 555-0142"),
# others only with up to three words and "at" ("text me at", "call Jane back at",
# "appelez-moi au"); "my number is".
_ALONE = (
    r"call(?:ed|ing)?|phone|telephone|t[ée]l[ée]phone|tel|tél|ph|cell(?:ular)?|cellulaire"
    r"|mobile|call-?back|cb|voice ?mail|vm|msg|message|txt"
)
_WITH_AT = r"text(?:ed)?|reach|contact|appel(?:ez|er|le)?|joindre"
PHONE_WORDS = (
    rf"(?:(?:{_ALONE})(?:(?:[\s-]+[\w'-]+){{0,3}}?\s+(?:at|from|on|au))?"
    rf"|(?:{_WITH_AT})(?:[\s-]+[\w'-]+){{0,3}}?\s+(?:at|on|au)"
    r"|(?:my|his|her|their|our|phone|cell|contact|home|work)\s+(?:number|no\.?|#)"
    r"(?:\s+is)?)(?:\s+(?:number|no\.?|#))?(?:\s+is)?"
)


class LocalPhoneRecognizer(PatternRecognizer):
    """A seven-digit local number introduced as a phone: "call 555-0142", "cell:
    555 0199". Without its area code libphonenumber takes it for no number; seven
    digits alone are not one (a permit's "2024-0142", an amount)."""

    def __init__(self):
        super().__init__(
            supported_entity="PHONE_NUMBER",
            patterns=[
                Pattern(
                    "local number after a phone word",
                    rf"(?i)\b{PHONE_WORDS}\W{{0,4}}[2-9]\d{{2}}(?:\s{{0,2}}[.-]\s{{0,2}}|\s)?"
                    r"\d{4}\b(?![.-]?\d)",
                    0.5,
                )
            ],
        )


# A "birthday" with a date this many years ago or more is a person's birth date; a
# nearer one is more likely an event (a party room booked for a birthday)
BIRTHDAY_YEARS_AGO = 3


def _years_before(years_ago: int, two_digits: bool = True) -> str:
    """A regex of the years up to ``years_ago`` before this one (four digits from 1900,
    or two digits from 30: "04/02/61")."""
    last = date.today().year - years_ago
    decades = "|".join(f"{d // 10}" for d in range(2000, last - last % 10, 10))
    recent = f"{last // 10}[0-{last % 10}]"
    four = f"19\\d\\d|(?:{decades})\\d|{recent}" if decades else f"19\\d\\d|{recent}"
    return f"(?:{four}|[3-9]\\d)" if two_digits else f"(?:{four})"


class DateOfBirthRecognizer(PatternRecognizer):
    """A date introduced as someone's birth: "born 1984-03-12", "DOB 2015/04/09",
    "date of birth: March 12, 1984", "b. 1984-03-12". A date alone is no birth date (a
    closing date). A "birthday" ("date d'anniversaire"; an "anniversaire" alone is also a
    city's 150th) is a birth date only with a year ``BIRTHDAY_YEARS_AGO`` or more ago: a
    park booked for a birthday party this year is an event, "(birthday 1961-04-02)" is a
    person's."""

    def __init__(self):
        def dates(year: str) -> str:
            # 1984-03-12, 12/03/1984, 12-Mar-1984, 12MAR1984, March 12th, 1984
            return (
                rf"(?:{year}[-/.]\d{{1,2}}[-/.]\d{{1,2}}|\d{{1,2}}[-/.]\d{{1,2}}[-/.]{year}"
                rf"|\d{{1,2}}(?:st|nd|rd|th|er)?(?: of)?[- ]?[A-Za-zéû]{{3,9}}\.?,?[- ]?{year}"
                rf"|[A-Za-z]{{3,9}}\.? \d{{1,2}}(?:st|nd|rd|th)?,? {year})"
            )

        def born_dates(year: str) -> str:
            month = "(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6}"
            return (
                rf"(?:{year}[-/.]\d{{1,2}}[-/.]\d{{1,2}}|\d{{1,2}}[-/.]\d{{1,2}}[-/.]{year}"
                rf"|\d{{1,2}}[- ]?{month}\.?[- ]?{year}"
                rf"|{month}\.? \d{{1,2}}(?:st|nd|rd|th)?,? {year})"
            )

        month_names = (
            "(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|janv|f[ée]v|mars|avr|mai|juin"
            "|juil|ao[uû]t|sept|d[ée]c)[a-zé]{0,7}"
        )
        month_day = "(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01])"
        day_month = "(?:0[1-9]|[12]\\d|3[01])(?:0[1-9]|1[0-2])"
        # (a month's: "né" and "née" with their accent, "NE" is a street's quadrant)
        introduced_month = (
            r"(?:born(?: on)?|dob|d\.o\.b\.?|date[ _-]?of[ _-]?birth|birth[ _-]?date"
            r"|née?(?:\b|(?=\s))|date[ _-]?(?:de[ _-]?)?naissance|ddn)"
        )
        introduced = (
            r"(?:born(?: on)?|dob|d\.o\.b\.?|date[ _-]?of[ _-]?birth|birth[ _-]?date"
            r"|n[ée]e?(?: le)?|date[ _-]?(?:de[ _-]?)?naissance|ddn)"
        )
        # between the word and the date: a colon, "=", a dash, or a JSON's or a tag's
        # punctuation ('{"dob": "1984-03-12"}', "<dob>1984-03-12</dob>", "DOB (1984-...")
        between = r"""[\s:,=|"'()<>/-]{0,5}"""
        any_year, past_year = r"(?:\d{4}|\d{2})", _years_before(BIRTHDAY_YEARS_AGO)
        super().__init__(
            supported_entity="DATE_OF_BIRTH",
            patterns=[
                Pattern("birth date", rf"(?i)\b{introduced}{between}{dates(any_year)}", 0.6),
                # "DOB 19840312", "DOB: 120384" (the date's digits without separators)
                Pattern(
                    "birth date in digits",
                    rf"(?i)\b{introduced_month}{between}(?:(?:19|20)\d\d{month_day}"
                    rf"|{day_month}(?:19|20)\d\d|\d\d{month_day}|{day_month}\d\d)\b",
                    0.6,
                ),
                # "born March 1984", "née en mars 1984": a month and a year of birth
                Pattern(
                    "birth month",
                    rf"(?i)\b{introduced_month}\s*[:,=-]?\s*(?:in|en)?\s*{month_names}\.?,?\s+"
                    r"(?:19|20)\d\d\b",
                    0.6,
                ),
                # "Kowalski (b. 1984-03-12)", "Marie, b. 12 March 1984": "b." for born,
                # in small letters, after a name and "(" or "," ("Schedule B. 15 March
                # 2021", a list's "a. 2018-04-01, b. 2019-05-01" are not), before a date
                # BIRTHDAY_YEARS_AGO or more ago, its year of four digits and its month
                # a month's name
                Pattern(
                    "born, shortened",
                    rf"(?-i:[A-Z][A-Za-zÀ-ÿ'’-]+)\s*[(,]\s*(?-i:b\.)\s*"
                    rf"{born_dates(_years_before(BIRTHDAY_YEARS_AGO, False))}",
                    0.6,
                ),
                Pattern(
                    "birthday",
                    rf"(?i)\b(?:birthday|b-?day|date d'anniversaire)\s*[:,=-]?\s*"
                    rf"{dates(past_year)}",
                    0.6,
                ),
            ],
        )


@dataclass(frozen=True)
class Hit:
    entity: str
    score: float


# What may stand between a phone number's digit groups (the dashes, "/", "_" and "*"
# plain_text makes "-"; the characters that show nothing are taken out before)
GAP = f"[\\s.\\-/_*{DASH_CHARACTERS}]*"


_SEPARATOR = f"[\\s.\\-/_*(){DASH_CHARACTERS}]"
NO_AREA_CODE = "".join(f"(?<!\\d{_SEPARATOR * n})" for n in range(8))


def public_contacts_pattern(contacts: PublicContacts | None) -> re.Pattern | None:
    """One pattern for the city's own contact points (city.yml ``public_contacts``), as
    they may be written: a phone number of ten digits or more by its digits with any
    separators, an optional +1 before a ten-digit one ("(613) 580-2400", "+1
    613.580.2400"); an e-mail whole, in any case, after a space, the start or
    punctuation that cannot be part of an address (not "jane.info@riverton.ca" nor
    "jane%info@riverton.ca" for "info@riverton.ca"); an address's words in any case with
    any spaces or commas between them. A ten-digit number is also taken without its
    area code where no digits come before it. A shorter entry is not taken: "580-2400"
    would be cut out of any area code's "416-580-2400", and 311 is no recognizer's find."""
    if contacts is None:
        return None
    alternatives = []
    for phone in contacts.phones:
        digits = re.sub(r"\D", "", phone)
        if len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        if len(digits) == 10:
            body = f"\\(?{digits[:3]}\\)?{GAP}{digits[3:6]}{GAP}{digits[6:]}"
            alternatives.append(f"(?<![\\d+])(?:\\+?1{GAP})?{body}(?!\\d)")
            # written without its area code ("call us at 555-0111"), when no digits come
            # before it (seven separators at most): 416-555-0111 stays a resident's
            alternatives.append(f"{NO_AREA_CODE}{digits[3:6]}{GAP}{digits[6:]}(?!\\d)")
        elif len(digits) > 10:  # another country's: "+44 20 7946 0958"
            alternatives.append("(?<!\\d)" + GAP.join(digits) + "(?!\\d)")
    for email in contacts.emails:
        alternatives.append(rf"(?<![^ \t\n\r<(\[\",;:]){re.escape(email)}(?![\w-]|\.\w)")
    for address in contacts.addresses:
        words = re.findall(r"[^\s,]+", address)
        alternatives.append(r"(?<![\w-])" + r"[\s,]+".join(map(re.escape, words)) + r"(?!\w)")
    return re.compile("|".join(alternatives), re.IGNORECASE) if alternatives else None


def compile_patterns_ahead() -> None:
    """Run every recognizer once, on a text that is no one's (the gates' warm-up thread):
    Presidio compiles a recognizer's patterns when it first reads a text, ~0.3 s that
    the run's first privacy gate paid. The ``regex`` module keeps them compiled."""
    Recognizers().find("Call 613-555-0100 or write to info@example.org, 1 Main St, K1A 0B1.")


class Recognizers:
    def __init__(self, public_contacts: PublicContacts | None = None):
        # the city's own phone lines, e-mails and buildings' addresses, taken out of a
        # text before it is read: "call 311 or 613-580-2400" is no resident's number
        self.public = public_contacts_pattern(public_contacts)
        self.phone = RecordIdAwarePhoneRecognizer(supported_regions=("CA", "US"))
        self.recognizers = [
            EmailShapeRecognizer(),
            SpelledOutEmailRecognizer(),
            self.phone,
            CanadianSinRecognizer(),
            OntarioHealthCardRecognizer(),
            CreditCardRecognizer(),
            HomeAddressRecognizer(),
            DateOfBirthRecognizer(),
            SinAnyGroupingRecognizer(),
            OntarioDriversLicenceRecognizer(),
            LocalPhoneRecognizer(),
            IbanRecognizer(),
            HealthNumberAfterItsNameRecognizer(),
            NamedNumberRecognizer(),
            LicencePlateRecognizer(),
        ]

    def find(self, text: str) -> list[Hit]:
        """What the recognizers find in the text as it is and in its ``plain_text``, and
        each phone-shaped run of digits read alone: libphonenumber read "ward 3 613 555
        0142" as one longer number, no phone's, and let it through."""
        hits = []
        if self.public is not None:
            # cut from the text as a reader sees it (NFKC: full-width digits are digits;
            # nothing invisible: "jane\u200binfo@riverton.ca" is no "info@riverton.ca")
            plain = self.public.sub(" ", plain_text(text))
            text = self.public.sub(
                " ", INVISIBLE.sub("", unicodedata.normalize("NFKC", text.translate(UNSTYLED)))
            )
        else:
            plain = plain_text(text)
        for variant in (text, plain) if plain != text else (text,):
            for recognizer in self.recognizers:
                for result in recognizer.analyze(variant, recognizer.supported_entities, None):
                    if result.score >= MIN_SCORE:
                        hits.append(Hit(result.entity_type, result.score))
        if not any(hit.entity == "PHONE_NUMBER" for hit in hits):
            for run in PHONE_ALONE.finditer(plain):
                if not _record_id(plain, run.start(), run.end()) and any(
                    r.score >= MIN_SCORE for r in self.phone.analyze(run.group(), ["PHONE_NUMBER"])
                ):
                    hits.append(Hit("PHONE_NUMBER", MIN_SCORE))
                    break
        return hits


# A North American number written 3-3-4 with nothing but a space, "." or "-" between
# its groups, not glued to other digits
PHONE_ALONE = re.compile(r"(?<![\d-])\(?\d{3}\)?[ .-]?\d{3}[ .-]?\d{4}(?![\d-])")
