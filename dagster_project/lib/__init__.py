"""Pure helpers the Dagster assets call: no Dagster imports here, all unit-tested."""
