"""The history does not grow without bound (issue 15): flapping outages fold into one
record, each system keeps a bounded number of records with the oldest summarised by
month, old files are migrated, and the history is serialised in the executor.
"""

from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
import threading
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.provider_watch.const import DOMAIN
from custom_components.provider_watch.history.store import (
    CAUSE_SAVE_DELAY,
    OutageHistory,
)
from custom_components.provider_watch.logic.history_file import (
    HISTORY_MINOR_VERSION,
    HistoryData,
    SystemInfo,
)
from custom_components.provider_watch.logic.notes import AlertSent
from custom_components.provider_watch.logic.outages import OutageRecord
from custom_components.provider_watch.logic.rollups import MAX_RECORDS
from homeassistant.core import HomeAssistant
from homeassistant.helpers import json as json_helper, storage
from homeassistant.util import dt as dt_util
from testkit.heartbeat import count_saves
from testkit.simulated import SimulatedDevice

from .helpers import (
    SYSTEM_ID,
    advance,
    http_system,
    provider_entry,
    setup_entry,
    setup_http_provider,
    state,
)
from .real_files import real_files

T0 = datetime(2027, 2, 1, 12, 0, tzinfo=UTC)
ALARM = "sensor.alarm_panel"


def key(entry: MockConfigEntry) -> str:
    return f"{DOMAIN}.{entry.entry_id}.history"


def stored(hass_storage: dict[str, Any], entry: MockConfigEntry) -> dict[str, Any]:
    data = hass_storage[key(entry)]
    assert (data["version"], data["minor_version"]) == (2, HISTORY_MINOR_VERSION)
    return dict(data["data"])


async def drop_and_come_back(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, device: SimulatedDevice
) -> None:
    """Offline from the next check (+30 s, declared at +40 s), back at +75 s."""
    await device.stop()
    await advance(hass, freezer, 30, 5, 5)
    assert state(hass, f"{ALARM}_status") == "offline"
    await device.start()
    await advance(hass, freezer, 30, 5)
    assert state(hass, f"{ALARM}_status") == "online"


async def read(hass: HomeAssistant, path: str | Path) -> str:
    """A file's text, read in the executor."""
    return await hass.async_add_executor_job(Path(path).read_text, "utf-8")


async def generate(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN,
        "generate_report",
        {"config_entry_id": entry.entry_id, "period": "last_30_days"},
        blocking=True,
        return_response=True,
    )
    assert isinstance(response, dict)
    return response


# --- flapping -------------------------------------------------------------------------


async def test_flapping_folds_into_one_record_with_a_count(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    device: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
    tmp_path: Path,
) -> None:
    """Five drops 30 s apart: one record that counts 4 flaps, the real downtime."""
    hass.config.config_dir = str(tmp_path)  # the report's files
    freezer.move_to(T0)
    entry = await setup_http_provider(hass, device.url)
    starts = []
    for _ in range(5):
        starts.append(dt_util.utcnow() + timedelta(seconds=30))
        await drop_and_come_back(hass, freezer, device)

    (record,) = stored(hass_storage, entry)["outages"]
    assert record["flaps"] == 4
    assert record["start"] == starts[0].isoformat()
    assert record["end"] == (starts[-1] + timedelta(seconds=45)).isoformat()
    # offline 45 s each time (first failed check to the second good one)
    assert record["duration"] == 5 * 45.0
    history: OutageHistory = entry.runtime_data.history
    assert [i.start for i in history.intervals(SYSTEM_ID)] == starts

    # the figures count each time offline and only the time offline
    assert float(state(hass, f"{ALARM}_downtime_30_days")) == round(225 / 60, 2)
    assert float(state(hass, f"{ALARM}_outages_30_days")) == 5
    assert float(state(hass, f"{ALARM}_longest_outage_30_days")) == 0.75

    report = await generate(hass, entry)
    (outage,) = report["outages"]
    assert (outage["flaps"], outage["duration_s"]) == (4, 225.0)
    (system,) = report["systems"]
    assert (system["outages"], system["downtime_s"]) == (5, 225.0)
    markdown = await read(hass, report["files"]["markdown"])
    assert "offline 5 times" in markdown


# --- the per-system bound -------------------------------------------------------------


def outage(number: int, start: datetime, seconds: float) -> OutageRecord:
    return OutageRecord(
        id=f"old-{number:04d}",
        system_id=SYSTEM_ID,
        system="Alarm panel",
        provider="Acme Alarm",
        start=start,
        end=start + timedelta(seconds=seconds),
        cause="provider_cloud" if number % 2 else "system",
    )


