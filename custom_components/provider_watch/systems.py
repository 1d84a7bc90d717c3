"""One monitored system set up or torn down alone, while its provider keeps running.

Adding, changing or removing a system (a subentry) does not reload the provider:
its siblings keep their coordinators, watchers and checks. The update listener
(__init__.py) compares the entry's subentries with the systems that run and calls
`async_sync_systems`, which holds the entry's setup lock, so that it never runs in
the middle of a set-up or an unload (a change made then is picked up right after).
A change of the provider's own settings (name, contacts, options) still reloads it.
"""

from collections.abc import Callable
from typing import Any

from homeassistant.config_entries import ConfigEntryState, ConfigSubentry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import (
    entity_platform,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN, LOGGER, SUBENTRY_SYSTEM
from .hub import DATA_ALERTS, DATA_SELF_HEAL
from .kinds import (
    UNUSABLE_SETTINGS,
    async_clear_unusable,
    async_report_unusable,
    kind_of,
)
from .kinds.base import SystemRef
from .kinds.device import device_issue_id
from .logic.state import Step
from .monitoring.auth import async_credentials_accepted
from .monitoring.coordinator import SystemCoordinator
from .runtime import ProviderEntry, ProviderRuntimeData
from .settings import SystemSettings, unusable_numbers

DATA_ICMP_PRIVILEGED: HassKey[bool | None] = HassKey(f"{DOMAIN}_icmp_privileged")

type WatcherStart = Callable[[], CALLBACK_TYPE]


def provider_state(entry: ProviderEntry) -> tuple[Any, ...]:
    """The provider's own settings: a change of these reloads it.

    (Home Assistant reloads the entry itself when polling is turned on or off.)
    """
    return (entry.title, dict(entry.data), dict(entry.options))


def build_system(
    hass: HomeAssistant,
    entry: ProviderEntry,
    runtime: ProviderRuntimeData,
    subentry: ConfigSubentry,
) -> tuple[SystemCoordinator, WatcherStart | None]:
    """A system's coordinator (from its saved state) and probe; its watcher's start."""
    settings = SystemSettings.from_subentry(subentry.title, subentry.data)
    spec = kind_of(settings.kind)
    system = SystemRef(subentry.subentry_id, subentry.title, entry.title)
    if bad := unusable_numbers(subentry.data):
        LOGGER.warning(
            "%s (%s): the stored %s cannot be used; the defaults are used",
            system.name,
            system.provider,
            ", ".join(bad),
        )
    # a stored value its kind cannot use stops this system only
    unusable: Exception | None = None
    probe = None
    if spec.build_probe is not None:
        try:
            probe = spec.build_probe(
                hass,
                settings.check,
                settings.timing.timeout,
                hass.data.get(DATA_ICMP_PRIVILEGED),
                system,
            )
        except UNUSABLE_SETTINGS as err:
            unusable = err
    coordinator = SystemCoordinator(
        hass, entry, subentry, runtime.store, probe, runtime
    )
    runtime.systems[subentry.subentry_id] = coordinator
    if (entries_of := spec.integration_entries) is not None:
        check = settings.check
        coordinator.integration_entries = lambda: entries_of(hass, check)
    start: WatcherStart | None = None
    if spec.build_watcher is not None:
        try:
            watcher = spec.build_watcher(hass, coordinator, settings.check)
        except UNUSABLE_SETTINGS as err:
            unusable = err
        else:
            start = watcher.async_start  # started once its entities exist
    if unusable is not None:
        async_report_unusable(hass, system, unusable)
    else:
        async_clear_unusable(hass, system.system_id)
    return coordinator, start


@callback
def start_watcher(
    runtime: ProviderRuntimeData, system_id: str, start: WatcherStart | None
) -> None:
    """Start a system's watcher; it stops with the system (or the provider)."""
    if start is not None:
        runtime.system_stops.setdefault(system_id, []).append(start())


def stop_systems(runtime: ProviderRuntimeData) -> CALLBACK_TYPE:
    """What stops, as the provider is unloaded, what each system started."""

    @callback
    def stop() -> None:
        for stops in runtime.system_stops.values():
            while stops:
                stops.pop()()

    return stop


@callback
def first_probe(
    hass: HomeAssistant, entry: ProviderEntry, system: SystemCoordinator
) -> None:
    """Check a polled system right away, in the background (slow ones hold nothing)."""
    if kind_of(system.kind).polled:
        entry.async_create_background_task(
            hass, system.async_refresh(), f"{DOMAIN} first probe {system.name}"
        )


async def async_sync_systems(hass: HomeAssistant, entry: ProviderEntry) -> bool:
    """Set up, set up again or tear down the systems whose subentries changed.

    Returns False when the provider's own settings changed: it needs a reload.
    """
    async with entry.setup_lock:
        if entry.state is not ConfigEntryState.LOADED:
            return True  # not running: its next set-up reads everything
        runtime = entry.runtime_data
        if runtime.built_from != provider_state(entry):
            return False
        wanted = {
            sid: subentry
            for sid, subentry in entry.subentries.items()
            if subentry.subentry_type == SUBENTRY_SYSTEM
        }
        changed = [
            sid
            for sid, subentry in wanted.items()
            if sid in runtime.systems
            and SystemSettings.from_subentry(subentry.title, subentry.data)
            != runtime.systems[sid].settings
        ]
        removed = [sid for sid in runtime.systems if sid not in wanted]
        added = [sid for sid in wanted if sid not in runtime.systems]
        for system_id in removed:
            hass.data[DATA_SELF_HEAL].remove_system(system_id)  # and its repair
            async_clear_unusable(hass, system_id)
            ir.async_delete_issue(hass, DOMAIN, device_issue_id(system_id))
            await _async_tear_down(hass, entry, runtime, system_id)
        for system_id in changed:  # (its self-heal is replaced as it is set up)
            await _async_tear_down(hass, entry, runtime, system_id)
        for system_id in (*changed, *added):
            await _async_set_up(hass, entry, runtime, wanted[system_id])
        if removed:
            runtime.store.retain(set(runtime.systems))
            await runtime.store.async_flush()
            await runtime.history.async_retain(set(runtime.systems), dt_util.utcnow())
            hass.data[DATA_ALERTS].schedule()  # their alerts go with them
        if changed:
            _async_ask_again(hass, runtime, changed)
        return True


@callback
def _async_ask_again(
    hass: HomeAssistant, runtime: ProviderRuntimeData, changed: list[str]
) -> None:
    """The owner just changed systems: check the other rejected ones now.

    Those still rejected are asked for again (the next reauth flow).
    """
    for system_id, system in runtime.systems.items():
        if system.auth_failed and system_id not in changed:
            system.auth_told = False
            hass.async_create_task(system.async_refresh(), eager_start=False)


async def _async_set_up(
    hass: HomeAssistant,
    entry: ProviderEntry,
    runtime: ProviderRuntimeData,
    subentry: ConfigSubentry,
) -> None:
    """One system, as the provider's set-up does it, with its siblings running."""
    system, start = build_system(hass, entry, runtime, subentry)
    await system.async_track_history(Step(state=system.machine), None, dt_util.utcnow())
    if system.system_id not in runtime.figures.data.systems:
        runtime.figures.async_history_changed()  # its figure sensors read them
    for adder in runtime.entity_adders:
        adder(system)
    start_watcher(runtime, system.system_id, start)
    stops = runtime.system_stops.setdefault(system.system_id, [])
    stops.append(hass.data[DATA_ALERTS].watch_system(entry, system))
    stops.append(hass.data[DATA_SELF_HEAL].add_system(entry, runtime, system))
    first_probe(hass, entry, system)


async def _async_tear_down(
    hass: HomeAssistant,
    entry: ProviderEntry,
    runtime: ProviderRuntimeData,
    system_id: str,
) -> None:
    """Stop one system; its entities go (they come back if it is set up again)."""
    system = runtime.systems.pop(system_id)
    for stop in runtime.system_stops.pop(system_id, []):
        stop()
    await system.async_retire()
    async_credentials_accepted(
        hass, entry, system_id, others_rejected=runtime.credentials_rejected()
    )
    # A removed subentry's entities and device are removed by Home Assistant; a
    # changed one keeps them in the registries and only its entity objects go.
    registry = er.async_get(hass)
    entity_ids = {
        entity.entity_id
        for entity in er.async_entries_for_config_entry(registry, entry.entry_id)
        if entity.config_subentry_id == system_id
    }
    for platform in entity_platform.async_get_platforms(hass, DOMAIN):
        if platform.config_entry is not entry:
            continue
        for entity_id in entity_ids & set(platform.entities):
            await platform.async_remove_entity(entity_id)
