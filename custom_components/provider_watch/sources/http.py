"""HTTP(S) probe: status codes, an optional keyword, a capped body read."""

from dataclasses import dataclass
from functools import cache
import time

import aiohttp
from yarl import URL

from . import ProbeResult
from .web import failure_reason, read_capped


class InvalidStatusCodesError(ValueError):
    """The expected-status text could not be parsed."""


@dataclass(frozen=True, slots=True)
class StatusCodes:
    """A set of accepted HTTP status codes, e.g. '200-299, 301'."""

    ranges: tuple[tuple[int, int], ...]

    @classmethod
    def parse(cls, text: str) -> StatusCodes:
        """Parse '200-299, 301' into ranges; raise InvalidStatusCodesError when bad."""
        ranges: list[tuple[int, int]] = []
        for raw in text.replace(";", ",").split(","):
            part = raw.strip()
            if not part:
                continue
            low_text, dash, high_text = part.partition("-")
            try:
                low = int(low_text.strip())
                high = int(high_text.strip()) if dash else low
            except ValueError as err:
                raise InvalidStatusCodesError(part) from err
            if not 100 <= low <= high <= 599:
                raise InvalidStatusCodesError(part)
            ranges.append((low, high))
        if not ranges:
            raise InvalidStatusCodesError(text)
        return cls(tuple(ranges))

    def __contains__(self, status: object) -> bool:
        """True when status is accepted."""
        return isinstance(status, int) and any(
            low <= status <= high for low, high in self.ranges
        )


@cache
def _client_timeout(seconds: float) -> aiohttp.ClientTimeout:
    """One aiohttp timeout per length, not one per check."""
    return aiohttp.ClientTimeout(total=seconds)


async def probe_http(
    session: aiohttp.ClientSession,
    url: str | URL,
    *,
    timeout: float,
    expected: StatusCodes,
    keyword: str | None = None,
    verify_tls: bool = True,
) -> ProbeResult:
    """GET url and judge the answer (within `timeout`, the body read included).

    aiohttp's own total timeout (one timer per request), not a second one around it.
    """
    started = time.monotonic()
    try:
        async with session.get(
            url,
            ssl=verify_tls,
            allow_redirects=True,
            max_redirects=10,
            timeout=_client_timeout(timeout),
        ) as response:
            status = response.status
            body = b""
            if keyword:
                body, _truncated = await read_capped(response.content)
    except (TimeoutError, aiohttp.ClientError, OSError, ValueError) as err:
        return ProbeResult.down(failure_reason(err, timeout))
    latency = (time.monotonic() - started) * 1000
    if status not in expected:
        return ProbeResult.down(f"HTTP {status}", latency)
    if keyword and keyword not in body.decode("utf-8", errors="replace"):
        return ProbeResult.down("keyword not found", latency)
    return ProbeResult.up(latency)
