"""Alerts while the home internet is down, and pushes the relay refuses.

A push from Home Assistant goes through the internet (the app's push relay), so while
the internet check reads down the alerts are decided and recorded but held back —
except for a phone on the app's local push channel — and folded into one summary per
phone when the internet is back. A push the relay refuses is retried with backoff.
"""

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

from aiohttp import web
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.provider_watch.const import DOMAIN
from custom_components.provider_watch.monitoring.internet import internet_up
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from testkit.phones import PushGateway, tap
from testkit.simulated import SimulatedDevice

from . import alerting
from .alerting import (
    ALERTS_STORE,
    LOCK,
    OFFLINE,
    PANEL,
    FakePhone,
    ack_snooze,
    alert_id_of,
    alerting_entry,
    clear,
    local_hhmm,
    manager,
    notes,
    outage,
    recovery,
    restart,
    wait_for,
)
from .helpers import advance, settle

gateway = alerting.gateway
app_client = alerting.app_client
second = alerting.second
android = alerting.android
iphone = alerting.iphone

SUMMARY = "While your internet was down"


def clear_tag(tag: str) -> dict[str, Any]:
    """The command that removes the notification with this tag from a phone."""
    return {"message": "clear_notification", "data": {"tag": tag}}


async def internet_goes(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    upstream: SimulatedDevice,
    *,
    up: bool,
) -> None:
    """Cut or restore the internet (its check's only target); wait for the verdict."""
    await (upstream.start() if up else upstream.stop())
    await wait_for(hass, freezer, lambda: internet_up(hass) is up)
    await settle(hass)
    if up:  # the summary waits until the systems are re-checked (< 1 min)
        await advance(hass, freezer, *[5] * 12)


def summaries(phone: FakePhone) -> list[dict[str, Any]]:
    return [p for p in phone.pushes if str(p.get("title", "")).startswith(SUMMARY)]


async def test_alerts_during_an_internet_outage_arrive_as_one_summary(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    iphone: FakePhone,
    device: SimulatedDevice,
    second: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    await alerting_entry(hass, upstream, {PANEL: device, LOCK: second}, android, iphone)
    # the door lock is down (and alerted) before the internet goes
    await outage(hass, freezer, second)
    lock_alert = alert_id_of(android.pushes[-1])
    assert android.titles == ["Door lock is offline"]

    cut = dt_util.utcnow()
    await internet_goes(hass, freezer, upstream, up=False)
    seen_down = dt_util.utcnow()
    await outage(hass, freezer, device)  # the panel goes while the internet is down
    await recovery(hass, freezer, second)  # and the lock comes back
    await advance(hass, freezer, *[60] * 10)
    # decided and recorded (the persistent notification) but not pushed
    assert len(android.pushes) == 1
    assert len(iphone.pushes) == 1
    assert any("internet" in note["title"].lower() for note in notes(hass).values())

    back = dt_util.utcnow()
    await internet_goes(hass, freezer, upstream, up=True)
    for phone in (android, iphone):
        [summary] = summaries(phone)
        window = summary["title"].removeprefix(f"{SUMMARY} ")
        start, end = window.split("\N{EN DASH}")
        # when the check saw it down / back (HH:MM, within the same day)
        assert local_hhmm(cut) <= start <= local_hhmm(seen_down)
        assert local_hhmm(back) <= end <= local_hhmm(dt_util.utcnow())
        message = summary["message"]
        assert "Alarm panel went offline at " in message
        assert "and is still offline" in message
        assert "Door lock went offline at" in message
        assert "recovered" in message
        # the lock's offline notification the phone still showed is cleared
        assert phone.body(clear(lock_alert)) in phone.pushes
        assert not any(
            p.get("title", "").startswith("Door lock is back") for p in phone.pushes
        )
    # exactly once: later passes and checks send no second summary
    await advance(hass, freezer, *[60] * 10)
    assert len(summaries(android)) == 1
    assert len(summaries(iphone)) == 1


async def test_nothing_is_held_while_the_internet_is_up(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    await alerting_entry(hass, upstream, {PANEL: device}, android)
    await outage(hass, freezer, device)
    assert android.titles == [OFFLINE]
    assert summaries(android) == []


async def test_held_alerts_survive_a_restart(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    hass_storage: dict[str, Any],
) -> None:
    await alerting_entry(hass, upstream, {PANEL: device}, android)
    await internet_goes(hass, freezer, upstream, up=False)
    await outage(hass, freezer, device)
    await advance(hass, freezer, 60)
    assert android.pushes == []
    held = hass_storage[ALERTS_STORE]["data"]["delivery"]["held"]
    assert list(held) == [android.device_id]

    await restart(hass)
    await internet_goes(hass, freezer, upstream, up=True)
    [summary] = summaries(android)
    assert "Alarm panel went offline at" in summary["message"]


# --- the local push channel ------------------------------------------------------


async def test_a_phone_on_the_local_push_channel_hears_at_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    iphone: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    hass_ws_client: Any,
) -> None:
    await alerting_entry(hass, upstream, {PANEL: device}, android, iphone)
    # the Android app is on the home Wi-Fi and keeps its local channel open
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": "mobile_app/push_notification_channel",
            "webhook_id": android.webhook_id,
        }
    )
    assert (await client.receive_json())["success"]

    await internet_goes(hass, freezer, upstream, up=False)
    await outage(hass, freezer, device)
    local = await asyncio.wait_for(client.receive_json(), 5)
    assert local["type"] == "event"
    assert "offline" in local["event"]["title"].lower()
    assert local["event"]["data"]["tag"].startswith("provider-watch-")
    # nothing went through the relay: the iPhone's alert is held back
    assert android.pushes == []
    assert iphone.pushes == []

    await internet_goes(hass, freezer, upstream, up=True)
    assert len(summaries(iphone)) == 1
    assert summaries(android) == []  # it heard everything already