async def test_bound_keeps_a_summary_that_the_figures_and_report_count(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    device: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
    tmp_path: Path,
) -> None:
    """Beyond MAX_RECORDS the oldest become a monthly summary, counted everywhere."""
    hass.config.config_dir = str(tmp_path)
    extra = 30
    total = MAX_RECORDS + extra
    # one 60 s outage every 20 minutes from the 1st: 14.3 days, all in 30 days
    records = [outage(n, T0 + timedelta(minutes=20 * n), 60) for n in range(total)]
    entry = provider_entry({SYSTEM_ID: http_system(device.url)})
    history = HistoryData(
        systems={SYSTEM_ID: SystemInfo(name="Alarm panel", added=T0)},
        outages=records,
    )
    hass_storage[key(entry)] = {
        "version": 2,
        "minor_version": HISTORY_MINOR_VERSION,
        "key": key(entry),
        "data": history.to_dict(),
    }
    freezer.move_to(T0 + timedelta(days=20))
    await setup_entry(hass, entry)
    await entry.runtime_data.history.async_flush()

    data = stored(hass_storage, entry)
    assert len(data["outages"]) == MAX_RECORDS
    assert data["outages"][0]["id"] == f"old-{extra:04d}"  # the oldest went…
    (rollup,) = data["rollups"]  # …into a summary of February
    assert rollup | {"start": None, "end": None} == {
        "system_id": SYSTEM_ID,
        "month": "2027-02",
        "start": None,
        "end": None,
        "first": T0.isoformat(),
        "last": (T0 + timedelta(minutes=20 * (extra - 1), seconds=60)).isoformat(),
        "outages": extra,
        "offline": extra,
        "flaps": 0,
        "downtime": extra * 60.0,
        "longest": 60.0,
        "causes": {"system": extra // 2, "provider_cloud": extra // 2},
        "told": 0,
        "not_told": 0,
        "unanswered": extra,
    }

    # the sensors count every outage, kept or summarised
    assert float(state(hass, f"{ALARM}_outages_30_days")) == total
    assert float(state(hass, f"{ALARM}_downtime_30_days")) == total
    assert float(state(hass, "sensor.acme_alarm_downtime_30_days_all_systems")) == total

    # and so does the report, which lists the summary
    report = await generate(hass, entry)
    (system,) = report["systems"]
    assert (system["outages"], system["downtime_min"]) == (total, float(total))
    assert len(report["outages"]) == MAX_RECORDS
    (summary,) = report["summarised"]
    assert (summary["month"], summary["outages"], summary["in_period"]) == (
        "2027-02",
        extra,
        1.0,
    )
    assert sum(report["causes"].values()) == total
    assert report["cost"]["downtime_min"] == float(total)
    markdown = await read(hass, report["files"]["markdown"])
    assert "Earlier outages, summarised by month" in markdown
    csv = await read(hass, report["files"]["csv"])
    assert f"summary,{SYSTEM_ID},Alarm panel" in csv


# --- migration ------------------------------------------------------------------------


async def test_old_file_is_migrated_with_its_flapping_folded(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    device: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A 2.2 file with a record per flap: one record, the same downtime."""
    freezer.move_to(T0 + timedelta(days=1))
    entry = provider_entry({SYSTEM_ID: http_system(device.url)})
    flaps = [outage(n, T0 + timedelta(seconds=60 * n), 30) for n in range(20)]
    flaps[3].alert_sent = T0
    flaps[4].acknowledged_at = T0 + timedelta(minutes=4)
    flaps[4].acknowledged_by = "user-1"
    for record in flaps:
        record.cause = "system"
    apart = outage(99, T0 + timedelta(hours=5), 600)  # an outage of its own
    old = HistoryData(
        systems={SYSTEM_ID: SystemInfo(name="Alarm panel", added=T0)},
        outages=[*flaps, apart],
    ).to_dict()
    hass_storage[key(entry)] = {
        "version": 2,
        "minor_version": 2,
        "key": key(entry),
        "data": old,
    }
    await setup_entry(hass, entry)

    data = stored(hass_storage, entry)  # written back as 2.3
    folded, single = data["outages"]
    assert (folded["id"], folded["flaps"], folded["duration"]) == (
        "old-0000",
        19,
        20 * 30.0,
    )
    assert folded["alert_sent"] == T0.isoformat()
    assert folded["acknowledged"]["by"] == "user-1"
    assert (single["id"], "flaps" in single) == ("old-0099", False)
    assert float(state(hass, f"{ALARM}_downtime_30_days")) == 20.0  # 600 + 600 s
    assert float(state(hass, f"{ALARM}_outages_30_days")) == 21


# --- serialised in the executor ------------------------------------------------------


async def test_history_is_serialised_in_the_executor(
    hass: HomeAssistant,
    device: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
    tmp_path: Path,
) -> None:
    """The real Store on real files: the history's JSON is made off the event loop,
    at once for an outage, after the delay for a note."""
    freezer.move_to(T0)
    loop_thread = threading.get_ident()
    made: list[tuple[str, bool]] = []  # (what, in the event loop's thread)
    prepare = json_helper.prepare_save_json

    def watched(data: Any, **kwargs: Any) -> Any:
        if "history" in str(data.get("key", "")):
            made.append((data["key"], threading.get_ident() == loop_thread))
        return prepare(data, **kwargs)

    with (
        real_files(hass, tmp_path) as folder,
        patch.object(storage.json_helper, "prepare_save_json", watched),
    ):
        entry = await setup_http_provider(hass, device.url)
        path = folder / key(entry)
        made.clear()
        await device.stop()
        await advance(hass, freezer, 30, 5, 5)  # declared: written at once
        assert made == [(key(entry), False)]
        (record,) = json.loads(await read(hass, path))["data"]["outages"]
        assert record["end"] is None

        # a note is written after the delay, from a snapshot, off the loop too
        history: OutageHistory = entry.runtime_data.history
        history.note(AlertSent(systems=frozenset({SYSTEM_ID}), when=T0))
        await advance(hass, freezer, CAUSE_SAVE_DELAY - 1)
        assert (
            json.loads(await read(hass, path))["data"]["outages"][0]["alert_sent"]
            is None
        )
        await advance(hass, freezer, 2)
        assert made == [(key(entry), False), (key(entry), False)]
        saved = json.loads(await read(hass, path))["data"]["outages"][0]
        assert saved["alert_sent"] == T0.isoformat()
        await device.start()
        await advance(hass, freezer, 30, 5)


async def test_setup_writes_the_history_once(
    hass: HomeAssistant, device: SimulatedDevice
) -> None:
    """A new provider of 20 systems writes its history file once, not once a system."""
    with count_saves() as saves:
        await setup_entry(
            hass,
            provider_entry(
                {f"system_panel_{i}": http_system(device.url) for i in range(20)}
            ),
        )
    histories = {key: n for key, n in saves.items() if "history" in key}
    assert list(histories.values()) == [1], saves
