"""The careful CSV read's copy of a file (csv_reader._copy_outside_quotes), checked
against a plain character-by-character reading of what it promises, with the text
handed over in pieces of every size (a chunk may end inside a CR LF, a run of empty
lines or a quoted value)."""

from __future__ import annotations

import io
import random

import pytest

from dagster_project.lib.ingest.csv_reader import _copy_outside_quotes


def expected(text: str, crlf_as_lf: bool, drop_blank_lines: bool) -> str:
    """One character at a time: outside quotes, CR LF as LF, no empty line."""
    out, inside, line_start, i = [], False, True, 0
    while i < len(text):
        if text[i] == '"':
            inside, line_start = not inside, False
            out.append('"')
            i += 1
            continue
        if not inside and text.startswith("\r\n", i):
            end, width = ("\n" if crlf_as_lf else "\r\n"), 2
        elif not inside and text[i] == "\n":
            end, width = "\n", 1
        else:
            out.append(text[i])
            line_start = line_start and inside
            i += 1
            continue
        if not (drop_blank_lines and line_start):
            out.append(end)
        line_start = True
        i += width
    return "".join(out)


class Pieces(io.StringIO):
    """A source whose reads return at most ``size`` characters."""

    def __init__(self, text: str, size: int):
        super().__init__(text)
        self.size = size

    def read(self, n: int = -1) -> str:
        return super().read(self.size)


TEXTS = [
    'a,b\n\nc,"x\n\ny"\n\n\n',
    'a,b\r\n\r\nc,"x\r\n\r\ny"\r\n\r\n',
    "\n\na,b\nc\n",
    'a,"b""\n\n""c"\n\nd\n',
    "a\r\n\n\r\nb",
]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("size", [1, 2, 3, 5, 1 << 22])
@pytest.mark.parametrize("crlf_as_lf", [False, True])
def test_the_copy_drops_empty_lines_outside_quotes_only(text, size, crlf_as_lf):
    target = io.StringIO()
    _copy_outside_quotes(Pieces(text, size), target, '"', crlf_as_lf, True)
    assert target.getvalue() == expected(text, crlf_as_lf, True)


def test_random_texts_in_random_pieces():
    rng = random.Random(7)
    for _ in range(20000):
        text = "".join(
            rng.choice(["a", ",", '"', "\n", "\r\n", "\r"]) for _ in range(rng.randint(0, 14))
        )
        crlf_as_lf, drop = rng.random() < 0.5, rng.random() < 0.8
        target = io.StringIO()
        _copy_outside_quotes(Pieces(text, rng.randint(1, 6)), target, '"', crlf_as_lf, drop)
        assert target.getvalue() == expected(text, crlf_as_lf, drop), repr(text)


def expected_cr(text: str) -> str:
    """Lines ended by CR alone: outside quotes, no empty line."""
    out, inside, line_start = [], False, True
    for char in text:
        if char == '"':
            inside, line_start = not inside, False
        elif char == "\r" and not inside:
            if line_start:
                continue
            line_start = True
            out.append(char)
            continue
        elif not inside:
            line_start = False
        out.append(char)
    return "".join(out)


def test_lines_ended_by_cr_alone():
    rng = random.Random(11)
    for _ in range(5000):
        text = "".join(rng.choice(["a", ",", '"', "\r"]) for _ in range(rng.randint(0, 14)))
        target = io.StringIO()
        _copy_outside_quotes(Pieces(text, rng.randint(1, 6)), target, '"', False, True, "\r")
        assert target.getvalue() == expected_cr(text), repr(text)


def test_a_long_run_of_empty_lines_in_small_pieces():
    """A run of empty lines across many pieces comes out as one line end."""
    target = io.StringIO()
    _copy_outside_quotes(Pieces("a,b" + "\r\n" * 5000 + "c", 7), target, '"', False, True)
    assert target.getvalue() == "a,b\r\nc"
