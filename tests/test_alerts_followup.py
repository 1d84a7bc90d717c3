"""After the first alert: reminders, escalation, acknowledge, snooze, recovery.

Taps are real fire_event webhooks from the registered fake phones; every push is
read back from the gateway on 127.0.0.1; time only moves by time travel.
"""

from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
import pytest

from custom_components.provider_watch.const import DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from testkit.phones import tap
from testkit.simulated import SimulatedDevice

from . import alerting
from .alerting import (
    ALERTS_STORE,
    BACK,
    HOUR,
    LOCK,
    MINUTE,
    OFFLINE,
    PANEL,
    STILL,
    FakePhone,
    ack_snooze,
    alert_id_of,
    alerting_provider,
    clear,
    manager,
    outage,
    recovery,
    restart,
    system_device,
)
from .helpers import advance, settle

gateway = alerting.gateway
app_client = alerting.app_client
second = alerting.second
android = alerting.android
iphone = alerting.iphone

ESCALATED = "Alarm panel is offline — nobody has acknowledged"


async def escalating_outage(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    iphone: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    **options: Any,
) -> str:
    """Android first, the iPhone as second tier; the panel goes offline; entry id."""
    entry_id = await alerting_provider(
        hass,
        upstream,
        {PANEL: device},
        phones=[android.device_id],
        escalation_phones=[iphone.device_id],
        **options,
    )
    await outage(hass, freezer, device)
    return entry_id


# --- reminders ------------------------------------------------------------------------


