"""TCP connect probe."""

import asyncio
import time

from . import ProbeResult, os_error_reason, timeout_reason


async def probe_tcp(host: str, port: int, timeout: float) -> ProbeResult:
    """Open (and close) a TCP connection to host:port."""
    started = time.monotonic()
    try:
        async with asyncio.timeout(timeout):
            _reader, writer = await asyncio.open_connection(host, port)
    except TimeoutError:
        return ProbeResult.down(timeout_reason(timeout))
    except OSError as err:
        return ProbeResult.down(os_error_reason(err))
    latency = (time.monotonic() - started) * 1000
    writer.close()
    try:
        async with asyncio.timeout(timeout):
            await writer.wait_closed()
    except TimeoutError, OSError:
        pass
    return ProbeResult.up(latency)
