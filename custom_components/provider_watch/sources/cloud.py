"""A provider's cloud API (REST/JSON): the request, the answer, the verdict.

Wire format only: what is sent, how an answer is read and judged. 401/403 mean our
credentials were rejected (never an outage), 429 means "wait" (no evidence), a network
failure or a 5xx means the provider's side is unreachable.

Redirects are followed here rather than by aiohttp: aiohttp drops only the
Authorization header when a redirect leaves the origin, and would hand an API-key
header to whatever host the provider (or an attacker who controls a redirect)
points at. Credentials of every kind go to their own origin only: the origin
(scheme, host and port) of the URL they were entered for, never another one a
redirect or a second endpoint (`CloudRequest.another`) leads to.
"""

import asyncio
import base64
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum
import json
import time

import aiohttp
from yarl import URL

from ..logic.state import Outcome
from . import ProbeResult
from .checkin import checkin_age_verdict, parse_checkin
from .cloud_rule import (
    Combine,
    Comparison,
    RuleVerdict,
    SimpleRule,
    combine,
    evaluate_rule,
)
from .statuspage import parse_retry_after
from .web import failure_reason, read_capped


class AuthType(StrEnum):
    """How the provider's API wants to be authenticated."""

    NONE = "none"
    BEARER = "bearer"
    API_KEY = "api_key"
    BASIC = "basic"


@dataclass(frozen=True, kw_only=True)
class CloudRequest:
    """One request to the provider's API. Its secrets are never logged."""

    url: str
    method: str = "GET"
    body: str | None = None
    auth: AuthType = AuthType.NONE
    token: str | None = None
    header_name: str | None = None
    header_value: str | None = None
    username: str | None = None
    password: str | None = None
    verify_tls: bool = True
    # the URL the credentials were entered for (None: this request's own URL);
    # they go to its origin only
    credentials_for: str | None = None

    def another(self, url: str) -> CloudRequest:
        """A GET of another URL: the credentials go along to their own origin only."""
        return replace(
            self,
            url=url,
            method="GET",
            body=None,
            credentials_for=self.credentials_for or self.url,
        )

    def headers(self) -> dict[str, str]:
        """Accept JSON; authenticate with a bearer token, an API key or basic auth.

        Basic credentials are encoded here (UTF-8, RFC 7617) rather than through
        aiohttp's deprecated `auth=` argument.
        """
        headers = {"Accept": "application/json"}
        if self.auth is AuthType.BEARER and self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.auth is AuthType.API_KEY and self.header_name and self.header_value:
            headers[self.header_name] = self.header_value
        if self.auth is AuthType.BASIC and self.username:
            pair = f"{self.username}:{self.password or ''}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        if self.body is not None:
            headers["Content-Type"] = (
                "application/json" if _is_json(self.body) else "text/plain"
            )
        return headers


type Origin = tuple[str, str | None, int | None]


def origin(url: URL) -> Origin:
    """Scheme, host and port (the default port when none is given)."""
    return url.scheme.lower(), url.host, url.port


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True, kw_only=True)
class CloudAnswer:
    """Decoded JSON, or the probe result that replaces it when there is none."""

    data: object = None
    status: int | None = None
    failure: ProbeResult | None = None
    latency_ms: float | None = None


async def fetch_json(
    session: aiohttp.ClientSession, request: CloudRequest, timeout: float
) -> CloudAnswer:
    """Send the request and decode the JSON answer; never raises."""
    started = time.monotonic()
    try:
        async with asyncio.timeout(timeout):
            status, retry_after, body, truncated = await _exchange(session, request)
    except _TooManyRedirectsError:
        return CloudAnswer(
            failure=_down("provider API unreachable: too many redirects")
        )
    except (TimeoutError, aiohttp.ClientError, OSError, ValueError) as err:
        return CloudAnswer(
            failure=_down(f"provider API unreachable: {failure_reason(err, timeout)}")
        )
    latency = (time.monotonic() - started) * 1000
    if refusal := _refusal(status, retry_after):
        return CloudAnswer(status=status, failure=refusal, latency_ms=latency)
    if truncated:
        return CloudAnswer(
            status=status,
            failure=ProbeResult.unknown("provider API answer is larger than 1 MiB"),
        )
    try:
        data = json.loads(body)
    except ValueError, RecursionError:
        return CloudAnswer(
            status=status,
            failure=ProbeResult.unknown("provider API did not send valid JSON"),
            latency_ms=latency,
        )
    return CloudAnswer(data=data, status=status, latency_ms=latency)


