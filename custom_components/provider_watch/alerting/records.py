"""The open alerts, the maintenance set and whose systems they are: kept and saved.

One store for the whole integration (provider_watch.alerts); the delivery's part
(held-back notices, the tags phones show) is saved with it. A file with parts that
cannot be read is copied aside (`<file>.corrupt-<UTC time>`) before anything is
written over it; a file that is not JSON at all Home Assistant's Store sets aside.
"""

from collections.abc import Container, Mapping
from datetime import datetime
from pathlib import Path
import shutil
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ..const import DOMAIN, LOGGER
from ..logic.cause import Cause
from ..logic.policy import INTERNET_KEY, Record

STORAGE_VERSION = 1


def record_cause(record: Record) -> Cause | None:
    """The root cause an internet / provider-cloud alert stands for."""
    if record.key == INTERNET_KEY:
        return Cause.INTERNET
    if record.is_parent:
        return Cause.PROVIDER_CLOUD
    return None


def _record_to_dict(record: Record) -> dict[str, Any]:
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "key": record.key,
        "alert_id": record.alert_id,
        "opened": iso(record.opened),
        "systems": sorted(record.systems),
        "providers": sorted(record.providers),
        "sent": iso(record.sent),
        "last_sent": iso(record.last_sent),
        "repeats": record.repeats,
        "escalated": iso(record.escalated),
        "acked": iso(record.acked),
        "acked_by": record.acked_by,
        "snoozed_until": iso(record.snoozed_until),
    }


def _record_from_dict(data: Mapping[str, Any]) -> Record | None:
    def when(key: str) -> datetime | None:
        value = data.get(key)
        return dt_util.parse_datetime(value) if isinstance(value, str) else None

    opened = when("opened")
    if not isinstance(data.get("key"), str) or opened is None:
        return None
    return Record(
        key=data["key"],
        alert_id=str(data.get("alert_id") or ""),
        opened=opened,
        systems=frozenset(str(s) for s in data.get("systems") or ()),
        providers=frozenset(str(p) for p in data.get("providers") or ()),
        sent=when("sent"),
        last_sent=when("last_sent"),
        repeats=int(data.get("repeats") or 0),
        escalated=when("escalated"),
        acked=when("acked"),
        acked_by=data.get("acked_by"),
        snoozed_until=when("snoozed_until"),
    )


