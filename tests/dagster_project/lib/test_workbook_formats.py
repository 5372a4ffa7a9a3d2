"""Which display formats make a workbook show a number otherwise than its digits."""

from __future__ import annotations

import pytest

from dagster_project.lib.ingest.workbook_formats import format_kind


@pytest.mark.parametrize(
    "code, kind",
    [
        ("000000", ("zeros", 6)),
        ("00", ("zeros", 2)),
        ("yyyy-mm-dd", ("date", 0)),
        ("d-mmm-yy", ("date", 0)),
        ("mmm yyyy", ("date", 0)),
        ("[$-409]mmmm d, yyyy;@", ("date", 0)),
        ("m/d/yyyy h:mm", ("datetime", 0)),
        ("yyyy-mm-dd hh:mm:ss.000", ("datetime", 0)),
        ("h:mm AM/PM", ("time", 0)),
        ("mm:ss", ("time", 0)),
        ("[h]:mm:ss", None),  # a duration
        ("General", None),
        ("0", None),
        ("0.00", None),
        ("#,##0", None),
        ('0.0 "days"', None),
        ("0.00E+00", None),
        ("$#,##0.00_);($#,##0.00)", None),
        ("0%", None),
        ("@", None),
        ("[Red]0.00", None),
        ('mm":"ss', ("time", 0)),  # (as written in the file: mm&quot;:&quot;ss)
        ("00000\\-0000", None),  # a ZIP+4: shown with its dash, not padded half right
        ('"ID-"000000', None),
        ("[>=100]000;0", None),  # a condition
    ],
)
def test_the_formats_that_show_a_number_otherwise(code, kind):
    assert format_kind(code) == kind
