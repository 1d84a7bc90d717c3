"""The outage history: written on transitions, kept across restarts, migrated,
recovered from a bad file, pruned; and the uptime sensors over real outages.
"""

from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.provider_watch.history.files import inspect_file, move_aside
from custom_components.provider_watch.history.store import OutageHistory
from custom_components.provider_watch.logic.cause import Cause
from custom_components.provider_watch.logic.history_file import (
    HISTORY_MINOR_VERSION,
    migrate_v1,
    parse_history,
    prune,
)
from custom_components.provider_watch.logic.notes import Acknowledged, AlertSent
from custom_components.provider_watch.logic.outages import EMPTY_NOTICE, OutageRecord
from custom_components.provider_watch.logic.state import (
    MachineState,
    Step,
    SystemState,
    Transition,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import PERCENTAGE, STATE_UNKNOWN, UnitOfTime
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from testkit.simulated import LOCALHOST, SimulatedDevice

from .helpers import (
    SYSTEM_ID,
    advance,
    http_system,
    jump,
    provider_entry,
    settle,
    setup_entry,
    setup_http_provider,
    setup_internet,
    state,
)

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
LOCK_ID = "system_front_lock"
ALARM = "sensor.alarm_panel"
LOCK = "sensor.front_lock"
PROVIDER = "sensor.acme_alarm"


def alert_sent(systems: set[str], when: datetime) -> AlertSent:
    """An offline-alert-sent note about these systems."""
    return AlertSent(systems=frozenset(systems), when=when)


def ack(systems: set[str], when: datetime, by: str | None) -> Acknowledged:
    """An acknowledgement note about these systems."""
    return Acknowledged(systems=frozenset(systems), when=when, by=by)


def key(entry: MockConfigEntry) -> str:
    return f"provider_watch.{entry.entry_id}.history"


def stored(hass_storage: dict[str, Any], entry: MockConfigEntry) -> dict[str, Any]:
    """The history as it is on (mocked) disk."""
    data = hass_storage[key(entry)]
    assert data["version"] == 2
    return dict(data["data"])


def at(seconds: float) -> str:
    return (T0 + timedelta(seconds=seconds)).isoformat()


async def take_offline(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, device: SimulatedDevice
) -> None:
    """Three failed checks: first at +30 s (the outage's start), offline at +40 s."""
    await device.stop()
    await advance(hass, freezer, 30, 5, 5)


async def bring_back(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, device: SimulatedDevice
) -> None:
    """Two good checks: the next regular one (+30 s), then 5 s later."""
    await device.start()
    await advance(hass, freezer, 30, 5)


def issues(hass: HomeAssistant) -> list[ir.IssueEntry]:
    return [
        issue
        for (domain, _), issue in ir.async_get(hass).issues.items()
        if domain == "provider_watch"
    ]


def v2(entry: MockConfigEntry, data: dict[str, Any]) -> dict[str, Any]:
    """A file of the current version (2.1 files are migrated: test_provider_notice)."""
    return {
        "version": 2,
        "minor_version": HISTORY_MINOR_VERSION,
        "key": key(entry),
        "data": data,
    }


async def watched_from_t0(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    upstream: SimulatedDevice,
    device: SimulatedDevice,
) -> MockConfigEntry:
    """At T0: the internet check and a provider watching the device over HTTP."""
    freezer.move_to(T0)
    await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
    return await setup_http_provider(hass, device.url)


def closed_record(
    record_id: str, start: datetime, end: datetime | None, system_id: str = SYSTEM_ID
) -> dict[str, Any]:
    return OutageRecord(
        id=record_id,
        system_id=system_id,
        system="Alarm panel",
        provider="Acme Alarm",
        start=start,
        end=end,
        cause="system",
    ).to_dict()


# --- written on each transition ------------------------------------------------------


async def test_outage_is_recorded_on_each_transition(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
) -> None:
    entry = await watched_from_t0(hass, freezer, upstream, device)
    # a new system is written down at once, with the time it was first seen
    assert stored(hass_storage, entry) == {
        "systems": {SYSTEM_ID: {"name": "Alarm panel", "added": at(0)}},
        "outages": [],
    }

    await take_offline(hass, freezer, device)
    (record,) = stored(hass_storage, entry)["outages"]  # written, not delayed
    assert record | {"id": None} == {
        "id": None,
        "system_id": SYSTEM_ID,
        "system": "Alarm panel",
        "provider": "Acme Alarm",
        "start": at(30),
        "end": None,
        "duration": None,
        "cause": "system",  # the internet check is up
        "detected": {"at": at(40), "kind": "http", "reason": "connection refused"},
        "alert_sent": None,
        "acknowledged": {"at": None, "by": None},
        "provider_notice": EMPTY_NOTICE,
    }

    await bring_back(hass, freezer, device)
    (closed,) = stored(hass_storage, entry)["outages"]
    assert closed["id"] == record["id"]
    assert closed["end"] == at(75)
    assert closed["duration"] == 45.0
    # the same outage on the time line
    (interval,) = entry.runtime_data.history.intervals(SYSTEM_ID)
    assert interval.start == T0 + timedelta(seconds=30)
    assert interval.end == T0 + timedelta(seconds=75)


async def test_cause_follows_the_picture_while_open(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
) -> None:
    entry = await watched_from_t0(hass, freezer, upstream, device)
    await take_offline(hass, freezer, device)
    history: OutageHistory = entry.runtime_data.history
    assert history.open_outage(SYSTEM_ID).cause == "system"

    await upstream.stop()  # the home's internet goes down
    await advance(hass, freezer, 30, 5, 5)
    assert state(hass, "sensor.alarm_panel_outage_cause") == "internet"
    assert history.open_outage(SYSTEM_ID).cause == "internet"
    await advance(hass, freezer, 10)  # a cause change is written within 10 s
    assert stored(hass_storage, entry)["outages"][0]["cause"] == "internet"


# --- restarts ------------------------------------------------------------------------


async def test_restart_mid_outage_reopens_the_same_record(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    device: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
) -> None:
    freezer.move_to(T0)
    entry = await setup_http_provider(hass, device.url)
    await take_offline(hass, freezer, device)
    (record,) = stored(hass_storage, entry)["outages"]

    assert await hass.config_entries.async_unload(entry.entry_id)
    await settle(hass)
    freezer.tick(timedelta(hours=2))  # Home Assistant is down for two hours
    assert await hass.config_entries.async_setup(entry.entry_id)
    await settle(hass)
    assert len(stored(hass_storage, entry)["outages"]) == 1
    assert entry.runtime_data.history.open_outage(SYSTEM_ID).id == record["id"]

    await bring_back(hass, freezer, device)
    (closed,) = stored(hass_storage, entry)["outages"]
    assert closed["id"] == record["id"]
    assert closed["start"] == at(30)
    assert closed["end"] == at(40 + 2 * 3600 + 30 + 5)


async def test_outage_on_file_without_history_opens_a_record(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    device: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The machine state says offline since 2 h ago, the history knows nothing."""
    freezer.move_to(T0)
    start = T0 - timedelta(hours=2)
    entry = provider_entry({SYSTEM_ID: http_system(device.url)})
    state_key = f"provider_watch.{entry.entry_id}.state"
    hass_storage[state_key] = {
        "version": 1,
        "key": state_key,
        "data": {
            "systems": {
                SYSTEM_ID: {
                    "state": "offline",
                    "since": start.isoformat(),
                    "outage_start": start.isoformat(),
                    "reason": "connection refused",
                }
            }
        },
    }
    await device.stop()
    await setup_entry(hass, entry)
    data = stored(hass_storage, entry)
    # the system has been monitored at least since the outage began
    assert data["systems"][SYSTEM_ID]["added"] == start.isoformat()
    (record,) = data["outages"]
    assert record["start"] == start.isoformat()
    assert record["detected"] == {"at": None, "kind": None, "reason": None}
    assert float(state(hass, "sensor.alarm_panel_current_outage")) == 120.0


@pytest.mark.parametrize("machine", ["online since +10 min", "none on file"])
async def test_open_record_of_an_online_system_is_closed(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    device: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
    machine: str,
) -> None:
    """A crash between the two files: the history still has the outage open."""
    freezer.move_to(T0)
    entry = provider_entry({SYSTEM_ID: http_system(device.url)})
    start = T0 - timedelta(hours=1)
    hass_storage[key(entry)] = v2(
        entry, {"systems": {}, "outages": [closed_record("a", start, None)]}
    )
    back = start + timedelta(minutes=10)
    if machine != "none on file":
        state_key = f"provider_watch.{entry.entry_id}.state"
        hass_storage[state_key] = {
            "version": 1,
            "key": state_key,
            "data": {
                "systems": {SYSTEM_ID: {"state": "online", "since": back.isoformat()}}
            },
        }
    await setup_entry(hass, entry)
    (record,) = stored(hass_storage, entry)["outages"]
    # closed when it came back, or (nothing known) at the first good check now
    assert record["end"] == (back if machine != "none on file" else T0).isoformat()


async def test_new_outage_closes_a_stale_open_record(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    device: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
) -> None:
    freezer.move_to(T0)
    entry = provider_entry({SYSTEM_ID: http_system(device.url)})
    stale = T0 - timedelta(days=1)
    hass_storage[key(entry)] = v2(
        entry, {"systems": {}, "outages": [closed_record("stale", stale, None)]}
    )
    await device.stop()
    await setup_entry(hass, entry)  # first check fails: suspect, not yet offline
    await advance(hass, freezer, 5, 5)
    old, new = stored(hass_storage, entry)["outages"]
    assert old["id"] == "stale"
    assert old["end"] == at(0)  # the new outage began with the first failed check
    assert new["start"] == at(0)
    assert new["end"] is None


async def test_two_open_records_of_one_system(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    device: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
) -> None:
    freezer.move_to(T0)
    entry = provider_entry({SYSTEM_ID: http_system(device.url)})
    first, second = T0 - timedelta(hours=3), T0 - timedelta(hours=1)
    hass_storage[key(entry)] = v2(
        entry,
        {
            "outages": [
                closed_record("second", second, None),
                closed_record("first", first, None),
            ]
        },
    )
    await device.stop()
    await setup_entry(hass, entry)
    history: OutageHistory = entry.runtime_data.history
    older, newer = history.outages
    assert (older.id, older.end) == ("first", second)
    assert history.open_outage(SYSTEM_ID) is newer


async def test_removed_system_closes_its_open_outage(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    device: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
) -> None:
    freezer.move_to(T0)
    entry = await setup_entry(
        hass,
        provider_entry(
            {SYSTEM_ID: http_system(device.url), LOCK_ID: http_system(device.url)}
        ),
    )
    await take_offline(hass, freezer, device)
    assert hass.config_entries.async_remove_subentry(entry, LOCK_ID)
    await settle(hass)
    records = {r["system_id"]: r for r in stored(hass_storage, entry)["outages"]}
    assert records[LOCK_ID]["end"] == at(40)  # kept, and closed
    assert records[SYSTEM_ID]["end"] is None


async def test_renamed_system_keeps_its_history(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    device: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
) -> None:
    freezer.move_to(T0)
    entry = await setup_http_provider(hass, device.url)
    await take_offline(hass, freezer, device)
    hass.config_entries.async_update_subentry(
        entry, entry.subentries[SYSTEM_ID], title="Front panel"
    )
    await settle(hass)
    data = stored(hass_storage, entry)
    assert data["systems"][SYSTEM_ID] == {"name": "Front panel", "added": at(0)}
    # the outage keeps the name it happened under
    assert data["outages"][0]["system"] == "Alarm panel"


async def test_history_is_deleted_with_the_provider(
    hass: HomeAssistant, hass_storage: dict[str, Any], device: SimulatedDevice
) -> None:
    entry = await setup_http_provider(hass, device.url)
    assert key(entry) in hass_storage
    await hass.config_entries.async_remove(entry.entry_id)
    await settle(hass)
    assert key(entry) not in hass_storage


# --- migration -----------------------------------------------------------------------


async def test_migration_from_version_1(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    device: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
) -> None:
    freezer.move_to(T0)
    entry = provider_entry({SYSTEM_ID: http_system(device.url)})
    hass_storage[key(entry)] = {
        "version": 1,
        "key": key(entry),
        "data": {
            "created": at(-30 * 86400),
            "outages": [
                {
                    "system_id": SYSTEM_ID,
                    "system": "Alarm panel",
                    "provider": "Acme Alarm",
                    "start": at(-40 * 86400),  # before the file was created
                    "end": at(-40 * 86400 + 600),
                    "reason": "HTTP 503",
                },
                {
                    "system_id": "system_gone",
                    "system": "Old hub",
                    "start": at(-3 * 86400),
                    "end": None,
                },
                {
                    "system_id": SYSTEM_ID,
                    "start": at(-2 * 86400),
                    "end": at(-2 * 86400 + 60),
                },
            ],
        },
    }
    await setup_entry(hass, entry)
    data = stored(hass_storage, entry)
    assert data["systems"] == {
        SYSTEM_ID: {"name": "Alarm panel", "added": at(-40 * 86400)},
        "system_gone": {"name": "Old hub", "added": at(-30 * 86400)},
    }
    first, gone, later = data["outages"]
    assert later["system"] == SYSTEM_ID  # no name on file: the id
    assert first == {
        "id": f"v1-0-{SYSTEM_ID}",
        "system_id": SYSTEM_ID,
        "system": "Alarm panel",
        "provider": "Acme Alarm",
        "start": at(-40 * 86400),
        "end": at(-40 * 86400 + 600),
        "duration": 600.0,
        "cause": None,
        "detected": {"at": None, "kind": None, "reason": "HTTP 503"},
        "alert_sent": None,
        "acknowledged": {"at": None, "by": None},
        "provider_notice": EMPTY_NOTICE,
    }
    # a system that is gone keeps its records; its open outage is closed now
    assert gone["provider"] == ""
    assert gone["end"] == at(0)
    assert issues(hass) == []


def test_migration_keeps_what_it_cannot_read() -> None:
    migrated = migrate_v1({"outages": [{"system_id": "x", "start": "yesterday"}, 7]})
    assert migrated == {
        "systems": {},
        "outages": [{"system_id": "x", "start": "yesterday"}, 7],
    }
    _, dropped = parse_history(migrated)
    assert dropped == 2
    with pytest.raises(TypeError):
        migrate_v1({"outages": "none"})


# --- a bad history file -----------------------------------------------------------


@pytest.fixture
def config_dir(hass: HomeAssistant, tmp_path: Path) -> Path:
    """A real config folder: the history's own checks read the real file.

    (hass_storage replaces the Store's reads and writes, but Provider Watch looks at
    the file itself before the Store does, so a corrupt file on disk is real.)
    """
    hass.config.config_dir = str(tmp_path)
    (tmp_path / ".storage").mkdir()
    return tmp_path


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b'{"version": 2, "data": {"outa', "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not valid JSON"),
        (b"[1, 2, 3]", "not a Provider Watch history"),
        (b'{"version": 2, "data": []}', "not a Provider Watch history"),
        (b'{"version": 9, "data": {}}', "unsupported version 9"),
        (b'{"version": "2", "data": {}}', "unsupported version '2'"),
        (None, "unreadable (Is a directory)"),
    ],
)
async def test_corrupt_file_is_set_aside_and_a_fresh_history_starts(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    device: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
    config_dir: Path,
    content: bytes | None,
    error: str,
) -> None:
    freezer.move_to(T0)
    entry = provider_entry({SYSTEM_ID: http_system(device.url)})
    path = config_dir / ".storage" / key(entry)
    if content is None:
        path.mkdir()  # cannot be read as a file
        (path / "inside").write_text("kept")
    else:
        path.write_bytes(content)
    await setup_entry(hass, entry)
    assert entry.state is ConfigEntryState.LOADED

    aside = path.with_name(f"{path.name}.corrupt-20261101T120000000000Z")
    assert not path.exists()
    if content is None:
        assert (aside / "inside").read_text() == "kept"
    else:
        assert aside.read_bytes() == content  # kept exactly as it was
    (issue,) = issues(hass)
    assert issue.translation_key == "history_corrupt"
    assert issue.translation_placeholders["provider"] == "Acme Alarm"
    assert issue.translation_placeholders["path"] == str(aside)
    assert issue.translation_placeholders["error"].startswith(error)
    assert issue.severity is ir.IssueSeverity.WARNING

    # a fresh history records the next outage
    await take_offline(hass, freezer, device)
    assert len(stored(hass_storage, entry)["outages"]) == 1


async def test_file_that_cannot_be_moved_is_never_overwritten(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    device: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
    config_dir: Path,
) -> None:
    freezer.move_to(T0)
    entry = provider_entry({SYSTEM_ID: http_system(device.url)})
    path = config_dir / ".storage" / key(entry)
    path.write_bytes(b"{broken")
    taken = path.with_name(f"{path.name}.corrupt-20261101T120000000000Z")
    taken.write_text("an earlier copy")
    await setup_entry(hass, entry)
    history: OutageHistory = entry.runtime_data.history
    assert history.writable is False
    (issue,) = issues(hass)
    assert issue.translation_placeholders["path"] == str(path)

    await take_offline(hass, freezer, device)
    assert history.open_outage(SYSTEM_ID) is not None  # kept in memory
    assert float(state(hass, "sensor.alarm_panel_outages_30_days")) == 1
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert key(entry) not in hass_storage  # nothing written
    assert path.read_bytes() == b"{broken"
    assert taken.read_text() == "an earlier copy"


@pytest.mark.parametrize(
    ("saved", "error"),
    [
        ({"version": 3, "data": {}}, "newer than the max supported version 2"),
        ({"version": 1, "data": "garbage"}, "not a version-1 history"),
        ({"version": 0, "data": {}}, "cannot migrate a version 0 history"),
        ({"version": 2, "data": {"outages": "garbage"}}, "the history has no"),
        ({"version": 2, "data": ["garbage"]}, "the history is not an object"),
    ],
)
async def test_store_that_cannot_load_starts_fresh(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    device: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
    saved: dict[str, Any],
    error: str,
) -> None:
    """Layouts the file check lets through (or that are not a file) still recover."""
    freezer.move_to(T0)
    entry = provider_entry({SYSTEM_ID: http_system(device.url)})
    hass_storage[key(entry)] = saved | {"key": key(entry)}
    await setup_entry(hass, entry)
    (issue,) = issues(hass)
    assert error in issue.translation_placeholders["error"]
    await take_offline(hass, freezer, device)
    assert len(entry.runtime_data.history.outages) == 1


async def test_minor_version_change_loads_as_is(
    hass: HomeAssistant, hass_storage: dict[str, Any], device: SimulatedDevice
) -> None:
    entry = provider_entry({SYSTEM_ID: http_system(device.url)})
    start = dt_util.utcnow() - timedelta(days=2)
    record = closed_record("kept", start, start + timedelta(minutes=5))
    newer = {"minor_version": HISTORY_MINOR_VERSION + 1}
    hass_storage[key(entry)] = v2(entry, {"outages": [record]}) | newer
    await setup_entry(hass, entry)
    assert [r.id for r in entry.runtime_data.history.outages] == ["kept"]
    assert issues(hass) == []


async def test_unreadable_records_are_kept_aside(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    device: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
    config_dir: Path,
) -> None:
    freezer.move_to(T0)
    entry = provider_entry({SYSTEM_ID: http_system(device.url)})
    good = closed_record("good", T0 - timedelta(days=3), T0 - timedelta(days=2))
    bad = [
        {"id": "no start", "system_id": SYSTEM_ID},
        closed_record("backwards", T0, T0 - timedelta(hours=1)),
        closed_record("naive", T0, None) | {"start": "2026-11-01T10:00:00"},
        closed_record("bad end", T0, None) | {"end": "soon"},
        "not a record",
    ]
    data = {
        "systems": {
            SYSTEM_ID: {"name": "Alarm panel", "added": at(-10 * 86400)},
            "system_broken": {"name": "Broken"},
        },
        "outages": [good, *bad],
    }
    hass_storage[key(entry)] = v2(entry, data)
    await setup_entry(hass, entry)
    history: OutageHistory = entry.runtime_data.history
    assert [r.id for r in history.outages] == ["good"]
    assert history.added(SYSTEM_ID) == T0 - timedelta(days=10)
    copy = config_dir / ".storage" / f"{key(entry)}.corrupt-20261101T120000000000Z"
    assert json.loads(copy.read_text()) == data  # every entry, as it was loaded
    (issue,) = issues(hass)
    assert issue.translation_placeholders["error"] == "6 unreadable entries"
    assert issue.translation_placeholders["path"] == str(copy)


def test_file_checks(tmp_path: Path) -> None:
    path = tmp_path / "history"
    assert inspect_file(path) is None  # no file yet
    path.write_text('{"version": 1, "data": {"outages": []}}')
    assert inspect_file(path) is None
    assert move_aside(tmp_path / "missing", "x") is None
    # a rename the file system refuses (here: the new name is too long)
    long = tmp_path / ("h" * 240)
    long.write_text("{")
    assert move_aside(long, "20261101T120000000000Z") is None
    assert long.read_text() == "{"


# --- retention --------------------------------------------------------------------


async def test_outages_older_than_400_days_are_pruned(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    device: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
) -> None:
    freezer.move_to(T0)
    entry = provider_entry({SYSTEM_ID: http_system(device.url)})
    days = [-500, -401, -399]
    hass_storage[key(entry)] = v2(
        entry,
        {
            "outages": [
                closed_record(
                    str(d), T0 + timedelta(days=d), T0 + timedelta(days=d, minutes=5)
                )
                for d in days
            ]
        },
    )
    await setup_entry(hass, entry)
    assert [r.id for r in entry.runtime_data.history.outages] == ["-399"]
    await take_offline(hass, freezer, device)
    assert next(r["id"] for r in stored(hass_storage, entry)["outages"]) == "-399"


def test_prune_keeps_open_outages() -> None:
    old = OutageRecord(
        id="open",
        system_id="s",
        system="S",
        provider="P",
        start=T0 - timedelta(days=900),
    )
    assert prune([old], T0) == [old]


# --- the alert code's marks ----------------------------------------------------------


async def test_alert_sent_and_acknowledged_marks(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    device: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
) -> None:
    freezer.move_to(T0)
    entry = await setup_http_provider(hass, device.url)
    history: OutageHistory = entry.runtime_data.history
    sent, acked = T0 + timedelta(seconds=45), T0 + timedelta(seconds=50)
    assert history.note(alert_sent({SYSTEM_ID}, sent)) == 0  # nothing is open
    await take_offline(hass, freezer, device)
    assert history.note(alert_sent({SYSTEM_ID, "system_other"}, sent)) == 1
    assert history.note(alert_sent({SYSTEM_ID}, acked)) == 0  # the first one counts
    assert history.note(ack({SYSTEM_ID}, acked, "user-1")) == 1
    assert history.note(ack({SYSTEM_ID}, acked, "user-2")) == 0
    await advance(hass, freezer, 10)  # written within 10 s
    (record,) = stored(hass_storage, entry)["outages"]
    assert record["alert_sent"] == sent.isoformat()
    assert record["acknowledged"] == {"at": acked.isoformat(), "by": "user-1"}

    # acknowledged after it ended: the latest alerted outage gets it
    await bring_back(hass, freezer, device)
    await take_offline(hass, freezer, device)
    history.note(alert_sent({SYSTEM_ID}, dt_util.utcnow()))
    await bring_back(hass, freezer, device)
    later = dt_util.utcnow()
    assert history.note(ack({SYSTEM_ID}, later, None)) == 1
    assert history.note(ack({SYSTEM_ID}, later, None)) == 0
    assert history.note(ack({"system_other"}, later, None)) == 0
    assert history.outages[-1].acknowledged_at == later
    assert history.outages[-1].acknowledged_by is None


async def test_transitions_the_history_did_not_expect(
    hass: HomeAssistant, hass_storage: dict[str, Any], device: SimulatedDevice
) -> None:
    """Whatever the machine reports, the history ends up with one true record."""
    entry = await setup_http_provider(hass, device.url)
    history: OutageHistory = entry.runtime_data.history
    now = dt_util.utcnow()
    start = now - timedelta(minutes=20)

    async def track(step: Step) -> None:
        await history.async_track(
            system_id=SYSTEM_ID,
            name="Alarm panel",
            kind="http",
            step=step,
            cause=Cause.SYSTEM,
            now=now,
        )

    online = MachineState(state=SystemState.ONLINE, since=now)
    # back online, but the history lost the open record: it is added, closed
    await track(
        Step(
            state=online,
            transition=Transition.CAME_ONLINE,
            outage_start=start,
            outage_duration=1200,
        )
    )
    (record,) = stored(hass_storage, entry)["outages"]
    assert (record["start"], record["end"], record["duration"]) == (
        start.isoformat(),
        now.isoformat(),
        1200.0,
    )
    assert record["cause"] == "system"
    # back online without a known start: nothing to add
    await track(Step(state=online, transition=Transition.CAME_ONLINE))
    assert len(stored(hass_storage, entry)["outages"]) == 1
    # the same outage announced twice stays one record
    offline = MachineState(state=SystemState.OFFLINE, since=now, outage_start=now)
    await track(Step(state=offline, transition=Transition.WENT_OFFLINE))
    await track(Step(state=offline, transition=Transition.WENT_OFFLINE))
    assert len(stored(hass_storage, entry)["outages"]) == 2
    assert history.open_outage(SYSTEM_ID).start == now


# --- the sensors, through real outages ------------------------------------------------


def value(hass: HomeAssistant, entity_id: str) -> float:
    return float(state(hass, entity_id))


async def test_figures_sensors_through_real_outages(
    hass: HomeAssistant,
    device: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
) -> None:
    freezer.move_to(T0)
    second = SimulatedDevice()
    await second.start()
    try:
        await setup_entry(
            hass,
            provider_entry(
                {SYSTEM_ID: http_system(device.url), LOCK_ID: http_system(second.url)}
            ),
        )
        assert_fresh_figures(hass)

        # the alarm panel goes down at +30 s (declared at +40 s)
        await take_offline(hass, freezer, device)
        assert value(hass, f"{ALARM}_current_outage") == pytest.approx(
            10 / 60, abs=0.01
        )
        # the current outage grows on the 5-minute refresh (due at +340 s)
        await advance(hass, freezer, 295)
        assert value(hass, f"{ALARM}_current_outage") == 0.17  # 10 s
        await advance(hass, freezer, 10)  # +345 s
        assert value(hass, f"{ALARM}_current_outage") == 5.25
        # the lock goes down for about 10 minutes, inside the panel's outage
        await second.stop()
        await advance(hass, freezer, 30, 5, 5)
        assert state(hass, "sensor.front_lock_status") == "offline"
        await second.start()
        await advance(hass, freezer, 560, 30, 5)
        assert state(hass, "sensor.front_lock_status") == "online"
        await bring_back(hass, freezer, device)  # panel back online
        assert state(hass, "sensor.alarm_panel_status") == "online"
        now = dt_util.utcnow()
        panel = (now - (T0 + timedelta(seconds=30))).total_seconds()
        lock = _lock_duration(hass)
        assert value(hass, f"{ALARM}_current_outage") == 0
        assert value(hass, f"{ALARM}_outages_30_days") == 1
        assert value(hass, f"{ALARM}_downtime_30_days") == round(panel / 60, 2)
        assert value(hass, f"{ALARM}_longest_outage_30_days") == round(panel / 60, 2)
        observed = (now - T0).total_seconds()
        assert value(hass, f"{ALARM}_uptime_24_hours") == round(
            100 * (observed - panel) / observed, 4
        )
        assert value(hass, f"{LOCK}_downtime_30_days") == round(lock / 60, 2)
        # the provider: down while any system is, one merged outage
        assert value(hass, f"{PROVIDER}_outages_30_days_all_systems") == 1
        assert value(hass, f"{PROVIDER}_downtime_30_days_all_systems") == round(
            panel / 60, 2
        )
        assert value(hass, f"{PROVIDER}_uptime_30_days_all_systems") == round(
            100 * (observed - panel) / observed, 4
        )
        assert 0 < lock < panel

        # a day later the outage has left the 24-hour window, not the 30-day one
        await jump(hass, freezer, T0 + timedelta(hours=25))
        await advance(hass, freezer, 300)
        assert value(hass, f"{ALARM}_uptime_24_hours") == 100.0
        assert value(hass, f"{ALARM}_uptime_7_days") < 100.0
        assert value(hass, f"{ALARM}_outages_30_days") == 1
        # and 31 days later it is gone from every window
        await jump(hass, freezer, T0 + timedelta(days=31))
        await advance(hass, freezer, 300)
        assert value(hass, f"{ALARM}_uptime_30_days") == 100.0
        assert value(hass, f"{ALARM}_outages_30_days") == 0
        assert value(hass, f"{PROVIDER}_downtime_30_days_all_systems") == 0
    finally:
        await second.stop()


def assert_fresh_figures(hass: HomeAssistant) -> None:
    """Two systems just added: nothing observed, nothing down; units, and no
    long-term statistics for a rolling figure (only the billing month's totals)."""
    for system in (ALARM, LOCK):
        # nothing observed yet: no uptime rather than a made-up 100 %
        assert state(hass, f"{system}_uptime_24_hours") == STATE_UNKNOWN
        assert value(hass, f"{system}_outages_30_days") == 0
        assert value(hass, f"{system}_current_outage") == 0
    attributes = hass.states.get(f"{ALARM}_uptime_30_days").attributes
    assert attributes["unit_of_measurement"] == PERCENTAGE
    assert "state_class" not in attributes
    attributes = hass.states.get(f"{ALARM}_downtime_30_days").attributes
    assert attributes["unit_of_measurement"] == UnitOfTime.MINUTES
    assert attributes["device_class"] == "duration"
    assert "state_class" not in attributes
    outages = hass.states.get(f"{ALARM}_outages_30_days").attributes
    assert "device_class" not in outages
    assert "state_class" not in outages


def _lock_duration(hass: HomeAssistant) -> float:
    (entry,) = hass.config_entries.async_entries("provider_watch")
    history: OutageHistory = entry.runtime_data.history
    (record,) = [r for r in history.outages if r.system_id == LOCK_ID]
    assert record.duration is not None
    return record.duration


async def test_just_added_system_has_unknown_uptime(
    hass: HomeAssistant, device: SimulatedDevice, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to(T0)
    await setup_http_provider(hass, device.url)
    # observed for 0 s: no uptime yet, rather than a made-up 100 %
    assert state(hass, f"{ALARM}_uptime_24_hours") == STATE_UNKNOWN
    # the figures move on every 5 minutes, without any new check
    await advance(hass, freezer, 299)
    assert state(hass, f"{ALARM}_uptime_24_hours") == STATE_UNKNOWN
    await advance(hass, freezer, 2)
    assert value(hass, f"{ALARM}_uptime_24_hours") == 100.0
