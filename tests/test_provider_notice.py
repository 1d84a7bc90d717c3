"""Did the provider tell you? The recovery asks, the phone answers, a service corrects.

Real phones registered with the Companion-app API, pushes to a relay on 127.0.0.1,
taps as the app fires them (fire_event over the webhook), systems that are real
servers switched off and on; the clock only moves by time travel.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
import probatio as vol
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.provider_watch.const import DOMAIN
from custom_components.provider_watch.diagnostics import (
    async_get_config_entry_diagnostics,
)
from custom_components.provider_watch.history.store import OutageHistory
from custom_components.provider_watch.logic.history_file import HISTORY_MINOR_VERSION
from custom_components.provider_watch.logic.notes import Answered, Asked
from custom_components.provider_watch.logic.outages import (
    EMPTY_NOTICE,
    OutageRecord,
)
from homeassistant.components.diagnostics import REDACTED
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
from testkit.phones import tap
from testkit.simulated import SimulatedDevice

from . import alerting
from .alerting import (
    BACK,
    LOCK,
    OFFLINE,
    PANEL,
    FakePhone,
    alert_id_of,
    alerting_entry,
    outage,
    recovery,
    restart,
    told_or_not,
)
from .helpers import (
    advance,
    http_system,
    provider_entry,
    service_response,
    settle,
    setup_entry,
    state,
)

gateway = alerting.gateway
app_client = alerting.app_client
second = alerting.second
android = alerting.android
iphone = alerting.iphone


def asked(system: str, alert_id: str, *, since: datetime, when: datetime) -> Asked:
    """A recovery's "did the provider tell you?" about one system."""
    return Asked(systems=frozenset({system}), alert_id=alert_id, since=since, when=when)


