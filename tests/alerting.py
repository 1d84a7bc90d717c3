"""Support for the phone-alert tests: fixtures, fake phones, outages, lookups.

Test modules bind the fixtures they use by name (``gateway = alerting.gateway``).
Everything is real: mobile_app registrations over HA's HTTP API, pushes to a gateway
on 127.0.0.1, systems that are real servers switched off and on, time travel only.
"""

from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_get_persistent_notifications,
)

from custom_components.provider_watch.alerting.manager import AlertManager
from custom_components.provider_watch.const import DOMAIN
from custom_components.provider_watch.hub import DATA_ALERTS
from homeassistant.config_entries import ConfigEntryState, ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from testkit.phones import ANDROID, IOS, PushGateway, register_phone
from testkit.simulated import LOCALHOST, SimulatedDevice

from .helpers import (
    advance,
    http_system,
    provider_entry,
    settle,
    setup_entry,
    setup_internet,
)

PROVIDER = "Acme Alarm"
PANEL = "system_alarm_panel"
LOCK = "system_door_lock"
LEAK = "system_leak_sensor"
ALERTS_STORE = "provider_watch.alerts"
MINUTE = 60
HOUR = 3600
OFFLINE = "Alarm panel is offline"
BACK = "Alarm panel is back online"
STILL = "Alarm panel is still offline"


# --- fixtures (bound by name in the test modules) ---------------------------------


@pytest.fixture
async def gateway(socket_enabled: None) -> AsyncGenerator[PushGateway]:
    """The fake push relay on 127.0.0.1."""
    server = PushGateway()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def app_client(hass: HomeAssistant, hass_client: Any) -> TestClient:
    """An authenticated client of HA's HTTP API, with mobile_app loaded."""
    assert await async_setup_component(hass, "mobile_app", {})
    await hass.async_block_till_done()
    client: TestClient = await hass_client()
    return client


@pytest.fixture
async def second(socket_enabled: None) -> AsyncGenerator[SimulatedDevice]:
    """A second simulated device on 127.0.0.1."""
    async with SimulatedDevice() as simulated:
        yield simulated


@pytest.fixture
async def third(socket_enabled: None) -> AsyncGenerator[SimulatedDevice]:
    """A third simulated device on 127.0.0.1."""
    async with SimulatedDevice() as simulated:
        yield simulated


@pytest.fixture
async def android(
    hass: HomeAssistant, app_client: TestClient, gateway: PushGateway
) -> FakePhone:
    """An Android phone "Pixel" registered with the Companion app."""
    return await add_phone(hass, app_client, gateway, "Pixel")


@pytest.fixture
async def iphone(
    hass: HomeAssistant, app_client: TestClient, gateway: PushGateway
) -> FakePhone:
    """An iPhone "Iphone" registered with the Companion app."""
    return await add_phone(hass, app_client, gateway, "Iphone", ios=True)


# --- phones -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class FakePhone:
    """A registered fake phone: its registration, device id and what it received."""

    registration: dict[str, Any]
    device_id: str
    gateway: PushGateway
    ios: bool = False

    def body(self, sent: dict[str, Any]) -> dict[str, Any]:
        """The exact JSON mobile_app posts to the relay for `sent` (service data)."""
        app = IOS if self.ios else ANDROID
        return sent | {
            "push_token": self.token,
            "registration_info": {
                "app_id": app["app_id"],
                "app_version": app["app_version"],
                "webhook_id": self.webhook_id,
                "os_version": app["os_version"],
            },
        }

    @property
    def token(self) -> str:
        return str(self.registration["push_token"])

    @property
    def webhook_id(self) -> str:
        return str(self.registration["webhook_id"])

    @property
    def pushes(self) -> list[dict[str, Any]]:
        """Every push HA sent to this phone, oldest first."""
        return self.gateway.to(self.token)

    @property
    def titles(self) -> list[str]:
        """The titles (or the command message) of the pushes, oldest first."""
        return [p.get("title") or p["message"] for p in self.pushes]


def phone_device(hass: HomeAssistant, registration: dict[str, Any]) -> str:
    """The device-registry id of a registered phone."""
    wanted = ("mobile_app", f"phone-{registration['device_name'].lower()}")
    for entry in hass.config_entries.async_entries("mobile_app"):
        device = dr.async_get(hass).async_get_device_by_identifier(
            wanted, entry.entry_id
        )
        if device is not None:
            return device.id
    raise AssertionError(f"no device for {wanted}")


async def add_phone(
    hass: HomeAssistant,
    client: TestClient,
    gateway: PushGateway,
    name: str,
    *,
    ios: bool = False,
) -> FakePhone:
    """Register a fake phone through the Companion-app registration API."""
    registration = await register_phone(client, gateway, name, ios=ios)
    await settle(hass)
    return FakePhone(
        registration=registration,
        device_id=phone_device(hass, registration),
        gateway=gateway,
        ios=ios,
    )


def mobile_app_entry(hass: HomeAssistant, phone: FakePhone) -> str:
    """The mobile_app config entry id of a phone."""
    for entry in hass.config_entries.async_entries("mobile_app"):
        if entry.data["webhook_id"] == phone.webhook_id:
            return entry.entry_id
    raise AssertionError(f"no mobile_app entry for {phone.registration}")


# --- providers and outages --------------------------------------------------------


