"""Which portal the pipeline and the tests talk to: ``CKAN_URL`` when it is set, else
this local portal (``make portal-up``) with the API token from its 0600 file."""

from __future__ import annotations

import os

from publish.ckan.connection import CkanConnection, connection_from_environment

from .settings import load_settings


def portal_connection() -> CkanConnection:
    if (configured := connection_from_environment()) is not None:
        return configured
    settings = load_settings()
    token = os.environ.get("CKAN_API_TOKEN", "").strip()
    if not token and settings.api_token_file.exists():
        token = settings.api_token_file.read_text().strip()
    return CkanConnection(url=settings.site_url, api_token=token or None)
