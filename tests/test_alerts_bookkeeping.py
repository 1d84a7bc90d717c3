"""What the alert manager remembers about systems holds only the systems that exist.

Systems come and go (subentries added and removed, providers deleted): the owners
map (saved with the alerts), the maintenance set and what the manager remembers of
each system between passes keep nothing of a system once it is gone — neither after
a removal nor when a store written before is read back.
"""

from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest

from custom_components.provider_watch.const import SUBENTRY_SYSTEM
from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant
from testkit.simulated import LOCALHOST, SimulatedDevice

from . import alerting
from .alerting import (
    ALERTS_STORE,
    PANEL,
    FakePhone,
    alert_id_of,
    clear,
    manager,
    outage,
    setup_provider,
)
from .helpers import (
    http_system,
    internet_entry,
    provider_entry,
    settle,
    setup_entry,
    setup_internet,
)

gateway = alerting.gateway
app_client = alerting.app_client
second = alerting.second
android = alerting.android

CYCLES = 50


def remembered(hass: HomeAssistant) -> dict[str, set[str]]:
    """The systems each of the manager's per-system memories holds."""
    alerts = manager(hass)
    return {
        "owners": set(alerts._book.owners()),
        "tracker": alerts._tracker.systems(),
        "maintenance": set(alerts.maintenance),
    }


@pytest.mark.timeout(300)  # 100 reloads of the provider on a busy machine
async def test_systems_added_and_removed_leave_nothing_behind(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    second: SimulatedDevice,
    upstream: SimulatedDevice,
    hass_storage: dict[str, Any],
) -> None:
    await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
    entry = await setup_provider(
        hass, {PANEL: device}, options={"phones": [android.device_id]}
    )
    entries = hass.config_entries
    for number in range(CYCLES):
        system = ConfigSubentry(
            data=http_system(second.url),
            subentry_type=SUBENTRY_SYSTEM,
            title=f"Sensor {number}",
            unique_id=None,
        )
        assert entries.async_add_subentry(entry, system)
        await settle(hass)  # the provider reloads with it
        assert system.subentry_id in entry.runtime_data.systems
        if number == CYCLES // 2:
            # one of them is down, alerted and in maintenance when it is removed
            await outage(hass, freezer, second)
            alert_id = alert_id_of(android.pushes[-1])
            manager(hass).async_set_maintenance({system.subentry_id}, active=True)
            await settle(hass)
        assert entries.async_remove_subentry(entry, system.subentry_id)
        await settle(hass)
        if number == CYCLES // 2:
            assert android.pushes[-1] == android.body(clear(alert_id))
            await second.start()

    assert remembered(hass) == {
        "owners": {PANEL},
        "tracker": {PANEL},
        "maintenance": set(),
    }
    stored = hass_storage[ALERTS_STORE]["data"]
    assert stored["owners"] == {PANEL: entry.entry_id}
    assert stored["maintenance"] == []
    assert stored["records"] == []

    # the provider itself goes: nothing of it is left either
    assert await entries.async_remove(entry.entry_id)
    await settle(hass)
    assert remembered(hass) == {"owners": set(), "tracker": set(), "maintenance": set()}
    assert hass_storage[ALERTS_STORE]["data"]["owners"] == {}


async def test_a_store_with_stale_systems_is_pruned_when_read(
    hass: HomeAssistant,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    hass_storage: dict[str, Any],
) -> None:
    """Written before the pruning: systems and providers that no longer exist."""
    hass_storage[ALERTS_STORE] = {
        "version": 1,
        "minor_version": 1,
        "key": ALERTS_STORE,
        "data": {
            "records": [],
            "maintenance": ["system_removed_long_ago", "deleted_provider"],
            "owners": {
                "system_removed_long_ago": "deleted_provider",
                **{f"system_{n}": "deleted_provider" for n in range(CYCLES)},
            },
        },
    }
    # only the internet check: the manager starts, no provider ever runs a pass
    await setup_entry(hass, internet_entry(f"{LOCALHOST}:{upstream.port}"))
    assert remembered(hass) == {"owners": set(), "tracker": set(), "maintenance": set()}

    provider = await setup_entry(hass, provider_entry({PANEL: http_system(device.url)}))
    assert remembered(hass) == {
        "owners": {PANEL},
        "tracker": {PANEL},
        "maintenance": set(),
    }
    stored = hass_storage[ALERTS_STORE]["data"]
    assert stored["owners"] == {PANEL: provider.entry_id}
    assert stored["maintenance"] == []
