"""What Provider Watch relies on in HA's mobile_app, checked against the installed one.

mobile_app tells nobody that the push relay refused a push (it logs it), nor which
phones have the local push channel open (only its hass.data knows).
custom_components/provider_watch/alerting/mobile_app.py holds all we know of that; if
a Home Assistant upgrade changes any of it, these tests say what changed and where,
rather than the alert tests failing obscurely (or passing while real push failures go
unnoticed). Everything here is real: a Companion-app registration, the relay on
127.0.0.1, a websocket client holding the local channel.
"""

from collections.abc import Mapping
import logging
from typing import Any

import pytest

from custom_components.provider_watch.alerting import mobile_app
from custom_components.provider_watch.alerting.phones import resolve_phone
from homeassistant.components.mobile_app import (
    const as mobile_app_const,
    notify as mobile_app_notify,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from testkit.phones import PushGateway

from . import alerting
from .alerting import FakePhone
from .helpers import settle

gateway = alerting.gateway
app_client = alerting.app_client
android = alerting.android

CHANGED = (
    "Home Assistant's mobile_app no longer works the way "
    "custom_components/provider_watch/alerting/mobile_app.py relies on: "
)


def service_of(hass: HomeAssistant, phone: FakePhone) -> str:
    resolved = resolve_phone(hass, phone.device_id)
    assert resolved is not None
    return resolved.service


def test_we_listen_to_the_logger_mobile_app_notify_logs_on() -> None:
    logger = getattr(mobile_app_notify, "_LOGGER", None)
    assert isinstance(logger, logging.Logger), (
        f"{CHANGED}homeassistant/components/mobile_app/notify.py has no module "
        "logger _LOGGER any more: find how it now reports a push the relay refused"
    )
    assert logger.name == mobile_app.NOTIFY_LOGGER, (
        f"{CHANGED}mobile_app's notify module logs on {logger.name!r}, but "
        f"NOTIFY_LOGGER listens on {mobile_app.NOTIFY_LOGGER!r}: push failures "
        "would go unnoticed (no retry, no notification to the owner)"
    )


def test_the_constants_we_read_hass_data_by_are_mobile_apps() -> None:
    for ours, name in (
        (mobile_app.DOMAIN, "DOMAIN"),
        (mobile_app.DATA_PUSH_CHANNEL, "DATA_PUSH_CHANNEL"),
    ):
        theirs = getattr(mobile_app_const, name, None)
        assert theirs == ours, (
            f"{CHANGED}mobile_app.const.{name} is {theirs!r}, we read "
            f"hass.data by {ours!r}: phones on the local push channel would not be "
            "seen while the internet is down (their alerts held back)"
        )


@pytest.mark.parametrize("relay", ["429", "500", "down"])
async def test_a_push_the_relay_refuses_is_logged_not_raised(
    hass: HomeAssistant, gateway: PushGateway, android: FakePhone, relay: str
) -> None:
    if relay == "down":
        await gateway.stop()
    else:
        gateway.status = int(relay)
    mobile_app.listen_for_push_failures()
    try:
        with mobile_app.push_failures() as failures:
            try:
                await hass.services.async_call(
                    "notify",
                    service_of(hass, android),
                    {"message": "test", "title": "Provider Watch"},
                    blocking=True,
                )
            except HomeAssistantError as err:
                pytest.fail(
                    f"{CHANGED}a push the relay refused ({relay}) now raises "
                    f"({err!r}) instead of being logged: Delivery copes with that, "
                    "but reading mobile_app's log may no longer be needed - review "
                    "alerting/mobile_app.py and this test"
                )
    finally:
        mobile_app.stop_listening()
    assert failures, (
        f"{CHANGED}a push the relay refused ({relay}) was not logged at WARNING or "
        f"above on {mobile_app.NOTIFY_LOGGER!r}: Provider Watch would neither retry "
        "it nor tell the owner"
    )
    # the line is what the owner reads in the push-failure notification
    assert any("Pixel" in line for line in failures), (
        f"{CHANGED}what mobile_app logged for a refused push no longer names the "
        f"phone: {failures!r}"
    )
    if relay != "down":
        assert len(gateway.pushes) == 1  # it did go to the relay


async def test_a_phone_holding_the_local_push_channel_is_seen(
    hass: HomeAssistant,
    gateway: PushGateway,
    android: FakePhone,
    hass_ws_client: Any,
) -> None:
    assert not mobile_app.on_local_channel(hass, android.webhook_id)
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": "mobile_app/push_notification_channel",
            "webhook_id": android.webhook_id,
        }
    )
    subscribed = await client.receive_json()
    assert subscribed["success"], f"{CHANGED}the local channel refused: {subscribed}"
    channels = hass.data.get(mobile_app.DOMAIN, {}).get(mobile_app.DATA_PUSH_CHANNEL)
    kept = isinstance(channels, Mapping) and android.webhook_id in channels
    assert kept, (
        f"{CHANGED}an open local push channel is no longer kept in "
        f"hass.data[{mobile_app.DOMAIN!r}][{mobile_app.DATA_PUSH_CHANNEL!r}] by "
        "webhook id: phones on it would not get alerts while the internet is down"
    )
    assert mobile_app.on_local_channel(hass, android.webhook_id)
    assert not mobile_app.on_local_channel(hass, "")

    # and a push to it goes over that channel, not through the relay
    await hass.services.async_call(
        "notify", service_of(hass, android), {"message": "local"}, blocking=True
    )
    event = await client.receive_json()
    assert event["event"]["message"] == "local"
    assert gateway.pushes == []

    await client.send_json_auto_id(
        {"type": "unsubscribe_events", "subscription": subscribed["id"]}
    )
    assert (await client.receive_json())["success"]
    await settle(hass)
    assert not mobile_app.on_local_channel(hass, android.webhook_id), (
        f"{CHANGED}a closed local push channel stays in "
        f"hass.data[{mobile_app.DOMAIN!r}][{mobile_app.DATA_PUSH_CHANNEL!r}]"
    )
