"""Actions that change state are for administrators (issue 15, item 11).

Acknowledge, snooze, start and end maintenance, the provider notice, the test
alert and the report refuse a non-admin user with Unauthorized, as Home
Assistant's own admin services do; automations (no user) and admins may. The
report files are served to administrators only. Maintenance can end by itself at
a given time (at most 7 days ahead), also across a restart; test alerts are
limited to one per provider every 30 s.
"""

from datetime import timedelta
from http import HTTPStatus
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockUser,
    async_get_persistent_notifications,
)
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.provider_watch.const import DOMAIN
from homeassistant.auth.const import GROUP_ID_USER
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from testkit.simulated import SimulatedDevice

from . import alerting
from .alerting import (
    HOUR,
    LOCK,
    OFFLINE,
    PANEL,
    FakePhone,
    alerting_provider,
    outage,
    setup_provider,
    system_device,
)
from .helpers import advance, settle, state

gateway = alerting.gateway
app_client = alerting.app_client
second = alerting.second
android = alerting.android

SWITCH = "switch.alarm_panel_maintenance"


@pytest.fixture
async def hass_user(hass: HomeAssistant) -> MockUser:
    """An ordinary user: controls entities, is not an administrator."""
    group = await hass.auth.async_get_group(GROUP_ID_USER)
    return MockUser(name="Sam", groups=[group]).add_to_hass(hass)


@pytest.fixture
async def user_token(hass: HomeAssistant, hass_user: MockUser) -> str:
    """An access token of that user."""
    refresh_token = await hass.auth.async_create_refresh_token(
        hass_user, "https://example.com/app"
    )
    return hass.auth.async_create_access_token(refresh_token)


RESPONDS = ("acknowledge", "snooze", "send_test_alert", "record_provider_notice")


def calls(entry_id: str) -> dict[str, dict[str, Any]]:
    """A valid call of every action that changes something."""
    return {
        "acknowledge": {},
        "snooze": {"duration": 60},
        "start_maintenance": {"config_entry_id": entry_id},
        "end_maintenance": {"config_entry_id": entry_id},
        "send_test_alert": {"config_entry_id": entry_id},
        "record_provider_notice": {"outage_id": "nope", "told": True},
        "generate_report": {"config_entry_id": entry_id},
    }


async def call(
    hass: HomeAssistant, service: str, data: dict[str, Any], user: MockUser | None
) -> Any:
    return await hass.services.async_call(
        DOMAIN,
        service,
        data,
        blocking=True,
        context=Context(user_id=user.id if user else None),
        return_response=service in (*RESPONDS, "generate_report"),
    )


@pytest.mark.parametrize(
    "service",
    [
        "acknowledge",
        "snooze",
        "start_maintenance",
        "end_maintenance",
        "send_test_alert",
        "record_provider_notice",
        "generate_report",
    ],
)
async def test_only_admins_change_things(
    hass: HomeAssistant,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    hass_admin_user: MockUser,
    hass_user: MockUser,
    tmp_path: Path,
    freezer: FrozenDateTimeFactory,
    service: str,
) -> None:
    hass.config.config_dir = str(tmp_path)
    entry_id = await alerting_provider(hass, upstream, {PANEL: device})
    data = calls(entry_id)[service]

    with pytest.raises(Unauthorized):
        await call(hass, service, data, hass_user)
    await settle(hass)
    assert state(hass, SWITCH) == STATE_OFF  # (maintenance not started)
    assert not (tmp_path / DOMAIN).exists()  # (no report written)

    # an administrator, and an automation (no user), may
    for user in (hass_admin_user, None):
        if service == "record_provider_notice":  # past the gate: the outage is not
            with pytest.raises(ServiceValidationError):
                await call(hass, service, data, user)
        else:
            await call(hass, service, data, user)
        await advance(hass, freezer, 30)  # (one test alert every 30 s)
    if service == "start_maintenance":
        assert state(hass, SWITCH) == STATE_ON


# --- maintenance that ends by itself --------------------------------------------------


