"""A provider's cloud API (REST/JSON): the request, the answer, the verdict.

Wire format only: what is sent, how an answer is read and judged. 401/403 mean our
credentials were rejected (never an outage), 429 means "wait" (no evidence), a network
failure or a 5xx means the provider's side is unreachable.
"""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum
import json
import time

import aiohttp

from ..core.state import Outcome
from . import ProbeResult
from .cloud_rule import (
    Combine,
    Comparison,
    RuleVerdict,
    SimpleRule,
    checkin_age_verdict,
    combine,
    evaluate_rule,
    parse_checkin,
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

    def headers(self) -> dict[str, str]:
        """Accept JSON; authenticate with a bearer token or an API-key header."""
        headers = {"Accept": "application/json"}
        if self.auth is AuthType.BEARER and self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.auth is AuthType.API_KEY and self.header_name and self.header_value:
            headers[self.header_name] = self.header_value
        if self.body is not None:
            headers["Content-Type"] = (
                "application/json" if _is_json(self.body) else "text/plain"
            )
        return headers

    def basic_auth(self) -> aiohttp.BasicAuth | None:
        """HTTP basic credentials, when that is the chosen scheme."""
        if self.auth is AuthType.BASIC and self.username:
            return aiohttp.BasicAuth(self.username, self.password or "")
        return None


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
            async with session.request(
                request.method,
                request.url,
                headers=request.headers(),
                data=request.body,
                auth=request.basic_auth(),
                ssl=request.verify_tls,
                allow_redirects=True,
                max_redirects=10,
            ) as response:
                status = response.status
                retry_after = response.headers.get("Retry-After")
                body, truncated = await read_capped(response.content)
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