class AlertRecords:
    """The alerts' records by key, what is in maintenance, each system's provider."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Empty until async_load."""
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.alerts"
        )
        self.records: dict[str, Record] = {}
        self.maintenance: set[str] = set()  # system ids (or provider entry ids)
        self.maintenance_ends: dict[str, datetime] = {}  # those that end by themselves
        self._owners: dict[str, str] = {}  # system id -> provider entry id
        self._saved: dict[str, Any] | None = None
        self.damaged = False  # the file had parts that could not be read

    # --- storage ------------------------------------------------------------------

    async def async_load(self) -> object:
        """Read what was saved; returns the delivery's part (None: nothing).

        A file with parts that could not be read is copied aside first: what is
        written next leaves them out.
        """
        delivery = self.load(await self._store.async_load())
        if self.damaged:
            path = Path(self._store.path)
            stamp = dt_util.utcnow().strftime("%Y%m%dT%H%M%S%fZ")
            kept = await self._store.hass.async_add_executor_job(keep_copy, path, stamp)
            LOGGER.warning(
                "The saved alerts had parts that could not be read; the file was "
                "kept as %s",
                kept or path,
            )
        return delivery

    def load(self, data: object) -> object:
        """Read saved alerts; anything malformed is dropped with a warning.

        Returns the delivery's part of the data (None when unreadable); `damaged`
        says whether something was dropped.
        """
        self.damaged = False
        if data is None:
            return None
        if not isinstance(data, Mapping):
            LOGGER.warning("Saved alerts could not be read; starting without them")
            self.damaged = True
            return None
        records = data.get("records")
        self.damaged = records is not None and not isinstance(records, list)
        for raw in records if isinstance(records, list) else []:
            try:
                record = _record_from_dict(raw) if isinstance(raw, Mapping) else None
            except TypeError, ValueError:
                record = None
            if record is None:
                LOGGER.warning("A saved alert could not be read and was dropped")
                self.damaged = True
                continue
            self.records[record.key] = record
        maintenance = data.get("maintenance")
        if isinstance(maintenance, list):
            self.maintenance = {str(m) for m in maintenance}
        ends = data.get("maintenance_ends")
        for key, value in ends.items() if isinstance(ends, Mapping) else ():
            when = dt_util.parse_datetime(value) if isinstance(value, str) else None
            if key in self.maintenance and when is not None and when.tzinfo:
                self.maintenance_ends[key] = when
        owners = data.get("owners")
        if isinstance(owners, Mapping):
            self._owners = {str(k): str(v) for k, v in owners.items()}
        self.damaged |= not isinstance(maintenance, list | None) or not isinstance(
            owners, Mapping | None
        )
        return data.get("delivery")

    async def async_save(self, delivery: dict[str, Any]) -> None:
        """Write the alerts down, when they changed (a pass often changes nothing)."""
        data = {
            "records": [_record_to_dict(r) for r in self.records.values()],
            "maintenance": sorted(self.maintenance),
            "maintenance_ends": {
                key: when.isoformat()
                for key, when in sorted(self.maintenance_ends.items())
            },
            "owners": dict(self._owners),
            "delivery": delivery,
        }
        if data != self._saved:
            await self._store.async_save(data)
            self._saved = data

    def put(self, record: Record) -> None:
        """An open alert, new or changed (acknowledged, snoozed)."""
        self.records[record.key] = record

    # --- whose systems ------------------------------------------------------------

    def set_owner(self, system_id: str, entry_id: str) -> None:
        """The provider (config entry id) a system belongs to."""
        self._owners[system_id] = entry_id

    def owners(self) -> dict[str, str]:
        """Every system known to belong to a provider: system id -> entry id."""
        return dict(self._owners)

    def owner(self, system_id: str) -> str | None:
        """The provider a system belongs to (also once it is gone), if known."""
        return self._owners.get(system_id)

    def prune(self, systems: Container[str], providers: Container[str]) -> None:
        """Forget the systems and providers that no longer exist.

        systems: the systems (subentry ids) that exist; providers: the provider
        entries that exist. A gone system still in an open alert keeps its owner
        until it has left the alert (that is how its removal is recognised).
        """
        in_alerts = self.systems()
        self._owners = {
            system: owner
            for system, owner in self._owners.items()
            if system in systems or system in in_alerts
        }
        self.maintenance.intersection_update(
            {i for i in self.maintenance if i in systems or i in providers}
        )

    # --- maintenance --------------------------------------------------------------

    def set_maintenance(
        self, ids: set[str], *, active: bool, until: datetime | None = None
    ) -> None:
        """Start (until a time, or until ended) or end maintenance."""
        if active:
            self.maintenance |= ids
        else:
            self.maintenance -= ids
        for key in ids:
            if active and until is not None:
                self.maintenance_ends[key] = until
            else:
                self.maintenance_ends.pop(key, None)

    def end_due_maintenance(self, now: datetime) -> bool:
        """End the maintenance whose end time has come; whether any did."""
        due = {key for key, when in self.maintenance_ends.items() if when <= now}
        self.set_maintenance(due, active=False)
        return bool(due)

    def next_maintenance_end(self) -> datetime | None:
        """When the next maintenance ends by itself, if one does."""
        return min(self.maintenance_ends.values(), default=None)

    def in_maintenance(self, system_id: str) -> bool:
        """Whether alerts for a system are held for maintenance."""
        return (
            system_id in self.maintenance
            or self._owners.get(system_id) in self.maintenance
        )

    # --- lookups ------------------------------------------------------------------

    def systems(self) -> set[str]:
        """Every system some open alert is about."""
        return {s for r in self.records.values() for s in r.systems}

    def matching(
        self, alert_ids: set[str] | None, systems: set[str] | None
    ) -> list[Record]:
        """The open alerts with these ids and about these systems (None: any)."""
        return [
            r
            for r in self.records.values()
            if (alert_ids is None or r.alert_id in alert_ids)
            and (systems is None or r.systems & systems)
        ]

    def by_alert_id(self, alert_id: str) -> Record | None:
        """The open alert with this id, if any."""
        return next((r for r in self.records.values() if r.alert_id == alert_id), None)

    def parent_cause(self, system_id: str) -> Cause | None:
        """The cause of the internet / provider-cloud alert a system is in, if any."""
        for record in self.records.values():
            if record.is_parent and system_id in record.systems:
                return record_cause(record)
        return None

    def is_snoozed(self, system_id: str, now: datetime) -> bool:
        """Whether an open alert of this system is snoozed at `now`."""
        return any(
            system_id in record.systems
            and record.snoozed_until is not None
            and record.snoozed_until > now
            for record in self.records.values()
        )


def keep_copy(path: Path, stamp: str) -> Path | None:
    """Copy a file with unreadable parts aside; None when it cannot be."""
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    try:
        shutil.copyfile(path, target)
    except OSError as err:
        LOGGER.error("Could not keep a copy of %s: %s", path, err)
        return None
    return target