MAX_REDIRECTS = 10
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class _TooManyRedirectsError(Exception):
    """The provider's API kept redirecting."""


async def _exchange(
    session: aiohttp.ClientSession, request: CloudRequest
) -> tuple[int, str | None, bytes, bool]:
    """Send the request, following redirects: (status, Retry-After, body, truncated).

    Credentials (header, token, basic auth) are sent to their own origin only (the
    origin of the URL they were entered for); a request or a hop to another scheme,
    host or port gets none. 303, and 301/302 after a POST, continue as a GET without
    the body, as browsers and aiohttp do.
    """
    url = URL(request.url)
    owner = origin(URL(request.credentials_for or request.url))
    method, body = request.method, request.body
    for _ in range(MAX_REDIRECTS + 1):
        hop = replace(
            request,
            method=method,
            body=body,
            auth=request.auth if origin(url) == owner else AuthType.NONE,
        )
        async with session.request(
            method,
            url,
            headers=hop.headers(),
            data=body,
            ssl=request.verify_tls,
            allow_redirects=False,
        ) as response:
            status = response.status
            location = response.headers.get("Location")
            if status not in _REDIRECTS or not location:
                retry_after = response.headers.get("Retry-After")
                content, truncated = await read_capped(response.content)
                return status, retry_after, content, truncated
            url = response.url.join(URL(location))
        if status == 303 or (status in (301, 302) and method == "POST"):
            method, body = "GET", None
    raise _TooManyRedirectsError


def _down(reason: str) -> ProbeResult:
    return ProbeResult(outcome=Outcome.DOWN, reason=reason, unreachable=True)


def _refusal(status: int, retry_after: str | None) -> ProbeResult | None:
    if status in (401, 403):
        return ProbeResult(
            outcome=Outcome.UNKNOWN,
            reason=f"credentials rejected (HTTP {status})",
            auth_failed=True,
        )
    if status == 429:
        return ProbeResult(
            outcome=Outcome.UNKNOWN,
            reason="rate limited (HTTP 429)",
            retry_after=parse_retry_after(retry_after),
        )
    if not 200 <= status < 300:
        return _down(f"provider API answered HTTP {status}")
    return None


@dataclass(frozen=True, kw_only=True)
class CheckinRule:
    """Where the last check-in time is, and how old it may be."""

    rule: SimpleRule  # its path (and device filter) locate the timestamp
    max_age: timedelta
    naive_tz: tzinfo


def judge(
    data: object,
    rules: Sequence[SimpleRule],
    *,
    checkin: CheckinRule | None = None,
    extra: Sequence[RuleVerdict] = (),
    now: datetime,
    quiet: bool = False,
) -> RuleVerdict:
    """Every rule (and a fresh check-in, outside a quiet window) must say online."""
    verdicts = [evaluate_rule(data, rule) for rule in rules]
    verdicts.extend(extra)
    if checkin is not None and not quiet:
        found = evaluate_rule(data, checkin.rule)
        when = parse_checkin(found.value, checkin.naive_tz)
        verdicts.append(checkin_age_verdict(when, now, checkin.max_age))
    return combine(verdicts, Combine.ALL)


def locate(rule: SimpleRule) -> SimpleRule:
    """The same path and device filter, used only to read a value."""
    return SimpleRule(
        path=rule.path,
        comparison=Comparison.TRUTHY,
        filter_path=rule.filter_path,
        id_key=rule.id_key,
        id_value=rule.id_value,
    )


def verdict_result(verdict: RuleVerdict, latency_ms: float | None) -> ProbeResult:
    """A rule verdict as a probe result."""
    if verdict.online is True:
        return ProbeResult.up(latency_ms)
    if verdict.online is False:
        return ProbeResult.down(verdict.reason or "the rule says offline", latency_ms)
    return ProbeResult.unknown(verdict.reason or "the rule could not tell")
