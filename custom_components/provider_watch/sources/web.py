"""HTTP plumbing shared by the sources: capped body reads and failure wording."""

import aiohttp

from . import os_error_reason, timeout_reason

MAX_BODY_BYTES = 1024 * 1024  # never read more than 1 MiB of a body


async def read_capped(
    stream: aiohttp.StreamReader, limit: int = MAX_BODY_BYTES
) -> tuple[bytes, bool]:
    """Read a body up to limit bytes: (body, True if there was more)."""
    body = bytearray()
    # read(n) returns what has arrived (up to n), so read until the end or the cap
    while chunk := await stream.read(limit + 1 - len(body)):
        body += chunk
        if len(body) > limit:
            return bytes(body[:limit]), True
    return bytes(body), False


def failure_reason(err: BaseException, timeout: float) -> str:
    """A short reason for a request that failed before a usable answer arrived."""
    if isinstance(err, TimeoutError):
        return timeout_reason(timeout)
    if isinstance(err, aiohttp.TooManyRedirects):
        return "too many redirects"
    if isinstance(err, aiohttp.ClientConnectorCertificateError):
        return f"TLS certificate not valid: {err.certificate_error}"
    if isinstance(err, aiohttp.ClientSSLError):
        return "TLS handshake failed"
    if isinstance(err, aiohttp.ClientConnectorError):
        return os_error_reason(err.os_error)
    if isinstance(err, aiohttp.ClientPayloadError):
        return "response body broken off"
    if isinstance(err, aiohttp.InvalidURL | aiohttp.NonHttpUrlClientError):
        return "invalid URL"
    if isinstance(err, aiohttp.ClientResponseError):
        # aiohttp's parser messages span several lines; the first one is the gist
        gist = str(err.message).strip().splitlines()[:1] or [type(err).__name__]
        return f"bad HTTP response ({gist[0].rstrip(':')})"
    if isinstance(err, aiohttp.ServerDisconnectedError):
        return "connection closed without an answer"
    if isinstance(err, aiohttp.ClientError):
        return f"HTTP error ({type(err).__name__})"
    if isinstance(err, OSError):
        return os_error_reason(err)
    return "invalid URL"  # yarl refuses some URLs with ValueError
