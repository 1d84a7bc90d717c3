"""Fixtures of the fault catalogue: the bench, faulty servers, DNS and TLS trust."""

from collections.abc import AsyncGenerator, Callable, Generator
import ssl
from typing import Any

from aiohttp.test_utils import TestClient
import pytest

from homeassistant.core import HomeAssistant
from homeassistant.util import ssl as ssl_util
from testkit.phones import PushGateway
from testkit.simulated import LOCALHOST, SimulatedDevice

from .. import alerting
from ..alerting import add_phone
from ..helpers import setup_internet
from .bench import Bench, collect_logs
from .guards import guard_name_lookups, unresolvable
from .servers import CA_PEM, FaultyCloud, FaultyDevice, FaultyPage

gateway = alerting.gateway
app_client = alerting.app_client


@pytest.fixture(autouse=True)
def local_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Name lookups never leave the machine; .invalid names fail as they do."""
    guard_name_lookups(monkeypatch, unresolvable)


@pytest.fixture(autouse=True)
def trust_test_ca(monkeypatch: pytest.MonkeyPatch) -> None:
    """Home Assistant's verifying TLS context trusts the test CA (and only it).

    Like a machine with the provider's CA installed; no other site is ever reached.
    """
    context = ssl.create_default_context(cadata=CA_PEM)
    context.set_alpn_protocols(["http/1.1"])
    monkeypatch.setattr(ssl_util, "client_context", lambda *_args: context)


@pytest.fixture
def quiet_tls_handshakes(hass: HomeAssistant) -> Generator[None]:
    """The HTTPS test server's side of a handshake the client refused says nothing.

    asyncio reports it to the loop's exception handler ("Error on transport creation
    for incoming connection"), which the harness counts as a failure; Home Assistant
    itself accepts no TLS connection in these tests, so only the server is hushed.
    """
    loop = hass.loop
    handler = loop.get_exception_handler()
    assert handler is not None

    def filtered(the_loop: Any, context: dict[str, Any]) -> None:
        if context.get("message") == (
            "Error on transport creation for incoming connection"
        ):
            return
        handler(the_loop, context)

    loop.set_exception_handler(filtered)
    yield
    loop.set_exception_handler(handler)


@pytest.fixture
async def faulty_device(socket_enabled: None) -> AsyncGenerator[FaultyDevice]:
    async with FaultyDevice() as server:
        yield server


@pytest.fixture
async def faulty_cloud(socket_enabled: None) -> AsyncGenerator[FaultyCloud]:
    async with FaultyCloud() as server:
        yield server


@pytest.fixture
async def faulty_page(socket_enabled: None) -> AsyncGenerator[FaultyPage]:
    async with FaultyPage() as server:
        yield server


@pytest.fixture
def log_records() -> Generator[Any]:
    with collect_logs() as handler:
        yield handler


@pytest.fixture
async def make_bench(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    app_client: TestClient,
    gateway: PushGateway,
    upstream: SimulatedDevice,
    log_records: Any,
    only_loopback_targets: None,
) -> Callable[..., Any]:
    """Build the bench: two phones, the internet check up (its stand-in: upstream)."""

    async def build(freezer: Any = None) -> Bench:
        phones = (
            await add_phone(hass, app_client, gateway, "Pixel"),
            await add_phone(hass, app_client, gateway, "Iphone", ios=True),
        )
        await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
        return Bench(
            hass=hass,
            storage=hass_storage,
            phones=phones,
            logs=log_records,
            freezer=freezer,
        )

    return build
