"""Probes against real servers on 127.0.0.1."""

import socket
from typing import Any

import pytest

from custom_components.provider_watch.logic.state import Outcome
from custom_components.provider_watch.sources.http import (
    InvalidStatusCodesError,
    StatusCodes,
    probe_http,
)
from custom_components.provider_watch.sources.icmp import icmp_privilege, probe_icmp
from custom_components.provider_watch.sources.tcp import probe_tcp
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from testkit.simulated import LOCALHOST, BlackHole, SimulatedDevice, free_port


async def test_tcp_open_port_is_up(device: SimulatedDevice) -> None:
    result = await probe_tcp(LOCALHOST, device.port, timeout=2)
    assert result.outcome is Outcome.UP
    assert result.latency_ms is not None


async def test_tcp_refused_is_down_at_once(socket_enabled: None) -> None:
    result = await probe_tcp(LOCALHOST, free_port(), timeout=5)
    assert result.outcome is Outcome.DOWN
    assert result.reason == "connection refused"


def resolving(
    monkeypatch: pytest.MonkeyPatch, hass: HomeAssistant, *ports: int
) -> None:
    """The name panel.test resolves to 127.0.0.1 at these ports, in this order.

    (The event loop's resolver stands in for DNS: tests send no query off the
    machine.)
    """

    async def getaddrinfo(host: str, port: int, **_kw: object) -> list[Any]:
        assert host == "panel.test"
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (LOCALHOST, p)) for p in ports
        ]

    monkeypatch.setattr(hass.loop, "getaddrinfo", getaddrinfo)


async def test_tcp_name_tries_each_address(
    hass: HomeAssistant, device: SimulatedDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name is resolved; an address that refuses is not the verdict if the next
    accepts."""
    resolving(monkeypatch, hass, free_port(), device.port)
    result = await probe_tcp("panel.test", 0, timeout=2)
    assert result.outcome is Outcome.UP


async def test_tcp_name_every_address_refused(
    hass: HomeAssistant, socket_enabled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolving(monkeypatch, hass, free_port(), free_port())
    result = await probe_tcp("panel.test", 0, timeout=5)
    assert result.outcome is Outcome.DOWN
    assert result.reason == "connection refused"


async def test_tcp_timeout_is_down_with_timeout_reason(black_hole: BlackHole) -> None:
    result = await probe_tcp(LOCALHOST, black_hole.port, timeout=1)
    assert result.outcome is Outcome.DOWN
    assert result.reason == "timeout after 1 s"


@pytest.mark.parametrize(
    ("text", "accepted", "rejected"),
    [
        ("200", [200], [201, 404]),
        ("200-299, 301", [200, 250, 299, 301], [300, 302, 500]),
        (" 204 ; 418 ", [204, 418], [200]),
    ],
)
def test_status_codes(text: str, accepted: list[int], rejected: list[int]) -> None:
    codes = StatusCodes.parse(text)
    assert all(code in codes for code in accepted)
    assert not any(code in codes for code in rejected)
    assert "200" not in codes


@pytest.mark.parametrize("text", ["", "abc", "700", "300-200", "200-", "99", ",,"])
def test_bad_status_codes(text: str) -> None:
    with pytest.raises(InvalidStatusCodesError):
        StatusCodes.parse(text)


async def test_http_status_keyword_and_errors(
    hass: HomeAssistant, device: SimulatedDevice
) -> None:
    session = async_get_clientsession(hass)
    ok = StatusCodes.parse("200-299")

    async def probe(
        url: str = device.url, keyword: str | None = None
    ) -> tuple[Outcome, str | None]:
        result = await probe_http(session, url, timeout=1, expected=ok, keyword=keyword)
        return result.outcome, result.reason

    assert await probe() == (Outcome.UP, None)
    assert await probe(keyword="system OK") == (Outcome.UP, None)
    assert await probe(keyword="absent") == (Outcome.DOWN, "keyword not found")
    device.status = 500
    assert await probe() == (Outcome.DOWN, "HTTP 500")
    device.status = 200
    loop_url = f"http://{LOCALHOST}:{device.port}/redirect-loop"
    assert await probe(loop_url) == (Outcome.DOWN, "too many redirects")
    device.hang = True
    assert await probe() == (Outcome.DOWN, "timeout after 1 s")
    await device.stop()
    assert await probe() == (Outcome.DOWN, "connection refused")


async def test_http_reads_at_most_one_mebibyte(
    hass: HomeAssistant, device: SimulatedDevice
) -> None:
    device.body = "x" * (3 * 1024 * 1024) + "needle"
    result = await probe_http(
        async_get_clientsession(hass),
        device.url,
        timeout=5,
        expected=StatusCodes.parse("200"),
        keyword="needle",
    )
    # the keyword sits past the 1 MiB cap, so it is not seen
    assert (result.outcome, result.reason) == (Outcome.DOWN, "keyword not found")


async def test_http_tls_failure_with_verification(
    hass: HomeAssistant, device: SimulatedDevice
) -> None:
    # a plain-HTTP server spoken to over TLS fails the handshake
    url = f"https://{LOCALHOST}:{device.port}/status"
    result = await probe_http(
        async_get_clientsession(hass), url, timeout=2, expected=StatusCodes.parse("200")
    )
    assert result.outcome is Outcome.DOWN
    assert result.reason


async def test_icmp_loopback(socket_enabled: None) -> None:
    privileged = await icmp_privilege()
    if privileged is None:
        result = await probe_icmp(LOCALHOST, 2, privileged)
        assert result.outcome is Outcome.UNKNOWN
        return
    result = await probe_icmp(LOCALHOST, 2, privileged)
    assert result.outcome is Outcome.UP
    assert result.latency_ms is not None


async def test_icmp_without_permission_is_unknown_not_down() -> None:
    result = await probe_icmp(LOCALHOST, 2, None)
    assert result.outcome is Outcome.UNKNOWN
    assert result.reason == "ICMP not permitted for Home Assistant"
