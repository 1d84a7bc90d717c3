"""Guards that keep every name lookup on this machine (shared by the fault tests)."""

from collections.abc import Callable
import ipaddress
import socket
from typing import Any

from aiohttp.resolver import ThreadedResolver
import pytest

# RFC 6761: names under .invalid never resolve, anywhere.
UNRESOLVABLE = ".invalid"
LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "", "0.0.0.0", "::"})  # noqa: S104


class LocalResolver(ThreadedResolver):
    """aiohttp's resolver over getaddrinfo; closed with Home Assistant."""

    async def real_close(self) -> None:
        await self.close()


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def guard_name_lookups(
    monkeypatch: pytest.MonkeyPatch, fails: Callable[[str], bool]
) -> None:
    """aiohttp resolves through getaddrinfo, and names for which fails() is true
    fail the way the system resolver fails for an unknown name (EAI_NONAME).

    The test harness makes socket.getaddrinfo raise RuntimeError for every name (so
    nothing is looked up), but aiohttp in Home Assistant resolves with c-ares, which
    would send the query out; here it goes through getaddrinfo too.
    """
    harness = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host or "")
        if fails(name):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return harness(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(
        "homeassistant.helpers.aiohttp_client._async_make_resolver",
        lambda _hass: LocalResolver(),
    )


def unresolvable(name: str) -> bool:
    """Names under .invalid."""
    return name.rstrip(".").endswith(UNRESOLVABLE)


def any_name(name: str) -> bool:
    """Every name but the loopback's and literal addresses: nothing is looked up."""
    return name not in LOCAL_NAMES and not _is_address(name)
