"""Fixtures: real servers on 127.0.0.1 and the internet check (helpers: helpers.py)."""

from collections.abc import AsyncGenerator, Generator
from unittest.mock import PropertyMock, patch

import pytest

from custom_components.provider_watch.monitoring.internet import DEFAULT_TARGETS
from homeassistant.const import STATE_ON
from homeassistant.core import HomeAssistant
from testkit.simulated import LOCALHOST, BlackHole, SimulatedDevice

from .helpers import INTERNET, internet_entries, setup_internet, state
from .provider_cloud import ProviderCloud
from .statuspage_server import StatusPageServer

LOOPBACK_PREFIXES = (f"{LOCALHOST}:", f"http://{LOCALHOST}:", f"https://{LOCALHOST}:")


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load custom_components/ in every test."""


@pytest.fixture(autouse=True)
def all_entities_enabled(request: pytest.FixtureRequest) -> Generator[None]:
    """Tests see every entity, also those off by default (as HA core's fixture
    `entity_registry_enabled_by_default` does); a test marked `entity_defaults`
    sees what a new user sees.
    """
    if "entity_defaults" in request.keywords:
        yield
        return
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


@pytest.fixture
async def device(socket_enabled: None) -> AsyncGenerator[SimulatedDevice]:
    """A running simulated device on 127.0.0.1."""
    async with SimulatedDevice() as simulated:
        yield simulated


@pytest.fixture
async def upstream(socket_enabled: None) -> AsyncGenerator[SimulatedDevice]:
    """A server on 127.0.0.1 standing in for "the internet" (switchable)."""
    async with SimulatedDevice() as server:
        yield server


@pytest.fixture
async def cloud(socket_enabled: None) -> AsyncGenerator[ProviderCloud]:
    """The provider's cloud API on 127.0.0.1, with bearer authentication."""
    async with ProviderCloud() as simulated:
        yield simulated


@pytest.fixture
async def page(socket_enabled: None) -> AsyncGenerator[StatusPageServer]:
    """The provider's status page (Statuspage v2) on 127.0.0.1."""
    async with StatusPageServer() as server:
        yield server


@pytest.fixture
def black_hole(socket_enabled: None) -> Generator[BlackHole]:
    """A port on 127.0.0.1 that never completes a connection."""
    hole = BlackHole()
    yield hole
    hole.close()


@pytest.fixture
async def internet(hass: HomeAssistant, device: SimulatedDevice) -> SimulatedDevice:
    """The internet check, set up with one target: a listening port on 127.0.0.1.

    Stop the returned server and the check fails (connection refused).
    """
    await setup_internet(hass, f"{LOCALHOST}:{device.port}")
    assert state(hass, INTERNET) == STATE_ON
    return device


@pytest.fixture
def only_loopback_targets(hass: HomeAssistant) -> Generator[None]:
    """No internet entry of a test may probe anything but 127.0.0.1."""
    yield
    for entry in internet_entries(hass):
        targets = entry.options.get("targets") or entry.data.get("targets") or []
        assert targets, "an internet entry without targets"
        assert all(t.startswith(LOOPBACK_PREFIXES) for t in targets), targets
        assert not set(targets) & set(DEFAULT_TARGETS)
