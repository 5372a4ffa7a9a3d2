"""Publishing to the city's CKAN open-data portal (mapping, publisher, local portal)."""