async def test_maintenance_ends_at_its_end_time_also_after_a_restart(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    second: SimulatedDevice,
    upstream: SimulatedDevice,
    hass_storage: dict[str, Any],
) -> None:
    await alerting_provider(
        hass, upstream, {PANEL: device, LOCK: second}, phones=[android.device_id]
    )
    end = dt_util.utcnow() + 2 * timedelta(hours=1)
    await hass.services.async_call(
        DOMAIN,
        "start_maintenance",
        {"device_id": system_device(hass, PANEL), "end_time": end.isoformat()},
        blocking=True,
    )
    await settle(hass)
    assert state(hass, SWITCH) == STATE_ON
    saved = hass_storage[alerting.ALERTS_STORE]["data"]
    assert saved["maintenance"] == [PANEL]
    assert saved["maintenance_ends"] == {PANEL: end.isoformat()}

    await outage(hass, freezer, device)
    await advance(hass, freezer, HOUR)
    assert android.pushes == []

    await alerting.restart(hass)  # the end is read back and the timer set again
    assert state(hass, SWITCH) == STATE_ON
    await advance(hass, freezer, HOUR - 120)
    assert state(hass, SWITCH) == STATE_ON
    assert android.pushes == []
    await advance(hass, freezer, 120)  # the end time has come
    assert state(hass, SWITCH) == STATE_OFF
    assert android.titles == [OFFLINE]
    assert hass_storage[alerting.ALERTS_STORE]["data"]["maintenance_ends"] == {}


async def test_maintenance_whose_end_passed_while_stopped_ends_at_start(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    await alerting_provider(hass, upstream, {PANEL: device})
    end = dt_util.utcnow() + timedelta(minutes=30)
    await hass.services.async_call(
        DOMAIN,
        "start_maintenance",
        {"device_id": system_device(hass, PANEL), "end_time": end.isoformat()},
        blocking=True,
    )
    await settle(hass)
    assert state(hass, SWITCH) == STATE_ON
    freezer.tick(timedelta(hours=1))  # no timer runs: Home Assistant was off
    await alerting.restart(hass)
    assert state(hass, SWITCH) == STATE_OFF


@pytest.mark.parametrize(
    ("end", "key"),
    [
        (timedelta(days=7, seconds=1), "maintenance_too_long"),
        (timedelta(seconds=-1), "maintenance_end_passed"),
    ],
)
async def test_maintenance_end_time_is_checked(
    hass: HomeAssistant,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    end: timedelta,
    key: str,
) -> None:
    entry_id = await alerting_provider(hass, upstream, {PANEL: device})
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "start_maintenance",
            {
                "config_entry_id": entry_id,
                "end_time": (dt_util.utcnow() + end).isoformat(),
            },
            blocking=True,
        )
    assert err.value.translation_key == key
    assert "{" not in str(err.value)
    assert state(hass, SWITCH) == STATE_OFF
    # seven days exactly is allowed
    await hass.services.async_call(
        DOMAIN,
        "start_maintenance",
        {
            "config_entry_id": entry_id,
            "end_time": (dt_util.utcnow() + timedelta(days=7)).isoformat(),
        },
        blocking=True,
    )
    await settle(hass)
    assert state(hass, SWITCH) == STATE_ON


# --- test alerts: one per provider every 30 s -----------------------------------------


