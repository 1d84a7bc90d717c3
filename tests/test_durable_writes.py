"""An outage is on disk, durably, the moment it is declared (issue 15).

The machine states and the outage history are written with Home Assistant's
atomic writes (Store(atomic_writes=True): atomicwrites writes a temporary file,
fsyncs it, renames it into place and fsyncs the folder), and the declared outage is
saved at once (Store.async_save), before the offline event is fired. Proven here
with the real Store on real files in a temporary config folder: a power cut right
after "written at once" finds the outage on disk.
"""

import json
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory

from custom_components.provider_watch.const import DOMAIN, EVENT_SYSTEM_OFFLINE
from homeassistant.core import Event, HomeAssistant, callback
from testkit.simulated import SimulatedDevice

from .helpers import SYSTEM_ID, advance, setup_http_provider
from .real_files import disk_syncs, real_files, synced_writes


def read_json(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8"))["data"])


async def test_declared_outage_is_fsynced_before_it_is_announced(
    hass: HomeAssistant,
    device: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
    tmp_path: Path,
) -> None:
    with real_files(hass, tmp_path) as folder, disk_syncs() as seen:
        entry = await setup_http_provider(hass, device.url)
        state_file = folder / f"{DOMAIN}.{entry.entry_id}.state"
        history_file = folder / f"{DOMAIN}.{entry.entry_id}.history"
        announced: list[tuple[list[str], dict[str, Any], dict[str, Any]]] = []

        @callback
        def offline(_event: Event[dict[str, Any]]) -> None:
            # what a power cut right now would leave: the files as synced so far
            announced.append(
                (synced_writes(seen), read_json(state_file), read_json(history_file))
            )

        hass.bus.async_listen(EVENT_SYSTEM_OFFLINE, offline)
        seen.clear()
        await device.stop()
        await advance(hass, freezer, 30, 5, 5)

        ((synced, state, history),) = announced
        # both files were written all or nothing and fsync'd (file, then folder)
        assert str(state_file) in synced
        assert str(history_file) in synced
        machine = state["systems"][SYSTEM_ID]
        assert (machine["state"], machine["reason"]) == (
            "offline",
            "connection refused",
        )
        (record,) = history["outages"]
        assert record["start"] == machine["outage_start"]
        assert record["end"] is None
        await device.start()
        await advance(hass, freezer, 30, 5)
