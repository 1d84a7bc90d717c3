"""Fault catalogue, alerts part 2 (issue 15): what the alerts leave behind.

Cases in the manner of test_catalogue.py, on the same bench (bench.py): a real Home
Assistant, the internet check, two phones registered through the Companion-app API,
the faulty servers on 127.0.0.1 and the frozen clock. Each case ends with
`bench.verify` (no unhandled exception, no false or repeated offline, one alert per
outage and phone, the outage records, a clear log line) and its own checks.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
import logging
from pathlib import Path

import pytest

from custom_components.provider_watch.const import (
    CONF_COMPARISON,
    CONF_EXPECTED,
    CONF_ID_VALUE,
    CONF_PATH,
    DOMAIN,
    SUBENTRY_SYSTEM,
)
from custom_components.provider_watch.hub import DATA_ALERTS
from custom_components.provider_watch.monitoring.internet import internet_up
from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant
from testkit.phones import tap

from ..alerting import FakePhone, ack_snooze, alert_id_of, clear, notes
from ..helpers import settle
from .bench import PANEL, Bench, cloud_data, http_data
from .servers import FaultyCloud, FaultyDevice, FaultyPage

ALERTS_STORE = f"{DOMAIN}.alerts"
ONLINE = ("on", "online", "none")


@dataclass(frozen=True, kw_only=True)
class Kit:
    """The servers a case can break."""

    device: FaultyDevice
    cloud: FaultyCloud
    page: FaultyPage
    tmp_path: Path
    request: pytest.FixtureRequest


type Run = Callable[[Bench, Kit], Awaitable[None]]
CASES: dict[str, Run] = {}


def fault(name: str) -> Callable[[Run], Run]:
    def register(run: Run) -> Run:
        CASES[name] = run
        return run

    return register


def remembered(b: Bench) -> dict[str, set[str]]:
    """The systems each of the alert manager's per-system memories holds."""
    alerts = b.hass.data[DATA_ALERTS]
    return {
        "owners": set(alerts._book.owners()),
        "tracker": alerts._tracker.systems(),
        "maintenance": set(alerts.maintenance),
    }


# --- issue 15, item 3: systems added and removed ------------------------------------


@fault("systems_added_and_removed_leave_nothing_behind")
async def added_and_removed(b: Bench, k: Kit) -> None:
    """20 systems come and go; every fifth is down and alerted when it goes."""
    entry = await b.provider({PANEL: http_data(k.device.url)})
    entries = b.hass.config_entries
    down = 0
    for number in range(20):
        system = ConfigSubentry(
            data=http_data(k.cloud.health_url),
            subentry_type=SUBENTRY_SYSTEM,
            title=f"Sensor {number}",
            unique_id=None,
        )
        assert entries.async_add_subentry(entry, system)
        await settle(b.hass)
        if number % 5 == 4:
            k.cloud.status = 503
            await b.advance(30, 5, 5)
            assert entry.runtime_data.systems[system.subentry_id].data.offline
            down += 1
            alert_ids = [alert_id_of(phone.pushes[-1]) for phone in b.phones]
            b.hass.data[DATA_ALERTS].async_set_maintenance(
                {system.subentry_id}, active=True
            )
        assert entries.async_remove_subentry(entry, system.subentry_id)
        await settle(b.hass)
        if number % 5 == 4:
            for phone, alert_id in zip(b.phones, alert_ids, strict=True):
                assert phone.pushes[-1] == phone.body(clear(alert_id))
            k.cloud.status = 200
        await b.advance(30)
    assert remembered(b) == {
        "owners": {PANEL},
        "tracker": {PANEL},
        "maintenance": set(),
    }
    stored = b.storage[ALERTS_STORE]["data"]
    assert stored["owners"] == {PANEL: entry.entry_id}
    assert stored["records"] == []
    assert stored["maintenance"] == []
    # the removed systems' outages were closed with them
    assert all(record["end"] is not None for record in b.records())
    b.verify(offline=down, records=False, log="Sensor 19 (Acme Alarm) is offline")


# --- issue 15, item 22: one provider-cloud outage, several systems -------------------

CLOUD_CAUSE = "Acme Alarm's cloud is not answering — affected: "


@fault("cloud_outage_names_every_system_as_it_joins")
async def cloud_outage_names_every_system(b: Bench, k: Kit) -> None:
    """The cloud fails: the panel, the gateway and the lock follow one by one."""
    gateway = {
        CONF_ID_VALUE: "42",
        CONF_PATH: "$.status",
        CONF_COMPARISON: "equals",
        CONF_EXPECTED: "online",
    }
    await b.provider(
        {
            PANEL: cloud_data(k.cloud.url, failures_before_offline=1),
            "system_solar_gateway": cloud_data(
                k.cloud.url, failures_before_offline=2, **gateway
            ),
            "system_door_lock": cloud_data(k.cloud.url, failures_before_offline=3),
        },
        repeat="30",
    )
    k.cloud.status = 503
    await b.advance(30)
    for phone in b.phones:
        assert phone.pushes[-1]["message"].endswith(f"{CLOUD_CAUSE}Alarm panel.")
    await b.advance(5, 5)
    everyone = f"{CLOUD_CAUSE}Alarm panel, Door lock, Solar gateway."
    for phone in b.phones:
        first, *updates = phone.pushes
        assert [u["title"] for u in updates] == [
            "Acme Alarm's cloud is still offline"
        ] * 2
        assert {u["data"]["tag"] for u in updates} == {first["data"]["tag"]}
        assert updates[-1]["message"].endswith(everyone)
    [note] = notes(b.hass).values()
    assert note["message"].endswith(everyone)
    await b.advance(30 * 60)  # the reminder names them all
    for phone in b.phones:
        assert phone.pushes[-1]["title"] == "Acme Alarm's cloud is still offline"
        assert phone.pushes[-1]["message"].endswith(everyone)
    k.cloud.status = 200
    await b.advance(30, 30)
    for phone in b.phones:
        assert phone.pushes[-1]["title"] == "Acme Alarm's cloud is back online"
    b.verify(
        offline=3,
        online=3,
        alerts=1,
        log="Door lock (Acme Alarm) is offline: provider API answered HTTP 503",
    )


