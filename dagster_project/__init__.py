"""The city's data pipeline as Dagster definitions (see definitions.py)."""
