"""How the pipeline (and the tests) reach the CKAN portal.

A real portal: set ``CKAN_URL`` and ``CKAN_API_TOKEN``. Otherwise the local portal
(``make portal-up``): its URL from the portal settings and its token from the 0600
file the portal wrote. The token is read, never printed or logged.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import ckanapi

from publish.portal.settings import load_settings

USER_AGENT = "city-data-platform/0.1 (open-data publisher)"


@dataclass(frozen=True)
class PortalConnection:
    url: str
    api_token: str | None = field(default=None, repr=False)  # never in logs or reprs

    def client(self, authenticated: bool = True) -> ckanapi.RemoteCKAN:
        """A ckanapi client; ``authenticated=False`` sees the portal as the public does."""
        return ckanapi.RemoteCKAN(
            self.url, apikey=self.api_token if authenticated else None, user_agent=USER_AGENT
        )


def portal_connection() -> PortalConnection:
    url = os.environ.get("CKAN_URL", "").strip()
    token = os.environ.get("CKAN_API_TOKEN", "").strip()
    if url:
        return PortalConnection(url=url.rstrip("/"), api_token=token or None)
    settings = load_settings()
    token_file = settings.api_token_file
    if not token and token_file.exists():
        token = token_file.read_text().strip()
    return PortalConnection(url=settings.site_url, api_token=token or None)
