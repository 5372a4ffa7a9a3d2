"""The data dictionary: loaded once into typed entries, with one rule model and one
vocabulary that every stage reads. See README.md in this folder for the design."""

from .entries import Column, Dataset, Dictionary, Division, PublicationEvent, Source
from .loading import load_dictionary, load_source, source_from_spec
from .rules import RULE_KINDS, Rule, column_rules, render
from .validation import DictionaryError

__all__ = [
    "RULE_KINDS",
    "Column",
    "Dataset",
    "Dictionary",
    "DictionaryError",
    "Division",
    "PublicationEvent",
    "Rule",
    "Source",
    "column_rules",
    "load_dictionary",
    "load_source",
    "render",
    "source_from_spec",
]
