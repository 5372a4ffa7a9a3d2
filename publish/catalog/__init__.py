"""Catalog formats that do not depend on the portal software: DCAT-US ``data.json`` and
Frictionless data packages."""