# --- issue 15, item 23: the summary once the internet is back -----------------------


def tags_left(phone: FakePhone) -> set[str]:
    """Tags of what the phone shows: put there, not cleared since (recoveries aside)."""
    showing: set[str] = set()
    for push in phone.pushes:
        tag = push["data"]["tag"]
        if push["message"] == "clear_notification":
            showing.discard(tag)
        elif not tag.endswith("-back"):
            showing.add(tag)
    return showing


@fault("internet_back_system_still_down_summary_is_about_its_alert")
async def summary_about_the_open_alert(b: Bench, k: Kit) -> None:
    """The internet goes, the panel goes (held); the internet comes back, not it."""
    upstream = k.request.getfixturevalue("upstream")
    client = k.request.getfixturevalue("app_client")
    await b.provider({PANEL: http_data(k.device.url)})
    await upstream.stop()
    await b.until(lambda: internet_up(b.hass) is False)
    await k.device.stop()
    await b.until(lambda: b.shown() == ("off", "offline", "internet"))
    await b.advance(60)
    assert all(phone.pushes == [] for phone in b.phones)  # held back

    await upstream.start()
    await b.until(lambda: all(len(phone.pushes) == 2 for phone in b.phones))
    assert b.shown() == ("off", "offline", "system")
    [record] = b.hass.data[DATA_ALERTS].records.values()
    tag = f"provider-watch-{record.alert_id}"
    for phone in b.phones:
        alert, summary = phone.pushes
        assert (alert["title"], alert["data"]["tag"]) == ("Alarm panel is offline", tag)
        assert summary["title"].startswith("While your internet was down")
        assert summary["data"]["tag"] == tag  # it replaces the alert, quietly
        assert summary["data"]["actions"] == ack_snooze(record.alert_id)
        assert tags_left(phone) == {tag}
    pixel = b.phones[0]
    await tap(
        client, pixel.webhook_id, pixel.pushes[-1]["data"]["actions"][0]["action"]
    )
    await b.advance(30, *[30 * 60] * 6)  # acknowledged: no reminder for 3 h
    assert all(len(phone.pushes) == 2 for phone in b.phones)

    await k.device.start()
    await b.until(lambda: b.shown() == ONLINE)
    for phone in b.phones:
        assert phone.pushes[2] == phone.body(clear(record.alert_id))
        assert phone.pushes[3]["title"] == "Alarm panel is back online"
        assert tags_left(phone) == set()
    b.verify(
        offline=1,
        online=1,
        log="Alarm panel (Acme Alarm) is offline",
        log_level=logging.WARNING,
    )


# --- issue 15, item 24: counted words ------------------------------------------------


@fault("internet_down_with_one_system_says_one_system")
async def one_system_unreachable(b: Bench, k: Kit) -> None:
    """The internet and the panel go down together; both come back."""
    upstream = k.request.getfixturevalue("upstream")
    await b.provider({PANEL: http_data(k.device.url)})
    await upstream.stop()
    await k.device.stop()
    await b.until(lambda: b.shown() == ("off", "offline", "internet"))
    [note] = notes(b.hass).values()
    assert note["title"] == "Your internet is offline"
    assert note["message"].endswith(
        "Your internet is down — 1 monitored system unreachable: Alarm panel."
    )
    await upstream.start()
    await k.device.start()
    await b.until(lambda: all(phone.pushes for phone in b.phones))
    for phone in b.phones:
        [summary] = phone.pushes
        assert "Alarm panel went offline at" in summary["message"]
        assert "and recovered" in summary["message"]
    b.verify(offline=1, online=1, log="Alarm panel (Acme Alarm) is offline")


# --- the runner -----------------------------------------------------------------------


@pytest.mark.timeout(300)  # a case reloads the provider dozens of times
@pytest.mark.parametrize("name", list(CASES))
async def test_fault(
    name: str,
    request: pytest.FixtureRequest,
    make_bench: Callable[..., Awaitable[Bench]],
    faulty_device: FaultyDevice,
    faulty_cloud: FaultyCloud,
    faulty_page: FaultyPage,
    tmp_path: Path,
    hass: HomeAssistant,
) -> None:
    bench = await make_bench(request.getfixturevalue("freezer"))
    kit = Kit(
        device=faulty_device,
        cloud=faulty_cloud,
        page=faulty_page,
        tmp_path=tmp_path,
        request=request,
    )
    await CASES[name](bench, kit)


def test_the_cases_of_issue_15() -> None:
    """Each item of issue 15 this file covers has its case."""
    assert set(CASES) >= {
        "systems_added_and_removed_leave_nothing_behind",  # item 3
        "cloud_outage_names_every_system_as_it_joins",  # item 22
        "internet_back_system_still_down_summary_is_about_its_alert",  # item 23
        "internet_down_with_one_system_says_one_system",  # item 24
    }