async def setup_provider(
    hass: HomeAssistant,
    systems: dict[str, SimulatedDevice],
    *,
    title: str = PROVIDER,
    options: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> MockConfigEntry:
    """A provider whose systems are the given simulated devices (HTTP), set up.

    data replaces the provider's contacts (default: the support phone +1 555 0100).
    """
    entry = provider_entry(
        {system_id: http_system(dev.url) for system_id, dev in systems.items()},
        title=title,
        options=options,
    )
    if data is not None:
        entry = MockConfigEntry(
            domain=DOMAIN,
            title=title,
            data={"name": title, **data},
            options=options or {},
            subentries_data=[
                ConfigSubentryData(
                    data=sub.data,
                    subentry_id=sub.subentry_id,
                    subentry_type=sub.subentry_type,
                    title=sub.title,
                    unique_id=None,
                )
                for sub in entry.subentries.values()
            ],
        )
    return await setup_entry(hass, entry)


async def alerting_provider(
    hass: HomeAssistant,
    upstream: SimulatedDevice,
    systems: dict[str, SimulatedDevice],
    **options: Any,
) -> str:
    """The internet check and Acme Alarm with these options; its entry id."""
    await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
    entry = await setup_provider(hass, systems, options=options)
    return entry.entry_id


async def alerting_entry(
    hass: HomeAssistant,
    upstream: SimulatedDevice,
    systems: dict[str, SimulatedDevice],
    *phones: FakePhone,
) -> MockConfigEntry:
    """The internet check and Acme Alarm, alerting these phones; its entry."""
    entry_id = await alerting_provider(
        hass, upstream, systems, phones=[phone.device_id for phone in phones]
    )
    entry = hass.config_entries.async_get_entry(entry_id)
    assert isinstance(entry, MockConfigEntry)
    return entry


async def wait_for(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    done: Callable[[], bool],
    *,
    step: float = 5,
    limit: float = 600,
) -> float:
    """Move the clock in steps until `done()`; returns the seconds it took."""
    waited = 0.0
    while not done():
        if waited >= limit:
            pytest.fail(f"not done within {limit} s")
        await advance(hass, freezer, step)
        waited += step
    return waited


def manager(hass: HomeAssistant) -> AlertManager:
    return hass.data[DATA_ALERTS]


async def outage(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, *devices: SimulatedDevice
) -> float:
    """Switch devices off and wait until every system using them is offline."""
    for dev in devices:
        await dev.stop()
    before = {dev.url for dev in devices}
    return await wait_for(
        hass,
        freezer,
        lambda: all(
            system.data.offline
            for entry in hass.config_entries.async_loaded_entries(DOMAIN)
            for system in getattr(entry.runtime_data, "systems", {}).values()
            if system.subentry.data.get("url") in before
        ),
    )


async def recovery(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, *devices: SimulatedDevice
) -> float:
    """Switch devices on and wait until every system using them is online."""
    for dev in devices:
        await dev.start()
    urls = {dev.url for dev in devices}
    return await wait_for(
        hass,
        freezer,
        lambda: (
            not any(
                system.data.offline
                for entry in hass.config_entries.async_loaded_entries(DOMAIN)
                for system in getattr(entry.runtime_data, "systems", {}).values()
                if system.subentry.data.get("url") in urls
            )
        ),
    )


def notes(hass: HomeAssistant) -> dict[str, dict[str, Any]]:
    """The integration's persistent notifications, by notification id."""
    return {
        note_id: dict(note)
        for note_id, note in async_get_persistent_notifications(hass).items()
        if note_id.startswith(f"{DOMAIN}_")
    }


def local_hhmm(moment: datetime) -> str:
    return dt_util.as_local(moment).strftime("%H:%M")


def system_device(hass: HomeAssistant, system_id: str) -> str:
    """The device-registry id of a monitored system."""
    for entry in hass.config_entries.async_entries(DOMAIN):
        device = dr.async_get(hass).async_get_device_by_identifier(
            (DOMAIN, system_id), entry.entry_id
        )
        if device is not None:
            return device.id
    raise AssertionError(f"no device for {system_id}")


def device_page(hass: HomeAssistant, system_id: str) -> str:
    """Where a tap on a single system's alert leads."""
    return f"/config/devices/device/{system_device(hass, system_id)}"


def alert_id_of(push: dict[str, Any]) -> str:
    """The alert id an alert push carries in its action data."""
    return str(push["data"]["action_data"]["alert_id"])


def ack_snooze(alert_id: str) -> list[dict[str, str]]:
    """The Acknowledge and Snooze buttons every alert has."""
    return [
        {"action": f"PW_ACK_{alert_id}", "title": "Acknowledge"},
        {"action": f"PW_SNOOZE_{alert_id}", "title": "Snooze 1 h"},
    ]


def told_or_not(alert_id: str) -> dict[str, Any]:
    """What a recovery that asks "did the provider tell you?" adds to its data."""
    return {
        "action_data": {"alert_id": alert_id},
        "actions": [
            {"action": f"PW_TOLD_{alert_id}", "title": "Yes, they told me"},
            {"action": f"PW_NOTTOLD_{alert_id}", "title": "No"},
        ],
    }


def clear(alert_id: str) -> dict[str, Any]:
    """The command that removes an alert's notification from a phone."""
    return {
        "message": "clear_notification",
        "data": {"tag": f"provider-watch-{alert_id}"},
    }


async def restart(hass: HomeAssistant) -> None:
    """Home Assistant restarting, as far as Provider Watch can tell.

    Its entries are unloaded and it is set up afresh: a new alert manager that
    reads what was stored, then every entry set up again.
    """
    for entry in hass.config_entries.async_entries(DOMAIN):
        assert await hass.config_entries.async_unload(entry.entry_id)
    hass.data.pop(DATA_ALERTS).async_stop()
    hass.config.components.remove(DOMAIN)
    assert await async_setup_component(hass, DOMAIN, {})
    await settle(hass)
    assert all(
        entry.state is ConfigEntryState.LOADED
        for entry in hass.config_entries.async_entries(DOMAIN)
    )
