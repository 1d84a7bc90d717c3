"""Atlassian Statuspage v2: a capped, safe fetch of summary.json.

A status page that cannot be read is never an outage: fetch_status_page then
returns no report and a short reason, and the caller treats the provider's status
as unknown.
"""

import asyncio
import json

import aiohttp

from .statuspage import (
    StatusPageFormatError,
    StatusPageResult,
    parse_retry_after,
    parse_summary,
)
from .web import MAX_BODY_BYTES, failure_reason, read_capped

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_UTF8_BOM = b"\xef\xbb\xbf"


async def fetch_status_page(
    session: aiohttp.ClientSession, url: str, timeout: float
) -> StatusPageResult:
    """GET a summary.json URL (see summary_url) and read it; never raises."""
    try:
        async with asyncio.timeout(timeout):
            async with session.get(
                url,
                headers={"Accept": "application/json"},
                allow_redirects=True,
                max_redirects=10,
            ) as response:
                refused = _refusal(response)
                if refused is not None:
                    return refused
                body, truncated = await read_capped(response.content)
    except (TimeoutError, aiohttp.ClientError, OSError, ValueError) as err:
        return StatusPageResult.unknown(_failure_reason(err, timeout))
    if truncated:
        return _too_large()
    return _decode(body)


def _failure_reason(err: Exception, timeout: float) -> str:
    """A short reason for a fetch that failed before a body was read."""
    return f"status page unreachable: {failure_reason(err, timeout)}"


def _refusal(response: aiohttp.ClientResponse) -> StatusPageResult | None:
    """A result when the answer is unusable before its body is read."""
    if not 200 <= response.status < 300:
        return StatusPageResult.unknown(
            f"status page answered HTTP {response.status}",
            parse_retry_after(response.headers.get("Retry-After")),
        )
    if response.content_type in _HTML_TYPES:
        return _html()
    if response.content_length is not None and response.content_length > (
        MAX_BODY_BYTES
    ):
        return _too_large()
    return None


def _decode(body: bytes) -> StatusPageResult:
    """Decode and parse a complete body."""
    start = body.removeprefix(_UTF8_BOM).lstrip()[:1]
    if not start:
        return StatusPageResult.unknown("status page sent an empty answer")
    try:
        data = json.loads(body)
    except ValueError, RecursionError:
        if start == b"<":
            return _html()
        if start in (b"{", b"["):
            return StatusPageResult.unknown(
                "status page sent broken JSON (truncated or malformed)"
            )
        return StatusPageResult.unknown("status page did not send JSON")
    try:
        return StatusPageResult(report=parse_summary(data))
    except StatusPageFormatError as err:
        return StatusPageResult.unknown(
            f"status page JSON has an unexpected shape: {err}"
        )


def _html() -> StatusPageResult:
    return StatusPageResult.unknown("status page sent HTML, not JSON")


def _too_large() -> StatusPageResult:
    return StatusPageResult.unknown(
        f"status page answer is larger than {MAX_BODY_BYTES // (1024 * 1024)} MiB"
    )
