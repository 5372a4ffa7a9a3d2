"""Import the gates' libraries in a thread, ahead of the gates that need them.

Great Expectations and Presidio take 3-4 s of one core to import; a gate that imports
them itself makes the run wait that long. The thread also opens the city's GX project
(reading and checking its config files: ~0.1 s the first gate paid) and reads the census
name lists the privacy gate looks names up in (0.25-0.35 s the first privacy gate with a
text column paid). The warehouse step starts it while dbt (a subprocess) builds, so the
import overlaps with the build. (Started at the run's start instead, it saved nothing
measurable: the run's own first steps are Python work that competes for the same
interpreter lock.) It also compiles the Data Docs page templates the quality gates render
(data_docs_templates.py: 0.07 s the first quality gate paid) and the recognizers'
patterns (0.2 s the first privacy gate paid). The definitions and a run with nothing to
check never import either.
"""

from __future__ import annotations

import threading

from dagster_project.settings import get_settings


def warm_up_gate_libraries() -> threading.Thread:
    def load() -> None:
        try:
            import great_expectations.core.expectation_suite  # noqa: F401

            from .data_docs_templates import compile_page_templates
            from .gx_project import open_context
            from .person_names import name_tables_ahead
            from .recognizers import compile_patterns_ahead  # (Presidio)
        except ImportError:  # the gate that needs them will say what is wrong
            return
        for ahead in (
            name_tables_ahead,
            lambda: open_context(get_settings().expectations_dir),
            compile_page_templates,
            compile_patterns_ahead,
        ):
            try:
                ahead()
            except Exception:  # noqa: BLE001, S112 (the gate that needs it says what failed)
                continue

    thread = threading.Thread(target=load, name="warm-up-gates", daemon=True)
    thread.start()
    return thread
