"""Provider buttons: acknowledge its open alerts, send a test alert."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .alerting.manager import AlertManager
from .entity import provider_device_info
from .history.report_service import REPORT_BUTTON, async_press_report
from .hub import DATA_ALERTS
from .runtime import (
    ProviderEntry,
    ProviderRuntimeData,
    ProviderWatchConfigEntry,
    is_provider_entry,
)
from .services import async_allow_test_alert

PARALLEL_UPDATES = 1


async def _acknowledge(
    manager: AlertManager, entry: ProviderEntry, runtime: ProviderRuntimeData
) -> None:
    manager.async_acknowledge(systems=set(runtime.systems))


async def _test(
    manager: AlertManager, entry: ProviderEntry, runtime: ProviderRuntimeData
) -> None:
    async_allow_test_alert(manager.hass, [entry])  # one every 30 s, as the action
    await manager.async_send_test(entry)


@dataclass(frozen=True, kw_only=True)
class ProviderButtonDescription(ButtonEntityDescription):
    """A provider button and what it does."""

    press_fn: Callable[
        [AlertManager, ProviderEntry, ProviderRuntimeData], Awaitable[None]
    ]


BUTTONS = (
    ProviderButtonDescription(
        key="acknowledge", translation_key="acknowledge", press_fn=_acknowledge
    ),
    ProviderButtonDescription(
        key="send_test_alert", translation_key="send_test_alert", press_fn=_test
    ),
    ProviderButtonDescription(
        key=REPORT_BUTTON.key,
        translation_key=REPORT_BUTTON.translation_key,
        press_fn=async_press_report,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ProviderWatchConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the provider's buttons."""
    if is_provider_entry(entry):
        async_add_entities(
            ProviderButton(entry, entry.runtime_data, description)
            for description in BUTTONS
        )


class ProviderButton(ButtonEntity):
    """A button on the provider's device."""

    _attr_has_entity_name = True
    entity_description: ProviderButtonDescription

    def __init__(
        self,
        entry: ProviderEntry,
        runtime: ProviderRuntimeData,
        description: ProviderButtonDescription,
    ) -> None:
        """Bind the button to its provider."""
        self.entity_description = description
        self._entry = entry
        self._runtime = runtime
        self._attr_unique_id = f"{entry.entry_id}_{description.key}"
        self._attr_device_info = provider_device_info(entry)

    async def async_press(self) -> None:
        """Do what the button says."""
        await self.entity_description.press_fn(
            self.hass.data[DATA_ALERTS], self._entry, self._runtime
        )
