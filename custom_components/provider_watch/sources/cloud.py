"""A provider's cloud API (REST/JSON): the request, the answer, the verdict.

Wire format only: what is sent, how an answer is read and judged. An answer need
not be JSON: its text is kept, and a rule that needs JSON cannot tell without it.
401/403 mean our credentials were rejected (never an outage), 429 means "wait" (no
evidence), a network failure or a 5xx means the provider's side is unreachable.

Redirects are followed here rather than by aiohttp: aiohttp drops only the
Authorization header when a redirect leaves the origin, and would hand an API-key
header to whatever host the provider (or an attacker who controls a redirect)
points at. Credentials of every kind go to their own origin only: the origin
(scheme, host and port) of the URL they were entered for, never another one a
redirect or a second endpoint (`CloudRequest.another`) leads to. The secret extra
headers and a login's session (its cookie or token) are credentials too; the plain
extra headers (an API version, say) go wherever the request goes.
"""

import asyncio
import base64
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum
import json
import re
import time
from typing import Final

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
    is_body_rule,
)
from .statuspage import parse_retry_after
from .web import failure_reason, read_capped


class AuthType(StrEnum):
    """How the provider's API wants to be authenticated."""

    NONE = "none"
    BEARER = "bearer"
    API_KEY = "api_key"
    BASIC = "basic"
    SESSION = "session"  # log in with user name and password (cloud_login.py)


type Headers = tuple[tuple[str, str], ...]


