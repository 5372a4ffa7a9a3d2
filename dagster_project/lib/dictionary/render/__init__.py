"""Renderers of the rule model, one module per target, each a mapping of rule kind ->
what that target says for a rule of that kind (see ../README.md)."""
