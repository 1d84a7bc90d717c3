"""Persisted state of every monitored system of one provider.

A transition to offline is written at once, so an outage that spans a restart keeps its
original start and is not announced twice; routine "last seen" updates are batched.
Every write is atomic and durable (Home Assistant's atomic writes: a temporary file,
fsync, rename, fsync of the folder), so a power cut right after "written at once"
finds the outage on disk.
"""

from collections.abc import Mapping
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store

from ..const import DOMAIN, LOGGER, STATE_SAVE_DELAY
from ..logic.state import MachineState, machine_from_dict, machine_to_dict

STORAGE_VERSION = 1


class SystemStateStore:
    """The machine state of each system of a provider entry, on disk."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Create the store for one provider entry."""
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.state", atomic_writes=True
        )
        self._systems: dict[str, MachineState] = {}
        self._save_pending = False  # a batched save is scheduled

    async def async_load(self) -> None:
        """Read the saved states; a bad file starts empty rather than failing setup."""
        try:
            data = await self._store.async_load()
        except (
            HomeAssistantError,
            ValueError,
            OSError,
        ) as err:  # corrupt or unreadable
            LOGGER.warning(
                "Saved system states could not be read, starting fresh: %s", err
            )
            data = None
        systems = data.get("systems") if isinstance(data, Mapping) else None
        if not isinstance(systems, Mapping):
            return
        for system_id, raw in systems.items():
            if isinstance(raw, Mapping):
                self._systems[str(system_id)] = machine_from_dict(raw)

    def get(self, system_id: str) -> MachineState:
        """The last known state of a system (unknown when never seen)."""
        return self._systems.get(system_id, MachineState())

    def put(self, system_id: str, state: MachineState) -> None:
        """Remember a system's state and write it soon (batched)."""
        self._systems[system_id] = state
        self._store.async_delay_save(self._data, STATE_SAVE_DELAY)

    def remember(self, system_id: str, state: MachineState) -> None:
        """Remember a routine change ("last seen"): written with the next save.

        At most one save is scheduled at a time (within STATE_SAVE_DELAY, or as
        Home Assistant stops), however many checks come in meanwhile.
        """
        self._systems[system_id] = state
        if not self._save_pending:
            self._save_pending = True
            self._store.async_delay_save(self._data, STATE_SAVE_DELAY)

    async def async_put_now(self, system_id: str, state: MachineState) -> None:
        """Remember a system's state and write it before returning."""
        self._systems[system_id] = state
        await self.async_flush()

    async def async_flush(self) -> None:
        """Write everything now."""
        await self._store.async_save(self._data())

    def retain(self, system_ids: set[str]) -> None:
        """Forget systems that no longer exist."""
        for system_id in set(self._systems) - system_ids:
            del self._systems[system_id]

    async def async_remove(self) -> None:
        """Delete the file (the provider entry was removed)."""
        await self._store.async_remove()

    def _data(self) -> dict[str, Any]:
        self._save_pending = False
        return {
            "systems": {
                system_id: machine_to_dict(state)
                for system_id, state in self._systems.items()
            }
        }