@dataclass(frozen=True, kw_only=True, slots=True)
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
    extra_headers: Headers = ()  # plain: sent wherever the request goes
    secret_headers: Headers = ()  # credentials
    session: Headers = ()  # a login's cookie or token header: credentials
    content_type: str | None = None  # None: JSON when the body is JSON, else text
    # the URL the credentials were entered for (None: this request's own URL);
    # they go to its origin only
    credentials_for: str | None = None

    def another(
        self, url: str, method: str = "GET", body: str | None = None
    ) -> CloudRequest:
        """Another request: the credentials go along to their own origin only."""
        return replace(
            self,
            url=url,
            method=method,
            body=body,
            credentials_for=self.credentials_for or self.url,
        )

    def headers(self, *, credentials: bool = True) -> dict[str, str]:
        """Accept JSON; the extra headers; the credentials when `credentials`.

        Authenticate with a bearer token, an API key, basic auth or a login's
        session, and the secret extra headers. Basic credentials are encoded here
        (UTF-8, RFC 7617) rather than through aiohttp's deprecated `auth=`.
        """
        headers = {"Accept": "application/json"}
        if self.body is not None:
            headers["Content-Type"] = self.content_type or (
                "application/json" if _is_json(self.body) else "text/plain"
            )
        headers.update(self.extra_headers)
        if credentials:
            headers.update(self._credentials())
        return headers

    def shown(self, mask: str) -> list[str]:
        """What is sent, each credential's value masked.

        The request line, the headers (credentials only to their own origin) and
        the body.
        """
        own = origin(URL(self.url)) == origin(URL(self.credentials_for or self.url))
        lines = [f"{self.method} {self.url}"]
        plain = self.headers(credentials=False).items()
        lines += [f"{name}: {value}" for name, value in plain]
        if own:
            lines += [f"{name}: {mask}" for name in self._credentials()]
        if self.body is not None:
            lines.append(self.body)
        return lines

    def _credentials(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        if self.auth is AuthType.BEARER and self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.auth is AuthType.API_KEY and self.header_name and self.header_value:
            headers[self.header_name] = self.header_value
        if self.auth is AuthType.BASIC and self.username:
            pair = f"{self.username}:{self.password or ''}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        headers.update(self.secret_headers)
        headers.update(self.session)
        return headers


# a header's name (RFC 9110 token); headers aiohttp or the connection own
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
OWN_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection"})


def parse_headers(text: str | None) -> Headers | None:
    """`Name: value` lines as headers; None when a line is not one.

    Blank lines are skipped; a value must not be empty nor hold control
    characters; Host, Content-Length, Transfer-Encoding and Connection are refused.
    """
    headers: list[tuple[str, str]] = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        name, colon, value = (part.strip() for part in line.partition(":"))
        if (
            not colon
            or not value
            or not _HEADER_NAME.fullmatch(name)
            or name.casefold() in OWN_HEADERS
            or any(ord(char) < 32 or ord(char) == 127 for char in value)
        ):
            return None
        headers.append((name, value))
    return tuple(headers)


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


class _NotJson:
    """What an answer that is not JSON decodes to."""

    def __repr__(self) -> str:
        return "NOT_JSON"


NOT_JSON: Final = _NotJson()
NOT_JSON_REASON: Final = "provider API did not send valid JSON"


@dataclass(frozen=True, kw_only=True, slots=True)
class CloudAnswer:
    """The answer: its text, and its JSON or NOT_JSON.

    Or the probe result that replaces it when there is none.
    """

    data: object = None
    text: str = ""
    status: int | None = None
    failure: ProbeResult | None = None
    latency_ms: float | None = None
    cookies: Headers = ()  # what the answer set (for a login), name -> value


async def fetch_json(
    session: aiohttp.ClientSession, request: CloudRequest, timeout: float
) -> CloudAnswer:
    """Send the request and decode the JSON answer; never raises."""
    answer = await fetch(session, request, timeout)
    if answer.failure is None and answer.data is NOT_JSON:
        return replace(answer, data=None, failure=ProbeResult.unknown(NOT_JSON_REASON))
    return answer


async def fetch(
    session: aiohttp.ClientSession, request: CloudRequest, timeout: float
) -> CloudAnswer:
    """Send the request; its text, and its JSON when it is JSON; never raises."""
    started = time.monotonic()
    try:
        async with asyncio.timeout(timeout):
            exchanged = await _exchange(session, request)
            status, retry_after, body, truncated = exchanged[:4]
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
    text = body.decode("utf-8", errors="replace")
    try:
        data = json.loads(body)
    except ValueError, RecursionError:
        data = NOT_JSON
    return CloudAnswer(
        data=data,
        text=text,
        status=status,
        latency_ms=latency,
        cookies=exchanged[4],
    )


MAX_REDIRECTS = 10
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class _TooManyRedirectsError(Exception):
    """The provider's API kept redirecting."""


async def _exchange(
    session: aiohttp.ClientSession, request: CloudRequest
) -> tuple[int, str | None, bytes, bool, Headers]:
    """Send the request, following redirects.

    Returns (status, Retry-After, body, truncated, the cookies set on the way by
    the request's own origin).

    Credentials (header, token, basic auth) are sent to their own origin only (the
    origin of the URL they were entered for); a request or a hop to another scheme,
    host or port gets none. 303, and 301/302 after a POST, continue as a GET without
    the body, as browsers and aiohttp do.
    """
    url = URL(request.url)
    owner = origin(URL(request.credentials_for or request.url))
    method, body = request.method, request.body
    cookies: dict[str, str] = {}
    for _ in range(MAX_REDIRECTS + 1):
        hop = replace(request, method=method, body=body)
        own = origin(url) == owner
        async with session.request(
            method,
            url,
            headers=hop.headers(credentials=own),
            data=body,
            ssl=request.verify_tls,
            allow_redirects=False,
        ) as response:
            if own:
                cookies.update(
                    (name, morsel.value) for name, morsel in response.cookies.items()
                )
            status = response.status
            location = response.headers.get("Location")
            if status not in _REDIRECTS or not location:
                retry_after = response.headers.get("Retry-After")
                content, truncated = await read_capped(response.content)
                return status, retry_after, content, truncated, tuple(cookies.items())
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


@dataclass(frozen=True, kw_only=True, slots=True)
class CheckinRule:
    """Where the last check-in time is, and how old it may be."""

    rule: SimpleRule  # its path (and device filter) locate the timestamp
    max_age: timedelta
    naive_tz: tzinfo
    time_format: str | None = None  # strptime-style; None: ISO 8601 or epoch


def judge_answer(answer: CloudAnswer, rule: SimpleRule) -> RuleVerdict:
    """One rule on an answer: the raw text for a body rule, else the JSON."""
    if is_body_rule(rule):
        return evaluate_rule(answer.text, rule)
    if answer.data is NOT_JSON:
        return RuleVerdict(online=None, reason=NOT_JSON_REASON)
    return evaluate_rule(answer.data, rule)


def checkin_time(answer: CloudAnswer, checkin: CheckinRule) -> datetime | None:
    """The last check-in time in the answer; None when there is none."""
    if answer.data is NOT_JSON:
        return None
    found = evaluate_rule(answer.data, checkin.rule)
    return parse_checkin(found.value, checkin.naive_tz, checkin.time_format)


def judge(
    answer: CloudAnswer,
    rules: Sequence[SimpleRule],
    *,
    checkin: CheckinRule | None = None,
    extra: Sequence[RuleVerdict] = (),
    now: datetime,
    quiet: bool = False,
) -> RuleVerdict:
    """Every rule (and a fresh check-in, outside a quiet window) must say online."""
    verdicts = [judge_answer(answer, rule) for rule in rules]
    verdicts.extend(extra)
    if checkin is not None and not quiet:
        when = checkin_time(answer, checkin)
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
