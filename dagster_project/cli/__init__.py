"""The command-line tools, the only modules that print and exit (library code raises).

- ``python -m dagster_project.cli.pipeline``: run the whole pipeline once (make pipeline)
- ``python -m dagster_project.cli.dictionary check|generate|site``: the governance group's
  tool (make dictionary-check, make dictionary-generate, make docs)
"""