async def test_test_alerts_are_rate_limited(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    second: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    acme = await setup_provider(
        hass, {PANEL: device}, options={"phones": [android.device_id]}
    )
    lock = await setup_provider(
        hass, {LOCK: second}, title="Lock Co", options={"phones": [android.device_id]}
    )

    async def send(*entry_ids: str) -> Any:
        data = {"config_entry_id": list(entry_ids)} if entry_ids else {}
        response = await hass.services.async_call(
            DOMAIN, "send_test_alert", data, blocking=True, return_response=True
        )
        await settle(hass)
        return response

    assert await send(acme.entry_id) == {"phones": 1}
    await advance(hass, freezer, 10)
    with pytest.raises(ServiceValidationError) as err:
        await send(acme.entry_id)
    assert err.value.translation_key == "test_alert_too_soon"
    assert err.value.translation_placeholders == {
        "provider": "Acme Alarm",
        "seconds": "20",
    }
    assert str(err.value) == (
        "A test alert for Acme Alarm was just sent; try again in 20 s"
    )
    with pytest.raises(ServiceValidationError):
        await send()  # every provider: Acme Alarm's is too soon, nothing is sent
    assert len(android.pushes) == 1
    assert await send(lock.entry_id) == {"phones": 1}  # another provider may
    await advance(hass, freezer, 20)
    assert await send(acme.entry_id) == {"phones": 1}
    # the provider's button counts too
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            "button",
            "press",
            {"entity_id": "button.acme_alarm_send_test_alert"},
            blocking=True,
        )
    assert len(android.pushes) == 3


# --- the report files: for administrators ---------------------------------------------


async def test_report_files_are_served_to_admins_only(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_client_no_auth: ClientSessionGenerator,
    hass_ws_client: WebSocketGenerator,
    user_token: str,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    tmp_path: Path,
) -> None:
    hass.config.config_dir = str(tmp_path)
    assert await async_setup_component(hass, "api", {})  # the REST API
    entry_id = await alerting_provider(hass, upstream, {PANEL: device})
    button = "button.acme_alarm_generate_report"
    note_id = f"{DOMAIN}_report_{entry_id}"

    async def press(access_token: str | None = None) -> str:
        client = await (
            hass_ws_client(hass, access_token) if access_token else hass_ws_client(hass)
        )
        await client.send_json_auto_id(
            {
                "type": "call_service",
                "domain": "button",
                "service": "press",
                "target": {"entity_id": button},
            }
        )
        assert (await client.receive_json())["success"]
        await client.close()
        await settle(hass)
        message: str = async_get_persistent_notifications(hass)[note_id]["message"]
        return message

    # pressed by an administrator: links signed for them (the HTML page first)
    message = await press()
    links = [part.split(")")[0] for part in message.split("](")[1:]]
    assert len(links) == 3
    anyone = await hass_client_no_auth()
    response = await anyone.get(links[0])
    assert response.status == HTTPStatus.OK
    assert response.content_type == "text/html"
    path = links[0].split("?")[0]
    assert path.endswith(".html")
    # an administrator's session may fetch it; another user's may not
    admin = await hass_client()
    assert (await admin.get(path)).status == HTTPStatus.OK
    user = await hass_client(user_token)
    assert (await user.get(path)).status == HTTPStatus.UNAUTHORIZED

    # pressed by an administrator through the REST API: links too
    response = await admin.post(
        "/api/services/button/press", json={"entity_id": button}
    )
    assert response.status == HTTPStatus.OK
    await settle(hass)
    message = async_get_persistent_notifications(hass)[note_id]["message"]
    links = [part.split(")")[0] for part in message.split("](")[1:]]
    assert len(links) == 3
    assert (await anyone.get(links[1])).status == HTTPStatus.OK

    # the action called by an administrator through the REST API: the response
    # holds the message to the provider and links signed for them
    response = await admin.post(
        "/api/services/provider_watch/generate_report?return_response",
        json={"config_entry_id": entry_id},
    )
    assert response.status == HTTPStatus.OK
    data = (await response.json())["service_response"]
    assert set(data["message"]) == {"subject", "body", "to"}
    assert data["message"]["subject"].startswith("Acme Alarm: outages")
    assert set(data["links"]) == {"html", "markdown", "csv"}
    served = await anyone.get(data["links"]["html"])
    assert served.status == HTTPStatus.OK
    assert served.content_type == "text/html"
    html = await hass.async_add_executor_job(Path(data["files"]["html"]).read_text)
    assert await served.text() == html
    assert (await user.get(data["links"]["html"].split("?")[0])).status == (
        HTTPStatus.UNAUTHORIZED
    )

    # pressed by a user who is not an administrator: the files, but no links
    message = await press(user_token)
    assert "](" not in message
    assert "Saved as `" in message