# --- pushes the relay refuses ----------------------------------------------------


@pytest.mark.parametrize("status", [429, 500])
async def test_refused_pushes_are_retried_then_reported(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    gateway: PushGateway,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    status: int,
) -> None:
    entry = await alerting_entry(hass, upstream, {PANEL: device}, android)
    gateway.status = status
    await outage(hass, freezer, device)
    assert android.titles == [OFFLINE]  # tried once …
    await advance(hass, freezer, 29)
    assert len(android.pushes) == 1  # … not again before 30 s
    await advance(hass, freezer, 2)
    assert len(android.pushes) == 2
    await advance(hass, freezer, 2 * 60)
    assert len(android.pushes) == 3
    assert f"{DOMAIN}_push_failed_{android.device_id}" not in notes(hass)
    await advance(hass, freezer, 10 * 60)
    assert android.titles == [OFFLINE] * 4  # 3 retries, then it stops
    note = notes(hass)[f"{DOMAIN}_push_failed_{android.device_id}"]
    assert "Pixel" in note["title"]
    assert OFFLINE in note["message"]
    assert "4 tries" in note["message"]
    # noted on the outage
    [record] = [r for r in entry.runtime_data.history.outages if r.end is None]
    assert [f["final"] for f in record.push_failures] == ["no", "no", "no", "yes"]
    assert record.push_failures[0]["phone"] == "Pixel"
    await advance(hass, freezer, 15 * 60)
    assert len(android.pushes) == 4  # no tight loop, no endless retries


