"""The data dictionary: loaded once into typed entries, with one rule model and one
vocabulary that every stage reads. See README.md in this folder for the design."""

from .entries import (
    City,
    Column,
    Dataset,
    Dictionary,
    Division,
    Publication,
    PublicationEvent,
    Source,
    Steward,
    Ward,
)
from .loading import load_dictionary, load_source, source_from_spec
from .rules import RULE_KINDS, Rule, column_rules, render
from .validation import DictionaryError

__all__ = [
    "RULE_KINDS",
    "City",
    "Column",
    "Dataset",
    "Dictionary",
    "DictionaryError",
    "Division",
    "Publication",
    "PublicationEvent",
    "Rule",
    "Source",
    "Steward",
    "Ward",
    "column_rules",
    "load_dictionary",
    "load_source",
    "render",
    "source_from_spec",
]
