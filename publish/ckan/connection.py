"""A connection to a CKAN portal, with timeouts and retries.

Any CKAN: the URL and API token come from the caller (``CKAN_URL`` / ``CKAN_API_TOKEN``
through :func:`connection_from_environment`, or the local portal's own settings in
``publish/portal/connection.py``). The token is never printed, logged or put in a repr.

Timeouts: every call has a connect and a read timeout (a hung portal fails the step
instead of hanging the run). Retries: a refused connection or a 502/503/504 from a proxy
is retried with backoff (the request did not reach CKAN, or CKAN was restarting); a read
timeout is not retried, since a write may have happened (the publisher is idempotent and
converges on the next run).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import ckanapi
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .multipart import MultipartBody

USER_AGENT = "city-data-platform/0.1 (open-data publisher)"
CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 300.0  # an upload of a large file or a DataStore load may take minutes


class TimedRemoteCKAN(ckanapi.RemoteCKAN):
    """ckanapi's client with a default timeout on every action call."""

    def __init__(self, *args, timeout: tuple[float, float], retries: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.timeout = timeout
        self.retries = retries

    def another(self) -> TimedRemoteCKAN:
        """The same portal, user and timeouts, on an HTTP session of its own: for calls
        made on another thread beside this client's (a requests session is not meant to
        be shared between threads)."""
        return TimedRemoteCKAN(
            self.address,
            apikey=self.apikey,
            user_agent=self.user_agent,
            session=retrying_session(self.retries),
            timeout=self.timeout,
            retries=self.retries,
        )

    def call_action(
        self, action, data_dict=None, context=None, apikey=None, files=None, requests_kwargs=None
    ):
        requests_kwargs = {"timeout": self.timeout, **(requests_kwargs or {})}
        return super().call_action(action, data_dict, context, apikey, files, requests_kwargs)

    def _request_fn(self, url, data, headers, files, requests_kwargs):
        """Uploads stream from disk (``MultipartBody``) instead of requests' ``files=``,
        which holds each file in memory twice. (ckanapi 4.x's hook for the POST.)"""
        if not files:
            return super()._request_fn(url, data, headers, files, requests_kwargs)
        body = MultipartBody(data, files)
        response = self.session.post(
            url,
            data=body,
            headers={**headers, "Content-Type": body.content_type},
            allow_redirects=False,  # as ckanapi: a redirected POST would lose its body
            **requests_kwargs,
        )
        return response.status_code, response.text


def retrying_session(retries: int) -> requests.Session:
    retry = Retry(
        total=retries,
        connect=retries,
        read=0,
        status=retries,
        status_forcelist=(502, 503, 504),
        allowed_methods=None,
        backoff_factor=0.5,
        raise_on_status=False,
    )
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    return session


@dataclass(frozen=True)
class CkanConnection:
    url: str
    api_token: str | None = field(default=None, repr=False)  # never in logs or reprs
    timeout: tuple[float, float] = (CONNECT_TIMEOUT_S, READ_TIMEOUT_S)
    retries: int = 3

    def client(self, authenticated: bool = True) -> ckanapi.RemoteCKAN:
        """A ckanapi client; ``authenticated=False`` sees the portal as the public does."""
        return TimedRemoteCKAN(
            self.url,
            apikey=self.api_token if authenticated else None,
            user_agent=USER_AGENT,
            session=retrying_session(self.retries),
            timeout=self.timeout,
            retries=self.retries,
        )


def connection_from_environment() -> CkanConnection | None:
    """The portal named by ``CKAN_URL`` (and ``CKAN_API_TOKEN``), or None when unset."""
    url = os.environ.get("CKAN_URL", "").strip()
    if not url:
        return None
    token = os.environ.get("CKAN_API_TOKEN", "").strip()
    return CkanConnection(url=url.rstrip("/"), api_token=token or None)
