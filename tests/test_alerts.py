"""Phone alerts end to end in-process: real mobile_app, real fake phones and gateway.

What an alert says and carries, per root cause and per phone OS, as the exact JSON
the push relay receives; the persistent notification that mirrors it.
"""

from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
import pytest

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from testkit.phones import PushGateway, register_phone, tap
from testkit.simulated import LOCALHOST, SimulatedDevice

from . import alerting
from .alerting import (
    LEAK,
    LOCK,
    PANEL,
    FakePhone,
    ack_snooze,
    alert_id_of,
    alerting_provider,
    clear,
    device_page,
    local_hhmm,
    manager,
    notes,
    outage,
    recovery,
    setup_provider,
    told_or_not,
)
from .helpers import (
    SYSTEM_ID,
    advance,
    http_system,
    provider_entry,
    settle,
    setup_entry,
    setup_internet,
)
from .statuspage_server import API, StatusPageServer

gateway = alerting.gateway
app_client = alerting.app_client
second = alerting.second
third = alerting.third
android = alerting.android
iphone = alerting.iphone

CALL = "Call Acme Alarm support"
SYSTEM_CAUSE = (
    "Your internet is up — this looks like your system, not your connection. "
    "No alert from Acme Alarm is recorded in Home Assistant."
)


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
                "phones": [
                    alerting.phone_device(hass, android),
                    alerting.phone_device(hass, iphone),
                ],
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
    assert actions[CALL] == {
        "action": "URI",
        "title": CALL,
        "uri": "deep-link://tel:+15550100",
    }
    ios_call = {a["title"]: a for a in to_iphone[0]["data"]["actions"]}[CALL]
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


# --- one system -----------------------------------------------------------------------


