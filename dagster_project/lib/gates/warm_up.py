"""Import the gates' libraries in a thread, ahead of the gates that need them.

Great Expectations and Presidio take 3-4 s of one core to import; a gate that imports
them itself makes the run wait that long. The warehouse step starts it while dbt (a
subprocess) builds, so the import overlaps with the build. (Started at the run's start
instead, it saved nothing measurable: the run's own first steps are Python work that
competes for the same interpreter lock.) The definitions and a run with nothing to
check never import either.
"""

from __future__ import annotations

import threading


def warm_up_gate_libraries() -> threading.Thread:
    def load() -> None:
        try:
            import great_expectations.core.expectation_suite  # noqa: F401

            from . import recognizers  # noqa: F401  (Presidio)
        except ImportError:  # the gate that needs them will say what is wrong
            return

    thread = threading.Thread(target=load, name="warm-up-gates", daemon=True)
    thread.start()
    return thread
