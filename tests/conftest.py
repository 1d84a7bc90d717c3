"""Fixtures: real servers on 127.0.0.1, a provider entry with systems."""

from collections.abc import AsyncGenerator, Generator
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.provider_watch.const import (
    CONF_EXPECTED_STATUS,
    CONF_FAILURES_BEFORE_OFFLINE,
    CONF_KIND,
    CONF_POLL_INTERVAL,
    CONF_RETRY_INTERVAL,
    CONF_SUCCESSES_BEFORE_ONLINE,
    CONF_SUPPORT_PHONE,
    CONF_TIMEOUT,
    CONF_URL,
    CONF_VERIFY_TLS,
    DOMAIN,
    SUBENTRY_SYSTEM,
)
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant

from .simulated import BlackHole, SimulatedDevice

SYSTEM_ID = "system_alarm_panel"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load custom_components/ in every test."""


@pytest.fixture
async def device(socket_enabled: None) -> AsyncGenerator[SimulatedDevice]:
    """A running simulated device on 127.0.0.1."""
    simulated = SimulatedDevice()
    await simulated.start()
    yield simulated
    await simulated.stop()


@pytest.fixture
def black_hole(socket_enabled: None) -> Generator[BlackHole]:
    """A port on 127.0.0.1 that never completes a connection."""
    hole = BlackHole()
    yield hole
    hole.close()


def http_system(url: str, **overrides: Any) -> dict[str, Any]:
    """Subentry data of an HTTP system with quick, test-friendly timing."""
    return {
        CONF_KIND: "http",
        CONF_URL: url,
        CONF_EXPECTED_STATUS: "200-299",
        CONF_VERIFY_TLS: True,
        CONF_POLL_INTERVAL: 30,
        CONF_TIMEOUT: 2,
        CONF_RETRY_INTERVAL: 5,
        CONF_FAILURES_BEFORE_OFFLINE: 3,
        CONF_SUCCESSES_BEFORE_ONLINE: 2,
    } | overrides


def provider_entry(
    systems: dict[str, dict[str, Any]], title: str = "Acme Alarm"
) -> MockConfigEntry:
    """A provider entry with the given systems (subentry id -> data)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=title,
        data={"name": title, CONF_SUPPORT_PHONE: "+1 555 0100"},
        subentries_data=[
            ConfigSubentryData(
                data=data,
                subentry_id=system_id,
                subentry_type=SUBENTRY_SYSTEM,
                title=system_id.removeprefix("system_").replace("_", " ").capitalize(),
                unique_id=None,
            )
            for system_id, data in systems.items()
        ],
    )


async def setup_entry(hass: HomeAssistant, entry: MockConfigEntry) -> MockConfigEntry:
    """Add and set up a provider entry, and let the first probes finish."""
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    return entry


def internet_entry(*targets: str) -> MockConfigEntry:
    """The internet check's entry; targets default to a closed port on 127.0.0.1."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Internet connection",
        unique_id="internet",
        data={"entry_type": "internet"},
        options={"targets": list(targets) or ["127.0.0.1:9"]},
    )
