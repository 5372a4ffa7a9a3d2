"""The quality gates' Data Docs pages rendered from templates compiled once per process
(lib/gates/data_docs_templates.py) are the pages GX renders compiling them each time."""

from __future__ import annotations

import re
from unittest.mock import patch

import jinja2
from great_expectations.render.components import (
    RenderedDocumentContent,
    RenderedHeaderContent,
    RenderedSectionContent,
)
from great_expectations.render.view.view import DefaultJinjaPageView

from dagster_project.lib.gates.data_docs_templates import (
    COMPILED_TEMPLATES,
    compile_page_templates,
    share_compiled_templates,
)

PAGE = RenderedDocumentContent(
    sections=[
        RenderedSectionContent(
            section_name="Overview",
            content_blocks=[RenderedHeaderContent(header="Résumé", subheader="pub_x")],
        )
    ],
    data_asset_name="pub_x",
    renderer_type="ValidationResultsPageRenderer",
    page_title="pub_x",
)
RENDERING = {"expectation_suite_name_dot_count": 0, "data_context_id": None}
# what differs between two renderings of one page: element ids and the time
MOVING_PARTS = re.compile(
    r"[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}|\d{8}T\d{6}\.\d+Z|\d{4}-\d\d-\d\d[ T][\d:.+]+"
)


def _render(view: DefaultJinjaPageView) -> str:
    return MOVING_PARTS.sub("…", view.render(PAGE, **RENDERING))


def test_a_page_from_the_compiled_templates_is_the_page_compiled_afresh():
    afresh = DefaultJinjaPageView()
    afresh.env.bytecode_cache = None  # as GX renders it
    expected = _render(afresh)

    assert compile_page_templates() > 20  # the page, its sections' and its parts' templates
    view = DefaultJinjaPageView()
    assert view.env.bytecode_cache is COMPILED_TEMPLATES
    with patch.object(jinja2.Environment, "compile", side_effect=AssertionError("compiled")):
        assert _render(view) == expected  # from the compiled code, compiling nothing
    assert "Résumé" in expected


def test_sharing_twice_wraps_the_view_once():
    share_compiled_templates()
    constructor = DefaultJinjaPageView.__init__
    share_compiled_templates()
    assert DefaultJinjaPageView.__init__ is constructor
