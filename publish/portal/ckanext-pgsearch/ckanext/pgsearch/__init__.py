"""ckanext-pgsearch: CKAN dataset search on PostgreSQL, for a portal without Solr."""
