"""The only Dagster Definitions: everything under ``defs/``, plus global policy.

Adding a source system or a dataset never edits this file (they come from the data
dictionary through the factories in ``defs/``).
"""

import dagster as dg

from dagster_project import defs


@dg.definitions
def definitions() -> dg.Definitions:
    # In-process: DuckDB allows one writer process per file, and a process per step
    # costs ~3.4 s here; the steps run one after another in one process.
    return dg.Definitions.merge(dg.load_defs(defs),
                                dg.Definitions(executor=dg.in_process_executor))