async def test_repeat_30_then_every_120(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    await alerting_provider(
        hass, upstream, {PANEL: device}, phones=[android.device_id], repeat="30, 120"
    )
    await outage(hass, freezer, device)
    (first,) = android.pushes
    alert_id = alert_id_of(first)

    await advance(hass, freezer, 30 * MINUTE - 1)
    assert android.titles == [OFFLINE]
    await advance(hass, freezer, 1)
    assert android.titles == [OFFLINE, STILL]
    reminder = android.pushes[1]
    # the reminder replaces the alert on the phone: same tag, same buttons
    assert reminder["data"] == first["data"]
    assert reminder["message"] == first["message"].replace("(10 s)", "(30 min)")

    await advance(hass, freezer, 120 * MINUTE - 1)
    assert android.titles == [OFFLINE, STILL]
    await advance(hass, freezer, 1)
    assert android.titles == [OFFLINE, STILL, STILL]
    await advance(hass, freezer, 120 * MINUTE)
    assert android.titles == [OFFLINE, STILL, STILL, STILL]
    assert "(4 h 30 min)" in android.pushes[-1]["message"]
    assert {p["data"]["tag"] for p in android.pushes} == {f"provider-watch-{alert_id}"}


@pytest.mark.parametrize(
    ("options", "reminders_at"),
    [
        pytest.param({"repeat": ""}, [], id="blank-none"),
        pytest.param({}, [30, 150, 270], id="default-30-120"),
        pytest.param(
            {"repeat": "15"}, list(range(15, 300, 15)), id="one-value-repeats"
        ),
        pytest.param({"repeat": "oops"}, [30, 150, 270], id="bad-stored-default"),
    ],
)
async def test_repeat_schedules(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    options: dict[str, Any],
    reminders_at: list[int],
) -> None:
    await alerting_provider(
        hass, upstream, {PANEL: device}, phones=[android.device_id], **options
    )
    await outage(hass, freezer, device)
    sent_at: list[int] = []
    for minute in range(1, 5 * 60):
        await advance(hass, freezer, MINUTE)
        if len(android.pushes) > 1 + len(sent_at):
            sent_at.append(minute)
    assert sent_at == [m for m in reminders_at if m < 5 * 60]
    assert set(android.titles[1:]) <= {STILL}


# --- escalation -----------------------------------------------------------------------


async def test_escalation_when_nobody_acknowledges(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    app_client: TestClient,
    android: FakePhone,
    iphone: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    """The second tier hears of it after escalate_after minutes, once."""
    await escalating_outage(
        hass,
        freezer,
        android,
        iphone,
        device,
        upstream,
        escalate_after=15,
        repeat="30",
    )
    (first,) = android.pushes
    alert_id = alert_id_of(first)
    assert iphone.pushes == []

    await advance(hass, freezer, 15 * MINUTE - 1)
    assert iphone.pushes == []
    await advance(hass, freezer, 1)
    escalation = {
        "title": ESCALATED,
        "message": first["message"].replace("(10 s)", "(15 min)"),
        "data": {k: v for k, v in first["data"].items() if k != "actions"}
        | {
            "actions": [
                *ack_snooze(alert_id),
                {
                    "action": f"PW_CALL_{alert_id}",
                    "title": "Call Acme Alarm support",
                    "uri": "tel:+15550100",
                },
            ]
        },
    }
    assert iphone.pushes == [iphone.body(escalation)]
    assert android.titles == [OFFLINE]  # the first tier is reminded, not escalated

    await advance(hass, freezer, 15 * MINUTE)
    assert android.titles == [OFFLINE, STILL]
    assert len(iphone.pushes) == 1  # escalated once

    # the second tier acknowledges from the escalation itself: no more reminders
    await tap(app_client, iphone.webhook_id, f"PW_ACK_{alert_id}")
    await settle(hass)
    await advance(hass, freezer, 3 * HOUR)
    assert android.titles == [OFFLINE, STILL]
    assert len(iphone.pushes) == 1

    # both tiers were alerted: both see the alert cleared and hear the recovery
    await recovery(hass, freezer, device)
    assert android.titles == [OFFLINE, STILL, "clear_notification", BACK]
    assert iphone.pushes[1:] == [
        iphone.body(clear(alert_id)),
        iphone.body(
            {
                "title": BACK,
                "message": iphone.pushes[2]["message"],
                "data": {
                    "tag": f"provider-watch-{alert_id}-back",
                    "group": "provider-watch-Acme Alarm",
                    "url": first["data"]["url"],
                    "clickAction": first["data"]["url"],
                }
                | alerting.told_or_not(alert_id),
            }
        ),
    ]


async def test_no_escalation_when_acknowledged_in_time(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    app_client: TestClient,
    android: FakePhone,
    iphone: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    await escalating_outage(
        hass,
        freezer,
        android,
        iphone,
        device,
        upstream,
        escalate_after=15,
    )
    await advance(hass, freezer, 14 * MINUTE)
    await tap(
        app_client, android.webhook_id, f"PW_ACK_{alert_id_of(android.pushes[0])}"
    )
    await settle(hass)
    await advance(hass, freezer, *[10 * MINUTE] * 30)
    assert iphone.pushes == []
    assert android.titles == [OFFLINE]

    # never escalated: the recovery is the first tier's only
    await recovery(hass, freezer, device)
    assert android.titles == [OFFLINE, "clear_notification", BACK]
    assert iphone.pushes == []


# --- acknowledge ----------------------------------------------------------------------


async def test_acknowledge_by_tap_records_who(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    app_client: TestClient,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    hass_admin_user: Any,
    hass_storage: dict[str, Any],
) -> None:
    await alerting_provider(hass, upstream, {PANEL: device}, phones=[android.device_id])
    await outage(hass, freezer, device)
    alert_id = alert_id_of(android.pushes[0])

    # a tap for another (old) alert, and a tap of another app's action, do nothing
    await tap(app_client, android.webhook_id, "PW_ACK_0123456789ab")
    await tap(app_client, android.webhook_id, "SOMETHING_ELSE")
    await settle(hass)
    (record,) = hass_storage[ALERTS_STORE]["data"]["records"]
    assert record["acked"] is None

    await tap(app_client, android.webhook_id, f"PW_ACK_{alert_id}")
    await settle(hass)
    (record,) = hass_storage[ALERTS_STORE]["data"]["records"]
    assert record["alert_id"] == alert_id
    assert record["acked"] == dt_util.utcnow().isoformat()
    assert record["acked_by"] == hass_admin_user.id  # who registered the phone
    await advance(hass, freezer, *[HOUR] * 6)
    assert android.titles == [OFFLINE]


@pytest.mark.parametrize("target", ["all", "device", "provider"])
async def test_acknowledge_by_service(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    iphone: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    target: str,
) -> None:
    entry_id = await escalating_outage(
        hass,
        freezer,
        android,
        iphone,
        device,
        upstream,
        escalate_after=60,
    )
    data = {
        "all": {},
        "device": {"device_id": system_device(hass, PANEL)},
        "provider": {"config_entry_id": entry_id},
    }[target]
    response = await hass.services.async_call(
        DOMAIN, "acknowledge", data, blocking=True, return_response=True
    )
    assert response == {"acknowledged": 1}
    await settle(hass)
    await advance(hass, freezer, *[HOUR] * 6)
    assert android.titles == [OFFLINE]
    assert iphone.pushes == []  # no escalation either


async def test_acknowledge_another_system_leaves_the_alert_alone(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    second: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    await alerting_provider(
        hass, upstream, {PANEL: device, LOCK: second}, phones=[android.device_id]
    )
    await outage(hass, freezer, device)
    response = await hass.services.async_call(
        DOMAIN,
        "acknowledge",
        {"device_id": [system_device(hass, LOCK)]},
        blocking=True,
        return_response=True,
    )
    assert response == {"acknowledged": 0}
    await advance(hass, freezer, 30 * MINUTE)
    assert android.titles == [OFFLINE, STILL]


async def test_acknowledge_by_button(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    await alerting_provider(hass, upstream, {PANEL: device}, phones=[android.device_id])
    await outage(hass, freezer, device)
    await hass.services.async_call(
        "button",
        "press",
        {"entity_id": "button.acme_alarm_acknowledge_alerts"},
        blocking=True,
    )
    await settle(hass)
    await advance(hass, freezer, *[HOUR] * 6)
    assert android.titles == [OFFLINE]


# --- snooze ---------------------------------------------------------------------------


async def test_snooze_by_tap_mutes_for_an_hour(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    app_client: TestClient,
    android: FakePhone,
    iphone: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    await escalating_outage(
        hass,
        freezer,
        android,
        iphone,
        device,
        upstream,
        escalate_after=45,
        repeat="30, 120",
    )
    await advance(hass, freezer, 10 * MINUTE)
    await tap(
        app_client, android.webhook_id, f"PW_SNOOZE_{alert_id_of(android.pushes[0])}"
    )
    await settle(hass)

    # muted for 60 min: neither the reminder at 30 nor the escalation at 45
    await advance(hass, freezer, 60 * MINUTE - 1)
    assert android.titles == [OFFLINE]
    assert iphone.pushes == []
    # then what was due is sent at once, and the schedule goes on
    await advance(hass, freezer, 1)
    assert android.titles == [OFFLINE, STILL]
    assert [p["title"] for p in iphone.pushes] == [ESCALATED]
    await advance(hass, freezer, 120 * MINUTE - 1)
    assert android.titles == [OFFLINE, STILL]
    await advance(hass, freezer, 1)
    assert android.titles == [OFFLINE, STILL, STILL]


async def test_snooze_by_service_for_a_duration(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    await alerting_provider(
        hass, upstream, {PANEL: device}, phones=[android.device_id], repeat="30"
    )
    await outage(hass, freezer, device)
    response = await hass.services.async_call(
        DOMAIN,
        "snooze",
        {
            "duration": {"hours": 1, "minutes": 30},
            "device_id": system_device(hass, PANEL),
        },
        blocking=True,
        return_response=True,
    )
    assert response == {"snoozed": 1}
    await settle(hass)
    await advance(hass, freezer, 90 * MINUTE - 1)
    assert android.titles == [OFFLINE]
    await advance(hass, freezer, 1)
    assert android.titles == [OFFLINE, STILL]


# --- recovery -------------------------------------------------------------------------


@pytest.mark.parametrize("muted_by", ["PW_ACK_", "PW_SNOOZE_"])
async def test_recovery_even_when_acknowledged_or_snoozed(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    app_client: TestClient,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    muted_by: str,
) -> None:
    await alerting_provider(hass, upstream, {PANEL: device}, phones=[android.device_id])
    await outage(hass, freezer, device)
    alert_id = alert_id_of(android.pushes[0])
    await tap(app_client, android.webhook_id, f"{muted_by}{alert_id}")
    await settle(hass)
    await advance(hass, freezer, 5 * MINUTE)

    await recovery(hass, freezer, device)
    assert android.titles == [OFFLINE, "clear_notification", BACK]
    assert android.pushes[1] == android.body(clear(alert_id))
    assert android.pushes[2]["message"] == (
        "Alarm panel is back online after 5 min. Did Acme Alarm tell you about it?"
    )


async def test_recovery_reports_the_whole_outage(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    """From the first failed check (not from the alert) to the last good one."""
    await alerting_provider(hass, upstream, {PANEL: device}, phones=[android.device_id])
    first_failure = dt_util.utcnow() + timedelta(seconds=30)
    await outage(hass, freezer, device)
    await advance(hass, freezer, 2 * HOUR)
    await recovery(hass, freezer, device)
    took = dt_util.utcnow() - first_failure
    assert took > timedelta(hours=2)
    assert android.pushes[-1]["message"].startswith(
        "Alarm panel is back online after 2 h."
    )


# --- acknowledge / snooze outlive a reload and a restart ------------------------------


async def ack_panel_snooze_lock(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    app_client: TestClient,
    android: FakePhone,
    device: SimulatedDevice,
    second: SimulatedDevice,
    upstream: SimulatedDevice,
) -> tuple[str, str]:
    """Both systems down; the panel's alert acknowledged, the lock's snoozed 1 h."""
    await alerting_provider(
        hass,
        upstream,
        {PANEL: device, LOCK: second},
        phones=[android.device_id],
        repeat="30",
    )
    await outage(hass, freezer, device, second)
    ids = {p["title"]: alert_id_of(p) for p in android.pushes}
    panel, lock = ids[OFFLINE], ids["Door lock is offline"]
    await tap(app_client, android.webhook_id, f"PW_ACK_{panel}")
    await tap(app_client, android.webhook_id, f"PW_SNOOZE_{lock}")
    await settle(hass)
    return panel, lock


async def test_ack_and_snooze_survive_a_reload(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    app_client: TestClient,
    android: FakePhone,
    device: SimulatedDevice,
    second: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    panel, lock = await ack_panel_snooze_lock(
        hass, freezer, app_client, android, device, second, upstream
    )
    (entry,) = [
        e for e in hass.config_entries.async_entries(DOMAIN) if e.title == "Acme Alarm"
    ]
    await advance(hass, freezer, 10 * MINUTE)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await settle(hass)

    await advance(hass, freezer, 50 * MINUTE - 1)
    assert len(android.pushes) == 2
    await advance(hass, freezer, 1)  # the snooze is over: the lock's reminder
    assert android.titles[2:] == ["Door lock is still offline"]
    assert alert_id_of(android.pushes[2]) == lock
    await advance(hass, freezer, 3 * HOUR)
    assert OFFLINE not in android.titles[2:]
    assert STILL not in android.titles

    # the acknowledged alert still ends with a recovery
    await recovery(hass, freezer, device)
    assert android.pushes[-2] == android.body(clear(panel))
    assert android.pushes[-1]["title"] == BACK


async def test_ack_and_snooze_survive_a_restart(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    app_client: TestClient,
    android: FakePhone,
    device: SimulatedDevice,
    second: SimulatedDevice,
    upstream: SimulatedDevice,
    hass_storage: dict[str, Any],
) -> None:
    panel, lock = await ack_panel_snooze_lock(
        hass, freezer, app_client, android, device, second, upstream
    )
    await advance(hass, freezer, 10 * MINUTE)
    stored = {r["alert_id"]: r for r in hass_storage[ALERTS_STORE]["data"]["records"]}
    assert stored[panel]["acked"] is not None
    assert stored[lock]["snoozed_until"] is not None
    old = manager(hass)

    await restart(hass)
    assert manager(hass) is not old
    assert {r.alert_id for r in manager(hass).records.values()} == {panel, lock}
    assert len(android.pushes) == 2  # nothing re-sent on start

    await advance(hass, freezer, 50 * MINUTE - 1)
    assert len(android.pushes) == 2
    await advance(hass, freezer, 1)
    assert android.titles[2:] == ["Door lock is still offline"]
    await advance(hass, freezer, 3 * HOUR)
    assert STILL not in android.titles

    await recovery(hass, freezer, device, second)
    assert sorted(android.titles[-4:]) == [
        BACK,
        "Door lock is back online",
        "clear_notification",
        "clear_notification",
    ]
    assert hass_storage[ALERTS_STORE]["data"]["records"] == []