async def test_a_retry_that_gets_through_ends_it(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    gateway: PushGateway,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    await alerting_entry(hass, upstream, {PANEL: device}, android)
    gateway.status = 429
    await outage(hass, freezer, device)
    gateway.status = 201
    await advance(hass, freezer, 31)
    assert android.titles == [OFFLINE, OFFLINE]
    await advance(hass, freezer, 60 * 60)
    assert android.titles.count(OFFLINE) == 2
    assert f"{DOMAIN}_push_failed_{android.device_id}" not in notes(hass)


class HangingGateway(PushGateway):
    """A relay that, once told to, accepts pushes and never answers."""

    def __init__(self) -> None:
        super().__init__()
        self.hang = False

    async def _handle(self, request: web.Request) -> web.Response:
        if self.hang:
            self.pushes.append(await request.json())
            await self.held()
        return await super()._handle(request)


@pytest.fixture
async def hanging(socket_enabled: None) -> AsyncGenerator[HangingGateway]:
    server = HangingGateway()
    await server.start()
    yield server
    await server.stop()


async def test_a_relay_that_times_out_is_retried(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    app_client: Any,
    hanging: HangingGateway,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    phone = await alerting.add_phone(hass, app_client, hanging, "Pixel")
    entry = await alerting_entry(hass, upstream, {PANEL: device}, phone)
    hanging.status = 500
    await outage(hass, freezer, device)
    assert phone.titles == [OFFLINE]
    # the retry meets a relay that never answers: mobile_app's 10 s timeout ends it
    hanging.hang = True
    freezer.tick(31)
    async_fire_time_changed(hass)
    # the clock is frozen (loop time too): give the loop turns, boundedly, until
    # the relay holds the retry
    for _ in range(100_000):
        if len(phone.pushes) == 2:
            break
        await asyncio.sleep(0)
    assert len(phone.pushes) == 2
    freezer.tick(11)
    async_fire_time_changed(hass)
    await settle(hass)
    [record] = [r for r in entry.runtime_data.history.outages if r.end is None]
    assert len(record.push_failures) == 2
    assert "imeout" in record.push_failures[1]["error"]
    hanging.hang = False
    hanging.status = 201
    await advance(hass, freezer, 2 * 60)
    assert phone.titles == [OFFLINE] * 3  # the next retry got through
    assert len(record.push_failures) == 2


# --- the summary and the alerts still open -----------------------------------------


def tags_left(phone: FakePhone) -> set[str]:
    """Tags of notifications the phone shows: put there and not cleared since.

    A recovery ("… is back online") is the end of its outage, not left behind.
    """
    showing: set[str] = set()
    for push in phone.pushes:
        tag = push["data"]["tag"]
        if push["message"] == "clear_notification":
            showing.discard(tag)
        elif not tag.endswith("-back"):
            showing.add(tag)
    return showing


async def test_the_summary_is_about_the_alert_still_open(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    app_client: Any,
    android: FakePhone,
    iphone: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    """The internet alert closed; the panel, still down, has an alert of its own."""
    await alerting_entry(hass, upstream, {PANEL: device}, android, iphone)
    await internet_goes(hass, freezer, upstream, up=False)
    await outage(hass, freezer, device)  # its cause: the internet; held back
    [internet_note] = notes(hass)
    internet_id = internet_note.removeprefix(f"{DOMAIN}_")
    assert android.pushes == iphone.pushes == []

    await internet_goes(hass, freezer, upstream, up=True)  # the panel stays down
    [panel_note] = notes(hass)
    panel_id = panel_note.removeprefix(f"{DOMAIN}_")
    assert panel_id != internet_id
    for phone in (android, iphone):
        alert, summary = phone.pushes
        assert alert["title"] == OFFLINE
        assert alert_id_of(alert) == panel_id
        assert summary["title"].startswith(SUMMARY)
        assert "Alarm panel went offline at " in summary["message"]
        assert "and is still offline" in summary["message"]
        # it replaces the panel's alert on the phone: one notification, whose
        # buttons act on the alert that is open
        assert summary["data"]["tag"] == f"provider-watch-{panel_id}"
        assert summary["data"]["actions"] == ack_snooze(panel_id)
        assert summary["data"]["action_data"] == {"alert_id": panel_id}
        if phone.ios:  # and quietly: the phone has rung for the panel already
            assert summary["data"]["push"] == {"interruption-level": "passive"}
        else:
            assert summary["data"]["alert_once"] is True
        assert all(internet_id not in str(push) for push in phone.pushes)
        assert tags_left(phone) == {f"provider-watch-{panel_id}"}

    await tap(app_client, android.webhook_id, summary["data"]["actions"][0]["action"])
    await settle(hass)
    assert manager(hass).records[f"system:{PANEL}"].acked is not None
    await advance(hass, freezer, *[60 * 60] * 3)  # acknowledged: no reminder
    assert len(android.pushes) == len(iphone.pushes) == 2

    await recovery(hass, freezer, device)
    for phone in (android, iphone):
        assert phone.pushes[2] == phone.body(clear(panel_id))
        assert phone.pushes[3]["title"] == "Alarm panel is back online"
        assert tags_left(phone) == set()


async def test_a_summary_of_several_open_alerts_goes_when_they_end(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    second: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    await alerting_entry(hass, upstream, {PANEL: device, LOCK: second}, android)
    await internet_goes(hass, freezer, upstream, up=False)
    await outage(hass, freezer, device, second)
    [internet_note] = notes(hass)
    internet_id = internet_note.removeprefix(f"{DOMAIN}_")

    await internet_goes(hass, freezer, upstream, up=True)  # both stay down
    *alerts, summary = android.pushes
    assert sorted(push["title"] for push in alerts) == [
        "Alarm panel is offline",
        "Door lock is offline",
    ]
    assert summary["title"].startswith(SUMMARY)
    assert summary["data"]["tag"] == "provider-watch-summary"
    assert "actions" not in summary["data"]  # two alerts: acknowledged on their own
    assert all(internet_id not in str(push) for push in android.pushes)

    await recovery(hass, freezer, device)
    assert "provider-watch-summary" in tags_left(android)  # the lock is still down
    await recovery(hass, freezer, second)
    assert android.body(clear_tag("provider-watch-summary")) in android.pushes
    assert tags_left(android) == set()


async def test_a_system_joining_the_held_internet_alert_is_in_the_summary(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    second: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    await alerting_entry(hass, upstream, {PANEL: device, LOCK: second}, android)
    await internet_goes(hass, freezer, upstream, up=False)
    await outage(hass, freezer, device)
    await advance(hass, freezer, 10 * 60)
    await outage(hass, freezer, second)  # joins the internet alert 10 min later
    assert len(manager(hass).delivery.held[android.device_id]) == 1  # one alert

    await internet_goes(hass, freezer, upstream, up=True)
    await recovery(hass, freezer, device, second)
    [summary] = summaries(android)
    assert "Alarm panel went offline at" in summary["message"]
    assert "Door lock went offline at" in summary["message"]