async def test_system_alert_exact_payloads_per_os(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    iphone: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    """Android: URI + deep-link://tel:; iOS: its own action id + tel:; no critical."""
    await alerting_provider(
        hass, upstream, {PANEL: device}, phones=[android.device_id, iphone.device_id]
    )
    start = dt_util.utcnow() + timedelta(seconds=30)  # the first failed check
    await outage(hass, freezer, device)

    assert len(android.pushes) == len(iphone.pushes) == 1
    alert_id = alert_id_of(android.pushes[0])
    assert alert_id_of(iphone.pushes[0]) == alert_id
    page = device_page(hass, PANEL)
    sent = {
        "title": "Alarm panel is offline",
        "message": f"Offline since {local_hhmm(start)} (10 s). {SYSTEM_CAUSE}",
        "data": {
            "tag": f"provider-watch-{alert_id}",
            "group": "provider-watch-Acme Alarm",
            "url": page,
            "clickAction": page,
            "action_data": {"alert_id": alert_id},
        },
    }
    assert android.pushes == [
        android.body(
            sent
            | {
                "data": sent["data"]
                | {
                    "actions": [
                        *ack_snooze(alert_id),
                        {
                            "action": "URI",
                            "title": CALL,
                            "uri": "deep-link://tel:+15550100",
                        },
                    ]
                }
            }
        )
    ]
    assert iphone.pushes == [
        iphone.body(
            sent
            | {
                "data": sent["data"]
                | {
                    "actions": [
                        *ack_snooze(alert_id),
                        {
                            "action": f"PW_CALL_{alert_id}",
                            "title": CALL,
                            "uri": "tel:+15550100",
                        },
                    ]
                }
            }
        )
    ]

    # back online: the alert is cleared, then a recovery that asks whether the
    # provider told you (yes / no)
    await recovery(hass, freezer, device)
    back = {
        "title": "Alarm panel is back online",
        "message": "Alarm panel is back online after 45 s. Did Acme Alarm tell you "
        "about it?",
        "data": {
            "tag": f"provider-watch-{alert_id}-back",
            "group": "provider-watch-Acme Alarm",
            "url": page,
            "clickAction": page,
        }
        | told_or_not(alert_id),
    }
    for phone in (android, iphone):
        assert phone.pushes[1:] == [phone.body(clear(alert_id)), phone.body(back)]


@pytest.mark.parametrize(
    ("contacts", "android_extra", "ios_extra"),
    [
        pytest.param(
            {"support_url": "https://acme.example/help"},
            [
                {
                    "action": "URI",
                    "title": "Open Acme Alarm support",
                    "uri": "https://acme.example/help",
                }
            ],
            [
                {
                    "action": "PW_CALL_{id}",
                    "title": "Open Acme Alarm support",
                    "uri": "https://acme.example/help",
                }
            ],
            id="support-url-only",
        ),
        pytest.param(
            {"support_phone": "(555) 010-0200", "support_url": "https://x.example"},
            [
                {
                    "action": "URI",
                    "title": CALL,
                    "uri": "deep-link://tel:5550100200",
                }
            ],
            [{"action": "PW_CALL_{id}", "title": CALL, "uri": "tel:5550100200"}],
            id="phone-wins-over-url",
        ),
        pytest.param({}, [], [], id="no-contacts"),
    ],
)
async def test_support_action_per_os(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    iphone: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    contacts: dict[str, str],
    android_extra: list[dict[str, str]],
    ios_extra: list[dict[str, str]],
) -> None:
    await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
    await setup_provider(
        hass,
        {PANEL: device},
        options={"phones": [android.device_id, iphone.device_id]},
        data=contacts,
    )
    await outage(hass, freezer, device)

    alert_id = alert_id_of(android.pushes[0])

    def filled(actions: list[dict[str, str]]) -> list[dict[str, str]]:
        return [a | {"action": a["action"].format(id=alert_id)} for a in actions]

    assert android.pushes[0]["data"]["actions"] == [
        *ack_snooze(alert_id),
        *filled(android_extra),
    ]
    assert iphone.pushes[0]["data"]["actions"] == [
        *ack_snooze(alert_id),
        *filled(ios_extra),
    ]


async def status_page_alert(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    page: StatusPageServer,
    **options: Any,
) -> dict[str, Any]:
    """The panel, with a status page, goes offline; the one push Android gets."""
    await alerting_provider(
        hass,
        upstream,
        {PANEL: device},
        phones=[android.device_id],
        status_page=page.base,
        **options,
    )
    await outage(hass, freezer, device)
    (push,) = android.pushes
    return push


async def test_system_alert_with_status_page_reporting_no_incident(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    page: StatusPageServer,
) -> None:
    push = await status_page_alert(
        hass, freezer, android, device, upstream, page, status_components=[API]
    )
    assert push["title"] == "Alarm panel is offline"
    assert push["message"].endswith(
        "Your internet is up and Acme Alarm's status page reports no incident — "
        "this looks like your system. "
        "No alert from Acme Alarm is recorded in Home Assistant."
    )


async def test_status_page_that_cannot_be_read_is_not_quoted(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    page: StatusPageServer,
) -> None:
    """A status page that refuses (403) reports nothing: no "reports no incident"."""
    page.mode = "403"
    push = await status_page_alert(hass, freezer, android, device, upstream, page)
    assert push["message"].endswith(SYSTEM_CAUSE)


async def test_status_page_with_an_unrelated_incident_is_not_quoted(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    page: StatusPageServer,
) -> None:
    """An open incident on a component not picked: the page does report one."""
    page.add_incident("Mobile app login failures", impact="minor")
    push = await status_page_alert(
        hass, freezer, android, device, upstream, page, status_components=[API]
    )
    assert push["message"].endswith(SYSTEM_CAUSE)


async def test_cause_unknown_without_internet_check(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
) -> None:
    """No internet check: the alert still goes out, and says the cause is unclear."""
    await setup_provider(hass, {PANEL: device}, options={"phones": [android.device_id]})
    await outage(hass, freezer, device)

    (push,) = android.pushes
    assert push["title"] == "Alarm panel is offline"
    assert push["message"].endswith("(10 s). The cause is not clear yet.")


# --- the internet ---------------------------------------------------------------------


async def internet_outage(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    phones: list[FakePhone],
    upstream: SimulatedDevice,
    panel: SimulatedDevice,
    lock: SimulatedDevice,
) -> None:
    """Two providers (a system each) alerting the same phones; the internet fails."""
    await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
    options = {"phones": [p.device_id for p in phones]}
    await setup_provider(hass, {PANEL: panel}, options=options)
    await setup_provider(hass, {LOCK: lock}, title="Lock Co", options=options)
    await upstream.stop()
    await outage(hass, freezer, panel, lock)


async def test_internet_down_is_one_alert_for_all_systems(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    iphone: FakePhone,
    device: SimulatedDevice,
    second: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    start = dt_util.utcnow() + timedelta(seconds=30)
    await internet_outage(hass, freezer, [android, iphone], upstream, device, second)

    # one alert, decided and recorded; a push could not leave the house
    [(note_id, note)] = notes(hass).items()
    alert_id = note_id.removeprefix("provider_watch_")
    assert note == {
        "notification_id": note_id,
        "title": "Your internet is offline",
        "message": (
            f"Offline since {local_hhmm(start)} (10 s). Your internet is down — "
            "2 monitored systems unreachable: Alarm panel, Door lock."
        ),
        "created_at": dt_util.utcnow(),
    }
    assert android.pushes == iphone.pushes == []
    held = manager(hass).delivery.held
    assert {h.alert_id for h in held[android.device_id]} == {alert_id}

    # the internet and both systems come back: one summary, no "back online"
    await upstream.start()
    await recovery(hass, freezer, device, second)
    await advance(hass, freezer, 60)
    for phone in (android, iphone):
        [summary] = phone.pushes
        assert summary["title"].startswith("While your internet was down")
        assert summary["message"] == (
            f"Alarm panel went offline at {local_hhmm(start)} and recovered; "
            f"Door lock went offline at {local_hhmm(start)} and recovered"
        )
    assert notes(hass) == {}


async def test_internet_back_but_one_system_stays_down(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    second: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    start = dt_util.utcnow() + timedelta(seconds=30)
    await internet_outage(hass, freezer, [android], upstream, device, second)
    [internet_note] = notes(hass)
    internet_id = internet_note.removeprefix("provider_watch_")

    # the internet and the panel come back; the door lock does not
    await upstream.start()
    await recovery(hass, freezer, device)
    await advance(hass, freezer, *[5] * 30)
    # the lock, still down with the internet up, is alerted on its own; the
    # summary follows once the panel has had the time to be seen back
    lock_alert, summary = android.pushes
    assert summary["title"].startswith("While your internet was down")
    assert summary["message"] == (
        f"Alarm panel went offline at {local_hhmm(start)} and recovered; "
        f"Door lock went offline at {local_hhmm(start)} and is still offline"
    )
    assert lock_alert["title"] == "Door lock is offline"
    lock_id = alert_id_of(lock_alert)
    assert lock_id != internet_id
    # the summary is about the one alert still open, the lock's (the internet
    # alert has closed): it replaces the lock's notification on the phone, and
    # the lock's alert can be acknowledged from it (issue 15, item 23)
    assert summary["data"]["tag"] == f"provider-watch-{lock_id}"
    assert summary["data"]["actions"] == ack_snooze(lock_id)
    assert lock_alert["message"].endswith(
        "Your internet is up — this looks like your system, not your connection. "
        "No alert from Lock Co is recorded in Home Assistant."
    )
    assert lock_alert["data"]["group"] == "provider-watch-Lock Co"
    assert lock_alert["data"]["url"] == device_page(hass, LOCK)
    assert set(notes(hass)) == {f"provider_watch_{lock_id}"}


async def test_reload_during_internet_outage_changes_nothing(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    second: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    """A reloaded provider's systems stay in the internet alert (no second alert)."""
    await internet_outage(hass, freezer, [android], upstream, device, second)
    before = notes(hass)
    assert [n["title"] for n in before.values()] == ["Your internet is offline"]

    for entry in hass.config_entries.async_entries("provider_watch"):
        assert await hass.config_entries.async_reload(entry.entry_id)
    await settle(hass)
    await advance(hass, freezer, *[5] * 24)
    assert notes(hass).keys() == before.keys()
    assert len(manager(hass).delivery.held[android.device_id]) == 1
    assert android.pushes == []


# --- the provider's cloud -------------------------------------------------------------


async def test_provider_cloud_down_is_one_alert_per_provider(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    second: SimulatedDevice,
    third: SimulatedDevice,
    upstream: SimulatedDevice,
    page: StatusPageServer,
) -> None:
    """The status page reports the cloud down: one alert per provider, its systems."""
    page.statuses[API] = "major_outage"
    await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
    options = {
        "phones": [android.device_id],
        "status_page": page.base,
        "status_components": [API],
    }
    await setup_provider(hass, {PANEL: device, LOCK: second}, options=options)
    await setup_provider(hass, {LEAK: third}, title="Leak Co", options=options)
    await outage(hass, freezer, device, second, third)

    assert sorted(android.titles) == [
        "Acme Alarm's cloud is offline",
        "Leak Co's cloud is offline",
    ]
    by_title = {p["title"]: p for p in android.pushes}
    acme = by_title["Acme Alarm's cloud is offline"]
    assert acme["message"].endswith(
        "(10 s). Acme Alarm's cloud is not answering — "
        "affected: Alarm panel, Door lock."
    )
    assert acme["data"]["group"] == "provider-watch-Acme Alarm"
    assert "url" not in acme["data"]  # two systems: no single device page
    assert acme["data"]["actions"][2]["title"] == CALL  # the provider to call
    leak = by_title["Leak Co's cloud is offline"]
    assert leak["message"].endswith(
        "(10 s). Leak Co's cloud is not answering — affected: Leak sensor."
    )
    assert leak["data"]["group"] == "provider-watch-Leak Co"
    assert alert_id_of(acme) != alert_id_of(leak)
    assert len(notes(hass)) == 2

    # the cloud is back, and so are the systems: a recovery per provider
    page.statuses[API] = "operational"
    await recovery(hass, freezer, device, second, third)
    await advance(hass, freezer, *[30] * 12)
    assert sorted(android.titles[2:]) == [
        "Acme Alarm's cloud is back online",
        "Leak Co's cloud is back online",
        "clear_notification",
        "clear_notification",
    ]
    assert notes(hass) == {}


# --- critical alerts ------------------------------------------------------------------


async def both_phones_outage(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    phones: tuple[FakePhone, FakePhone],
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    **options: Any,
) -> None:
    """The alarm panel, alerting both phones with these options, goes offline."""
    await alerting_provider(
        hass,
        upstream,
        {PANEL: device},
        phones=[phone.device_id for phone in phones],
        **options,
    )
    await outage(hass, freezer, device)


async def test_critical_alerts_per_os(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    iphone: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    await both_phones_outage(
        hass, freezer, (android, iphone), device, upstream, critical=True, repeat="30"
    )
    await advance(hass, freezer, 30 * 60)  # the reminder rings as loudly

    for push in iphone.pushes:
        data = push["data"]
        assert data["push"] == {
            "sound": {"name": "default", "critical": 1, "volume": 1.0}
        }
        assert not {"priority", "ttl", "channel"} & set(data)
    for push in android.pushes:
        data = push["data"]
        assert (data["priority"], data["ttl"], data["channel"]) == (
            "high",
            0,
            "alarm_stream",
        )
        assert "push" not in data
    assert android.titles == ["Alarm panel is offline", "Alarm panel is still offline"]

    # the recovery is good news: no critical sound
    await recovery(hass, freezer, device)
    for phone in (android, iphone):
        back = phone.pushes[-1]
        assert back["title"] == "Alarm panel is back online"
        assert not {"push", "priority", "ttl", "channel"} & set(back["data"])


async def test_non_critical_alerts_have_no_critical_keys(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    iphone: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    await both_phones_outage(
        hass, freezer, (android, iphone), device, upstream, critical=False
    )

    for phone in (android, iphone):
        (push,) = phone.pushes
        assert set(push["data"]) == {
            "tag",
            "group",
            "url",
            "clickAction",
            "action_data",
            "actions",
        }


async def test_each_outage_has_its_own_tag_and_alert_id(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    app_client: TestClient,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    """A new outage is a new alert: a tap on the old one does not touch it."""
    await alerting_provider(
        hass, upstream, {PANEL: device}, phones=[android.device_id], repeat="30"
    )
    await outage(hass, freezer, device)
    first = alert_id_of(android.pushes[0])
    await recovery(hass, freezer, device)
    await outage(hass, freezer, device)
    again = alert_id_of(android.pushes[-1])
    assert again != first
    assert android.pushes[-1]["data"]["tag"] == f"provider-watch-{again}"
    call = android.pushes[0]["data"]["actions"][2]
    assert android.pushes[-1]["data"]["actions"] == [*ack_snooze(again), call]

    await tap(app_client, android.webhook_id, f"PW_ACK_{first}")  # the old alert
    await settle(hass)
    await advance(hass, freezer, 30 * 60)
    assert android.titles[-1] == "Alarm panel is still offline"


# --- the persistent notification ------------------------------------------------------


async def test_persistent_notification_mirrors_each_open_alert(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    second: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    await alerting_provider(
        hass,
        upstream,
        {PANEL: device, LOCK: second},
        phones=[android.device_id],
        repeat="30",
    )
    await outage(hass, freezer, device)
    await advance(hass, freezer, 60)
    await outage(hass, freezer, second)

    panel, lock = android.pushes
    assert {note["title"]: note["message"] for note in notes(hass).values()} == {
        panel["title"]: panel["message"],
        lock["title"]: lock["message"],
    }
    assert set(notes(hass)) == {
        f"provider_watch_{alert_id_of(panel)}",
        f"provider_watch_{alert_id_of(lock)}",
    }

    # a reminder updates the notification in place
    await advance(hass, freezer, 30 * 60)
    note = notes(hass)[f"provider_watch_{alert_id_of(panel)}"]
    assert note["title"] == "Alarm panel is still offline"

    # a recovery dismisses it; the other alert's stays
    await recovery(hass, freezer, device)
    assert set(notes(hass)) == {f"provider_watch_{alert_id_of(lock)}"}
    await recovery(hass, freezer, second)
    assert notes(hass) == {}
