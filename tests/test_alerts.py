"""Phone alerts end to end in-process: real mobile_app, real fake phones and gateway."""

from collections.abc import AsyncGenerator
from typing import Any

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
import pytest

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component

from .helpers import (
    SYSTEM_ID,
    advance,
    http_system,
    provider_entry,
    settle,
    setup_entry,
    setup_internet,
)
from .phones import PushGateway, register_phone, tap
from .simulated import LOCALHOST, SimulatedDevice


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


async def test_offline_alert_ack_and_recovery(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    app_client: TestClient,
    gateway: PushGateway,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    android = await register_phone(app_client, gateway, "Pixel")
    iphone = await register_phone(app_client, gateway, "Iphone", ios=True)
    await settle(hass)
    await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
    await setup_entry(
        hass,
        provider_entry(
            {SYSTEM_ID: http_system(device.url)},
            options={
                "phones": [phone_device(hass, android), phone_device(hass, iphone)],
                "repeat": "30",
            },
        ),
    )
    assert gateway.pushes == []

    await device.stop()
    for seconds in (30, 5, 5):
        await advance(hass, freezer, seconds)
    to_android = gateway.to(android["push_token"])
    to_iphone = gateway.to(iphone["push_token"])
    assert len(to_android) == 1
    assert len(to_iphone) == 1
    push = to_android[0]
    assert push["title"] == "Alarm panel is offline"
    assert "this looks like your system" in push["message"]
    assert "No alert from Acme Alarm is recorded" in push["message"]
    data = push["data"]
    assert data["tag"].startswith("provider-watch-")
    actions = {a["title"]: a for a in data["actions"]}
    assert actions["Call Acme Alarm support"] == {
        "action": "URI",
        "title": "Call Acme Alarm support",
        "uri": "deep-link://tel:+15550100",
    }
    ios_call = {a["title"]: a for a in to_iphone[0]["data"]["actions"]}[
        "Call Acme Alarm support"
    ]
    assert ios_call["uri"] == "tel:+15550100"
    ack = next(a["action"] for a in data["actions"] if a["title"] == "Acknowledge")

    # a reminder after 30 min, replacing the notification (same tag)
    await advance(hass, freezer, 30 * 60)
    assert len(gateway.to(android["push_token"])) == 2
    reminder = gateway.to(android["push_token"])[1]
    assert reminder["title"] == "Alarm panel is still offline"
    assert reminder["data"]["tag"] == data["tag"]

    # tapping Acknowledge on the phone stops the reminders
    await tap(app_client, android["webhook_id"], ack)
    await settle(hass)
    await advance(hass, freezer, 3 * 3600)
    assert len(gateway.to(android["push_token"])) == 2

    # back online: the offline notification is cleared, then the recovery is sent
    await device.start()
    await advance(hass, freezer, 30)
    await advance(hass, freezer, 5)
    pushes = gateway.to(android["push_token"])
    assert [p["message"] for p in pushes[2:3]] == ["clear_notification"]
    assert pushes[2]["data"]["tag"] == data["tag"]
    assert pushes[3]["title"] == "Alarm panel is back online"