def _mid_next_month() -> datetime:
    """The 10th of next month, 12:00 UTC: well inside a billing month, and ahead of
    the real clock (the tests only ever move time forward).
    """
    now = datetime.now(UTC)
    first = (now.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first.replace(day=10, hour=12, minute=0, second=0, microsecond=0)


MID_MONTH = _mid_next_month()
TOLD = "sensor.acme_alarm_outages_told_by_provider_this_month"
NOT_TOLD = "sensor.acme_alarm_outages_found_only_by_provider_watch_this_month"
UNANSWERED = "sensor.acme_alarm_outages_not_answered_this_month"
QUESTION = "Did Acme Alarm tell you about it?"


def counts(hass: HomeAssistant) -> tuple[str, str, str]:
    """The provider's sensors: told, not told (found only by us), not answered."""
    return state(hass, TOLD), state(hass, NOT_TOLD), state(hass, UNANSWERED)


def history_of(entry: MockConfigEntry) -> OutageHistory:
    history: OutageHistory = entry.runtime_data.history
    return history


def stored_outages(
    hass_storage: dict[str, Any], entry: MockConfigEntry
) -> list[dict[str, Any]]:
    data = hass_storage[f"provider_watch.{entry.entry_id}.history"]
    # issue 15: written at the current version (2.3 since flaps and summaries)
    assert (data["version"], data["minor_version"]) == (2, HISTORY_MINOR_VERSION)
    return list(data["data"]["outages"])


async def panel_outage_and_back(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    phones: list[FakePhone],
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> tuple[MockConfigEntry, str]:
    """Acme Alarm's panel goes down and comes back; its entry and the alert id."""
    freezer.move_to(MID_MONTH)
    entry = await alerting_entry(hass, upstream, {PANEL: device}, *phones)
    await outage(hass, freezer, device)
    alert_id = alert_id_of(phones[0].pushes[0])
    await recovery(hass, freezer, device)
    return entry, alert_id


# --- the recovery asks, the phone answers -------------------------------------------


@pytest.fixture(params=[False, True], ids=["android", "iphone"])
async def phone(
    hass: HomeAssistant,
    app_client: TestClient,
    gateway: alerting.PushGateway,
    request: pytest.FixtureRequest,
) -> FakePhone:
    """An Android phone, then an iPhone, registered with the Companion app."""
    ios = bool(request.param)
    name = "Iphone" if ios else "Pixel"
    return await alerting.add_phone(hass, app_client, gateway, name, ios=ios)


async def test_recovery_asks_and_the_tap_is_recorded(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
    app_client: TestClient,
    hass_admin_user: Any,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    phone: FakePhone,
) -> None:
    entry, alert_id = await panel_outage_and_back(
        hass, freezer, [phone], device, upstream
    )
    # the recovery asks, with a button for each answer (the same on both systems)
    assert phone.titles == [OFFLINE, "clear_notification", BACK]
    back = phone.pushes[2]
    assert back == phone.body(
        {
            "title": BACK,
            "message": f"Alarm panel is back online after 45 s. {QUESTION}",
            "data": {
                "tag": f"provider-watch-{alert_id}-back",
                "group": "provider-watch-Acme Alarm",
                "url": back["data"]["url"],
                "clickAction": back["data"]["url"],
            }
            | told_or_not(alert_id),
        }
    )
    (record,) = history_of(entry).outages
    assert record.asked_alerts == [alert_id]
    assert record.asked_at is not None
    assert record.provider_told is None
    assert counts(hass) == ("0", "0", "1")

    # "Yes, they told me"
    await tap(app_client, phone.webhook_id, f"PW_TOLD_{alert_id}")
    await settle(hass)
    assert record.provider_told is True
    assert record.answered_by == hass_admin_user.id  # who registered the phone
    assert record.answered_via == "phone"
    assert counts(hass) == ("1", "0", "0")
    await advance(hass, freezer, 10)  # written within 10 s
    (saved,) = stored_outages(hass_storage, entry)
    assert saved["provider_notice"] | {"answered_at": None, "asked_at": None} == {
        "told": True,
        "answered_at": None,
        "by": hass_admin_user.id,
        "via": "phone",
        "notes": None,
        "asked_at": None,
        "asked_alerts": [alert_id],
    }

    # a second thought: "No" replaces it
    await tap(app_client, phone.webhook_id, f"PW_NOTTOLD_{alert_id}")
    await settle(hass)
    assert record.provider_told is False
    assert counts(hass) == ("0", "1", "0")


async def test_answer_after_a_restart_and_for_the_right_outage(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    app_client: TestClient,
    android: FakePhone,
    device: SimulatedDevice,
    second: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    """Two systems, two alerts: each answer goes to its own outage, even when the
    tap comes after Home Assistant restarted.
    """
    freezer.move_to(MID_MONTH)
    entry = await alerting_entry(hass, upstream, {PANEL: device, LOCK: second}, android)
    await outage(hass, freezer, device, second)
    ids = {p["title"]: alert_id_of(p) for p in android.pushes}
    panel_alert, lock_alert = ids[OFFLINE], ids["Door lock is offline"]
    await recovery(hass, freezer, device, second)
    backs = [p for p in android.pushes if p.get("title", "").endswith("back online")]
    assert {p["data"]["actions"][0]["action"] for p in backs} == {
        f"PW_TOLD_{panel_alert}",
        f"PW_TOLD_{lock_alert}",
    }
    assert counts(hass) == ("0", "0", "2")

    await restart(hass)
    entry = next(e for e in hass.config_entries.async_entries(DOMAIN) if e is entry)
    await tap(app_client, android.webhook_id, f"PW_NOTTOLD_{lock_alert}")
    await settle(hass)
    by_system = {r.system_id: r for r in history_of(entry).outages}
    assert by_system[LOCK].provider_told is False
    assert by_system[PANEL].provider_told is None
    assert counts(hass) == ("0", "1", "1")
    # a tap naming no known alert changes nothing
    await tap(app_client, android.webhook_id, "PW_TOLD_0123456789ab")
    await settle(hass)
    assert counts(hass) == ("0", "1", "1")


async def test_internet_outage_is_not_asked_about(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    """The home's internet is not the provider's to tell: no question, no count."""
    freezer.move_to(MID_MONTH)
    entry = await alerting_entry(hass, upstream, {PANEL: device}, android)
    await upstream.stop()
    await outage(hass, freezer, device)
    # the panel answers again first (it is on the home network), then the internet
    await recovery(hass, freezer, device)
    await upstream.start()
    await advance(hass, freezer, 60)
    # whatever reached the phone (the alert, its recovery), nothing asks
    assert android.pushes
    for push in android.pushes:
        assert QUESTION not in push["message"]
        actions = push.get("data", {}).get("actions", [])
        assert not [a for a in actions if "TOLD" in a["action"]]
    (record,) = history_of(entry).outages
    assert record.cause == "internet"
    assert record.asked_alerts == []
    assert counts(hass) == ("0", "0", "0")


async def test_only_the_outages_of_the_alert_are_asked_about(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    """Its systems' outages that were going on while the alert was open."""
    entry, alert_id = await panel_outage_and_back(
        hass, freezer, [android], device, upstream
    )
    history = history_of(entry)
    now = dt_util.utcnow()
    (record,) = history.outages
    assert record.end is not None
    # an alert opened after the outage ended, another system's alert: not this one
    later = record.end + timedelta(seconds=1)
    assert history.note(asked(PANEL, "later", since=later, when=now)) == 0
    assert history.note(asked(LOCK, "lock", since=MID_MONTH, when=now)) == 0
    # an alert that began before it: this one
    assert history.note(asked(PANEL, "earlier", since=MID_MONTH, when=now)) == 1
    assert record.asked_alerts == [alert_id, "earlier"]
    assert history.note(Answered(alert_id="lock", told=True, when=now, by=None)) == 0
    assert record.provider_told is None


# --- the service ----------------------------------------------------------------------


async def notice(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    return await service_response(hass, "record_provider_notice", **data)


async def test_service_sets_and_corrects_the_answer(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
    hass_admin_user: Any,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    entry, _ = await panel_outage_and_back(hass, freezer, [android], device, upstream)
    (record,) = history_of(entry).outages
    response = await notice(
        hass, outage_id=f" {record.id} ", told="no", note="Nothing from them"
    )
    assert response == {
        "outage_id": record.id,
        "config_entry_id": entry.entry_id,
        "provider": "Acme Alarm",
        "system": "Alarm panel",
        "start": record.start.isoformat(),
        "end": record.end.isoformat() if record.end else None,
        "told": False,
        "note": "Nothing from them",
    }
    assert record.answered_via == "service"
    assert counts(hass) == ("0", "1", "0")
    # later: they did send an e-mail after all (the note stays unless replaced)
    assert (await notice(hass, outage_id=record.id, told=True))["note"] == (
        "Nothing from them"
    )
    assert counts(hass) == ("1", "0", "0")
    await advance(hass, freezer, 10)
    (saved,) = stored_outages(hass_storage, entry)
    assert saved["provider_notice"]["told"] is True
    assert saved["provider_notice"]["notes"] == "Nothing from them"
    assert saved["provider_notice"]["via"] == "service"
    # the note is the owner's own words: kept out of diagnostics, like their notes
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    (last,) = diagnostics["history"]["last_outages"]
    assert last["provider_notice"]["notes"] == REDACTED
    assert last["provider_notice"]["told"] is True

    # the report lists the outage with its id and the answer
    report = await service_response(
        hass, "generate_report", config_entry_id=entry.entry_id
    )
    (listed,) = report["outages"]
    assert (listed["id"], listed["provider_told"], listed["notice"]) == (
        record.id,
        True,
        "told",
    )
    assert report["provider_notice"] == {"told": 1, "not_told": 0, "unanswered": 0}
    markdown = await hass.async_add_executor_job(
        Path(report["files"]["markdown"]).read_text, "utf-8"
    )
    assert f"| {record.id} | Alarm panel |" in markdown
    assert "| yes: Nothing from them |" in markdown
    assert "you told me about 1; 0 I only found" in report["summary"]


@pytest.mark.parametrize(
    "data",
    [
        {"outage_id": "no-such-outage", "told": True},
        {"outage_id": "", "told": False},
    ],
)
async def test_service_refuses_an_unknown_outage(
    hass: HomeAssistant,
    device: SimulatedDevice,
    data: dict[str, Any],
) -> None:
    await setup_entry(hass, provider_entry({PANEL: http_system(device.url)}))
    with pytest.raises(ServiceValidationError) as err:
        await notice(hass, **data)
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "unknown_outage"
    assert err.value.translation_placeholders == {"outage_id": data["outage_id"]}
    # the message is translated and filled in
    assert str(err.value).startswith(
        f"No outage with the id {data['outage_id']} is in the history of a loaded "
        "provider."
    )


@pytest.mark.parametrize(
    "data",
    [
        {"outage_id": "x"},  # told is required
        {"outage_id": "x", "told": "perhaps"},
        {"told": True},
        {"outage_id": "x", "told": True, "note": "n" * 501},
    ],
)
async def test_service_schema(
    hass: HomeAssistant, device: SimulatedDevice, data: dict[str, Any]
) -> None:
    await setup_entry(hass, provider_entry({PANEL: http_system(device.url)}))
    with pytest.raises(vol.Invalid):
        await notice(hass, **data)


# --- the stored format --------------------------------------------------------------


async def test_version_2_1_history_is_migrated(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    device: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
) -> None:
    freezer.move_to(MID_MONTH)
    entry = provider_entry({PANEL: http_system(device.url)})
    key = f"provider_watch.{entry.entry_id}.history"
    old = OutageRecord(
        id="before",
        system_id=PANEL,
        system="Alarm panel",
        provider="Acme Alarm",
        start=MID_MONTH - timedelta(days=2),
        end=MID_MONTH - timedelta(days=2, minutes=-5),
        cause="system",
    ).to_dict()
    del old["provider_notice"]
    hass_storage[key] = {
        "version": 2,
        "minor_version": 1,
        "key": key,
        "data": {"systems": {}, "outages": [old]},
    }
    await setup_entry(hass, entry)
    (saved,) = stored_outages(hass_storage, entry)
    assert saved == old | {"provider_notice": EMPTY_NOTICE}
    assert counts(hass) == ("0", "0", "1")
    response = await notice(hass, outage_id="before", told=False)
    assert response["told"] is False
    assert counts(hass) == ("0", "1", "0")
