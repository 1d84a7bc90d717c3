"""ICMP echo (ping) probe, privileged first, then unprivileged, like HA's `ping`."""

import asyncio

from icmplib import ICMPLibError, NameLookupError, SocketPermissionError, async_ping

from . import ProbeResult, timeout_reason

PING_COUNT = 3  # echo requests per probe; any reply counts as up


async def icmp_privilege() -> bool | None:
    """Which icmplib mode works here: True (raw), False (datagram) or None (neither)."""
    for privileged in (True, False):
        try:
            await async_ping("127.0.0.1", count=0, timeout=0, privileged=privileged)
        except SocketPermissionError:
            continue
        return privileged
    return None


async def probe_icmp(host: str, timeout: float, privileged: bool | None) -> ProbeResult:
    """Ping host; up when any of the echo requests is answered within the timeout."""
    if privileged is None:
        return ProbeResult.unknown("ICMP not permitted for Home Assistant")
    try:
        async with asyncio.timeout(timeout + 1):
            reply = await async_ping(
                host,
                count=PING_COUNT,
                interval=0.2,
                timeout=max(timeout / PING_COUNT - 0.2, 0.2),
                privileged=privileged,
            )
    except TimeoutError:
        return ProbeResult.down(timeout_reason(timeout))
    except NameLookupError:
        return ProbeResult.down("host name not resolved")
    except ICMPLibError as err:
        return ProbeResult.down(f"ping failed ({type(err).__name__})")
    except OSError as err:
        return ProbeResult.down(f"ping failed ({err.strerror or type(err).__name__})")
    if not reply.is_alive:
        return ProbeResult.down("no reply to ping")
    return ProbeResult.up(reply.avg_rtt)
