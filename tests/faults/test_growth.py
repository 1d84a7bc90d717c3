"""Fault cases of issue 15: a history that grows, and a power cut after an outage.

Each case runs on the bench (bench.py) like the catalogue's (test_catalogue.py) and
ends with `bench.verify`: no unhandled exception, no false or repeated offline, one
alert per outage and phone, an outage record for every outage, a clear log line.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from custom_components.provider_watch.const import DOMAIN, EVENT_SYSTEM_OFFLINE
from custom_components.provider_watch.hub import DATA_ALERTS
from custom_components.provider_watch.logic.history_file import (
    HISTORY_MINOR_VERSION,
    HistoryData,
    SystemInfo,
)
from custom_components.provider_watch.logic.outages import OutageRecord
from custom_components.provider_watch.logic.rollups import MAX_RECORDS
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.setup import async_setup_component

from ..alerting import restart
from ..helpers import settle
from ..real_files import disk_syncs, real_files, stored_files, synced_writes
from .bench import PANEL, PROVIDER, Bench, http_data
from .servers import FaultyCloud, FaultyDevice, FaultyPage
from .test_catalogue import Kit

START = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)
ONLINE = ("on", "online", "none")
OFFLINE_SYSTEM = ("off", "offline", "system")
ALARM = "sensor.alarm_panel"

type Run = Callable[[Bench, Kit], Awaitable[None]]


@dataclass(frozen=True)
class Case:
    run: Run


CASES: dict[str, Case] = {}


def fault(name: str) -> Callable[[Run], Run]:
    def register(run: Run) -> Run:
        CASES[name] = Case(run)
        return run

    return register


def figure(b: Bench, name: str) -> float:
    state = b.hass.states.get(f"{ALARM}_{name}")
    assert state is not None, name
    return float(state.state)


def history_file(
    entry_id: str, records: list[OutageRecord], *, minor: int = HISTORY_MINOR_VERSION
) -> dict[str, Any]:
    key = f"{DOMAIN}.{entry_id}.history"
    data = HistoryData(
        systems={
            PANEL: SystemInfo(name="Alarm panel", added=START - timedelta(days=60))
        },
        outages=records,
    )
    return {"version": 2, "minor_version": minor, "key": key, "data": data.to_dict()}


def old_outage(number: int, start: datetime, seconds: float) -> OutageRecord:
    return OutageRecord(
        id=f"old-{number:05d}",
        system_id=PANEL,
        system="Alarm panel",
        provider=PROVIDER,
        start=start,
        end=start + timedelta(seconds=seconds),
        cause="system",
    )


# --- the history grows ----------------------------------------------------------------


@fault("flapping_every_poll_for_two_hours_is_one_record")
async def flapping_is_one_record(b: Bench, k: Kit) -> None:
    """120 drops, one record that counts them; the figures sum the real downtime."""
    b.clock.move_to(START)
    data = http_data(k.device.url, failures_before_offline=1, successes_before_online=1)
    await b.provider({PANEL: data})
    for poll in range(240):
        k.device.status = 503 if poll % 2 == 0 else 200
        await b.advance(30)
    assert len(b.offline) == 120
    (record,) = b.records()
    assert record["flaps"] == 119
    assert record["duration"] == 120 * 30.0  # offline 30 s each time, not 2 hours
    assert figure(b, "outages_30_days") == 120
    assert figure(b, "downtime_30_days") == 60.0  # minutes
    assert figure(b, "longest_outage_30_days") == 0.5
    b.verify(offline=120, online=120, alerts=len(b.first_alerts(b.phones[0])))


@fault("history_at_its_bound_summarises_and_goes_on")
async def history_at_its_bound(b: Bench, k: Kit) -> None:
    """A system with more outages on file than the bound: the oldest are summarised,
    the new outage is recorded, and the figures count every one."""
    b.clock.move_to(START)
    entry = b.provider_entry({PANEL: http_data(k.device.url)})
    extra = 7
    records = [
        old_outage(n, START - timedelta(days=20) + timedelta(minutes=20 * n), 60)
        for n in range(MAX_RECORDS + extra)
    ]
    b.storage[f"{DOMAIN}.{entry.entry_id}.history"] = history_file(
        entry.entry_id, records
    )
    b.entry = entry
    entry.add_to_hass(b.hass)
    await restart(b.hass)
    await k.device.stop()
    await b.advance(30, 5, 5)
    assert b.shown() == OFFLINE_SYSTEM
    await k.device.start()
    await b.advance(30, 5)
    assert b.shown() == ONLINE
    saved = b.storage[f"{DOMAIN}.{entry.entry_id}.history"]["data"]
    assert len(saved["outages"]) == MAX_RECORDS
    assert sum(r["outages"] for r in saved["rollups"]) == extra + 1
    assert figure(b, "outages_30_days") == MAX_RECORDS + extra + 1
    b.verify(offline=1, online=1, log="is back online")


@fault("flapping_history_of_the_previous_version")
async def flapping_history_of_the_previous_version(b: Bench, k: Kit) -> None:
    """A file written before flaps were folded (2,000 records of 30 s, a minute
    apart): read, folded, the same downtime; monitoring goes on."""
    b.clock.move_to(START)
    entry = b.provider_entry({PANEL: http_data(k.device.url)})
    first = START - timedelta(days=3)
    records = [
        old_outage(n, first + timedelta(seconds=60 * n), 30) for n in range(2000)
    ]
    b.storage[f"{DOMAIN}.{entry.entry_id}.history"] = history_file(
        entry.entry_id, records, minor=2
    )
    b.entry = entry
    entry.add_to_hass(b.hass)
    await restart(b.hass)
    folded = b.records()
    assert len(folded) == 2  # a record holds at most MAX_FLAPS flaps
    assert sum(r["flaps"] + 1 for r in folded) == 2000
    assert sum(r["duration"] for r in folded) == 2000 * 30.0
    assert figure(b, "downtime_30_days") == 1000.0  # minutes
    await k.device.stop()
    await b.advance(30, 5, 5)
    assert b.shown() == OFFLINE_SYSTEM
    assert len(b.records()) == 3
    b.verify(offline=1)


# --- a power cut ---------------------------------------------------------------------


async def power_cut(b: Bench, survived: dict[Path, bytes]) -> None:
    """Home Assistant dies: its files are as they were, then it starts again."""
    for entry in b.hass.config_entries.async_entries(DOMAIN):
        assert await b.hass.config_entries.async_unload(entry.entry_id)
    b.hass.data.pop(DATA_ALERTS).async_stop()
    b.hass.config.components.remove(DOMAIN)
    for path, content in survived.items():
        put_back(path, content)
    assert await async_setup_component(b.hass, DOMAIN, {})
    await settle(b.hass)


def put_back(path: Path, content: bytes) -> None:
    path.write_bytes(content)


@fault("power_cut_right_after_an_outage_is_declared")
async def power_cut_after_an_outage_is_declared(b: Bench, k: Kit) -> None:
    """What is fsync'd when the offline event fires is the outage, and a restart
    from exactly that goes on with it: no second offline event, the same record."""
    b.clock.move_to(START)
    with real_files(b.hass, k.tmp_path) as folder, disk_syncs() as seen:
        entry = await b.provider({PANEL: http_data(k.device.url)})
        files = {
            folder / f"{DOMAIN}.{entry.entry_id}.state",
            folder / f"{DOMAIN}.{entry.entry_id}.history",
        }
        survived: dict[Path, bytes] = {}

        @callback
        def offline(_event: Event[dict[str, Any]]) -> None:
            synced = synced_writes(seen)
            survived.update(
                (path, path.read_bytes()) for path in files if str(path) in synced
            )

        unsubscribe = b.hass.bus.async_listen(EVENT_SYSTEM_OFFLINE, offline)
        seen.clear()
        await k.device.stop()
        await b.advance(30, 5, 5)
        unsubscribe()
        assert set(survived) == files  # both on disk, durably, when announced
        (declared,) = stored_files(folder)[f"{DOMAIN}.{entry.entry_id}.history"][
            "data"
        ]["outages"]

        await power_cut(b, survived)
        await b.advance(30, 5, 5, 30)
        assert b.shown() == OFFLINE_SYSTEM
        await k.device.start()
        await b.advance(30, 5)
        assert b.shown() == ONLINE
        b.storage.update(stored_files(folder))  # verify what is on disk
    (record,) = b.records()
    assert (record["id"], record["start"]) == (declared["id"], declared["start"])
    assert record["end"] is not None
    b.verify(offline=1, online=1, log="is back online")


# --- the test -------------------------------------------------------------------------


@pytest.mark.parametrize("case", [pytest.param(c, id=n) for n, c in CASES.items()])
async def test_growth_fault(
    case: Case,
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
    await case.run(bench, kit)
