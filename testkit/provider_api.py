"""A provider API on 127.0.0.1 that demands the shapes real provider APIs demand.

Where tests/provider_cloud.py is a plain device list, this stands in for the APIs
that did not fit the cloud form's first version (issue 20), and refuses anything
but exactly what they want:

- GET /v2/sites: two credentials at once (`Authorization: Bearer TOKEN` and
  `X-Api-Key: KEY`) plus `X-Api-Version: 2`; the gateways are nested two lists
  deep (`$.account.sites[*].gateways[*]`), and each sends its last check-in as
  yyMMddHHmmss digits in UTC (`last`, e.g. "270115115800").
- POST /auth/login: a form `user=...&pass=...`; sets the session cookie `sid`.
  POST /auth/token: JSON `{"user": ..., "pass": ...}`; answers
  `{"data": {"token": ...}}`. A wrong password gets 401.
- GET /portal/status: needs a live session (the cookie `sid`, or the header
  `X-Auth-Token`); answers an HTML page, not JSON. `expire()` ends every
  session: the next request gets 401.
- POST /v2/alarms: only a POST with exactly the JSON body `{"query": "alarms"}`
  (and the same credentials as /v2/sites); a GET gets 405, another body 400.

Every request is recorded in `requests`; `hits(path)` counts them.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
import json
import secrets
from typing import Any

from aiohttp import web

from .simulated import LocalServer

TOKEN = "tok-shape-6a1f0c93d2"  # noqa: S105
API_KEY = "key-shape-b7e4419a0c"
USER = "owner@example.com"
PASSWORD = "pw-shape-&=?+ 1"  # noqa: S105 - needs escaping in a form and in JSON
STAMP = "%y%m%d%H%M%S"


@dataclass
class Gateway:
    """One gateway of a site."""

    serial: str
    state: str = "up"
    last: datetime | None = None  # None: now


@dataclass(frozen=True)
class Seen:
    """What the API received."""

    method: str
    path: str
    headers: dict[str, str]
    body: str
    query: str = ""


@dataclass
class Sessions:
    """The live sessions: cookie values and tokens."""

    cookies: set[str] = field(default_factory=set)
    tokens: set[str] = field(default_factory=set)


class ProviderApi(LocalServer):
    """A provider API with two sites: home (GW-1, GW-2) and barn (GW-3)."""

    def __init__(self) -> None:
        super().__init__()
        self.token = TOKEN
        self.api_key = API_KEY
        self.password = PASSWORD
        self.sites: dict[str, list[Gateway]] = {
            "home": [Gateway("GW-1"), Gateway("GW-2")],
            "barn": [Gateway("GW-3")],
        }
        self.portal_text = "All systems normal"
        self.active_alarms = 0
        self.sessions = Sessions()
        self.issued: list[str] = []  # every session id and token handed out
        self.requests: list[Seen] = []

    def gateway(self, serial: str) -> Gateway:
        return next(g for gs in self.sites.values() for g in gs if g.serial == serial)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def hits(self, path: str) -> int:
        return sum(1 for request in self.requests if request.path == path)

    def expire(self) -> None:
        """Every session ends: the next request with one gets 401."""
        self.sessions = Sessions()

    def _new_secret(self, kind: str) -> str:
        secret = f"{kind}-{len(self.issued):03d}-{secrets.token_hex(6)}"
        self.issued.append(secret)
        return secret

    # --- handlers ----------------------------------------------------------------

    def add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_route("*", "/{tail:.*}", self._record)

    async def _record(self, request: web.Request) -> web.StreamResponse:
        body = await request.text()
        self.requests.append(
            Seen(
                request.method,
                request.path,
                dict(request.headers),
                body,
                request.rel_url.raw_query_string,
            )
        )
        handler = {
            "/v2/sites": self._sites,
            "/v2/alarms": self._alarms,
            "/auth/login": self._login_form,
            "/auth/token": self._login_json,
            "/portal/status": self._portal,
        }.get(request.path)
        if handler is None:
            raise web.HTTPNotFound
        return await handler(request, body)

    def _two_credentials(self, request: web.Request) -> bool:
        return (
            request.headers.get("Authorization") == f"Bearer {self.token}"
            and request.headers.get("X-Api-Key") == self.api_key
        )

    async def _sites(self, request: web.Request, body: str) -> web.StreamResponse:
        if request.method != "GET":
            raise web.HTTPMethodNotAllowed(request.method, ["GET"])
        if not self._two_credentials(request):
            return web.json_response({"error": "unauthorized"}, status=401)
        if request.headers.get("X-Api-Version") != "2":
            return web.json_response({"error": "version 2 only"}, status=400)
        now = datetime.now(UTC)
        return web.json_response(
            {
                "account": {
                    "sites": [
                        {
                            "id": site,
                            "gateways": [
                                {
                                    "serial": g.serial,
                                    "info": {"serial": g.serial},
                                    "state": g.state,
                                    "last": (g.last or now).strftime(STAMP),
                                }
                                for g in gateways
                            ],
                        }
                        for site, gateways in self.sites.items()
                    ]
                }
            }
        )

    async def _alarms(self, request: web.Request, body: str) -> web.StreamResponse:
        if request.method != "POST":
            raise web.HTTPMethodNotAllowed(request.method, ["POST"])
        if not self._two_credentials(request):
            return web.json_response({"error": "unauthorized"}, status=401)
        try:
            query: Any = json.loads(body)
        except ValueError:
            query = None
        if query != {"query": "alarms"} or request.content_type != "application/json":
            return web.json_response({"error": "bad query"}, status=400)
        return web.json_response({"alarms": {"active": self.active_alarms}})

    async def _login_form(self, request: web.Request, body: str) -> web.StreamResponse:
        if request.method != "POST" or request.content_type != (
            "application/x-www-form-urlencoded"
        ):
            return web.json_response({"error": "form POST only"}, status=400)
        form = await request.post()
        if form.get("user") != USER or form.get("pass") != self.password:
            return web.json_response({"error": "wrong password"}, status=401)
        sid = self._new_secret("sid")
        self.sessions.cookies.add(sid)
        response = web.json_response({"ok": True})
        response.set_cookie("sid", sid, httponly=True)
        return response

    async def _login_json(self, request: web.Request, body: str) -> web.StreamResponse:
        try:
            sent: Any = json.loads(body)
        except ValueError:
            sent = None
        if sent != {"user": USER, "pass": self.password}:
            return web.json_response({"error": "wrong password"}, status=401)
        token = self._new_secret("stok")
        self.sessions.tokens.add(token)
        return web.json_response({"data": {"token": token}})

    async def _portal(self, request: web.Request, body: str) -> web.StreamResponse:
        live = request.cookies.get("sid") in self.sessions.cookies or (
            request.headers.get("X-Auth-Token") in self.sessions.tokens
        )
        if not live:
            return web.json_response({"error": "session expired"}, status=401)
        return web.Response(
            text=f"<html><body><h1>Status</h1><p>{self.portal_text}</p></body></html>",
            content_type="text/html",
        )
