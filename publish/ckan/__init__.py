"""Publishing to a CKAN portal (any CKAN): the connection, the pure mapping of the
dictionary to CKAN's dicts, the idempotent publisher, and the steps of one dataset."""
