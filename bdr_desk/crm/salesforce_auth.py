"""Salesforce credentials and sessions: where the instance URL and tokens come from, the connected-app login
(OAuth 2.0 username-password or client-credentials flow) and renewing an expired session once.

The access token lives in a :class:`~bdr_desk.crm.credentials.Secret`, so it never shows in a repr, a message
or a log; a failed login's message has the client secret and the password blanked out.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests

from bdr_desk.crm import credentials
from bdr_desk.crm.connector import ConnectorError
from bdr_desk.crm.http import CrmHttp, kind_for_status, one_line
from bdr_desk.crm.ratelimit import TokenBucket
from bdr_desk.crm.salesforce_schema import SYSTEM

log = logging.getLogger("bdr_desk.crm.salesforce")  # the connector's logger, whichever module logs

DEFAULT_LOGIN_URL = "https://login.salesforce.com"


class SalesforceAuth:
    """Mixed into :class:`~bdr_desk.crm.salesforce.SalesforceConnector`, whose ``__init__`` sets these."""

    _environ: Mapping[str, str] | None
    _oauth_explicit: dict[str, str]  # credentials passed in, by key; they win over environment and keyring
    _instance_url: str | None
    _token: credentials.Secret | None
    _http: CrmHttp | None
    _http_options: dict[str, Any]
    _bucket: TokenBucket
    _oauth_calls: int

    def _cred(self, key: str) -> str | None:
        if key in self._oauth_explicit:
            return self._oauth_explicit[key]
        value, _ = credentials.find_token(SYSTEM, key, environ=self._environ)
        return value

    @property
    def http(self) -> CrmHttp:
        """The HTTP client, created on first use (a connected-app login decides the instance URL)."""
        if self._http is None:
            if self._token is None:
                self._instance_url = self._instance_url or self._cred("instance_url")
                token = None if self._oauth_explicit else self._cred("access_token")
                if token:
                    self._token = credentials.Secret(token)
                else:
                    self._login()
            elif self._instance_url is None:
                self._instance_url = self._cred("instance_url")
            if not self._instance_url:
                raise ConnectorError("config", "no Salesforce instance URL: set "
                                               f"{credentials.env_var(SYSTEM, 'instance_url')} or pass it")
            self._http = CrmHttp(self._instance_url, self._auth_header, bucket=self._bucket,
                                 label="Salesforce", refresh_auth=self._refresh, **self._http_options)
        return self._http

    def _auth_header(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token.reveal()}"} if self._token else {}

    def _can_login(self) -> bool:
        return bool(self._cred("client_id") and self._cred("client_secret"))

    def _refresh(self) -> bool:
        """On a 401: log in again if a connected app is configured (a bare access token cannot be renewed)."""
        if not self._can_login():
            return False
        try:
            self._login()
        except ConnectorError as exc:
            log.info("Salesforce session renewal failed: %s", exc)
            return False
        return True

    def _login(self) -> None:
        """OAuth 2.0 token request (username-password or client-credentials flow)."""
        client_id, client_secret = self._cred("client_id"), self._cred("client_secret")
        if not (client_id and client_secret):
            credentials.get_token(SYSTEM, "access_token", environ=self._environ)  # raises "how to connect"
            raise ConnectorError("config", "no Salesforce access token")  # pragma: no cover
        username, password = self._cred("username"), self._cred("password")
        login_url = (self._cred("login_url") or self._instance_url or DEFAULT_LOGIN_URL).rstrip("/")
        if urlsplit(login_url).scheme not in ("http", "https"):
            raise ConnectorError("config", f"Salesforce login URL must be http(s), not {login_url[:80]!r}")
        form = {"client_id": client_id, "client_secret": client_secret}
        form.update({"grant_type": "password", "username": username, "password": password}
                    if username and password else {"grant_type": "client_credentials"})
        where = f"Salesforce login {login_url}/services/oauth2/token"
        self._oauth_calls += 1
        try:
            resp = requests.post(f"{login_url}/services/oauth2/token", data=form, timeout=(5, 30),
                                 headers={"Accept": "application/json"}, allow_redirects=False)
        except requests.RequestException as exc:
            raise ConnectorError("network", f"{where}: {type(exc).__name__}") from None
        try:
            body = resp.json()
        except ValueError:
            body = {}
        if resp.status_code != 200 or not isinstance(body, dict) or not body.get("access_token"):
            detail = one_line(str(body.get("error_description") or body.get("error") or "")) \
                if isinstance(body, dict) else ""
            for secret in (client_secret, password):
                if secret:
                    detail = detail.replace(secret, "***")
            kind = "auth" if resp.status_code in (400, 401, 403) else kind_for_status(resp.status_code)
            raise ConnectorError(kind, f"{where}: HTTP {resp.status_code}" + (f" — {detail}" * bool(detail)))
        self._token = credentials.Secret(str(body["access_token"]))
        if body.get("instance_url") and self._http is None:  # the org's own URL, from the login answer
            self._instance_url = str(body["instance_url"])
