"""Discovery: offer the providers' integrations that are already installed.

Once Home Assistant has started (and whenever another integration's config entry is
loaded for the first time since), each cloud-connected entry with devices that no
provider watches yet is offered as a discovered flow ("Discovered" in Settings →
Devices & services), named after the entry with its device count. Its unique id is
the entry's: Home Assistant's "Ignore" holds forever, and an entry is never offered
twice. Confirming creates a provider with one "device" system per chosen device.

Cloud-connected means the integration's manifest says so (`iot_class`
cloud_polling or cloud_push): no hand-kept list of providers.
"""

from collections.abc import Mapping
from typing import Any

import probatio as vol

from homeassistant.config_entries import (
    SIGNAL_CONFIG_ENTRY_CHANGED,
    SOURCE_IGNORE,
    SOURCE_INTEGRATION_DISCOVERY,
    SOURCE_SYSTEM,
    ConfigEntry,
    ConfigEntryChange,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryData,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import (
    device_registry as dr,
    discovery_flow,
    entity_registry as er,
)
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    TextSelector,
)
from homeassistant.helpers.start import async_at_started
from homeassistant.loader import IntegrationNotFound, async_get_integration

from .const import (
    CONF_DEVICE,
    CONF_ENTRY_TYPE,
    CONF_GRACE,
    CONF_KIND,
    CONF_MAX_SILENCE,
    CONF_NAME,
    CONF_REQUIRE_ALL,
    CONF_TARGETS,
    DEFAULT_GRACE,
    DOMAIN,
    LOGGER,
    SUBENTRY_SYSTEM,
    SystemKind,
)
from .examples import form_placeholders
from .logic.validation import clean_input, is_valid_name, name_taken
from .monitoring.internet import DEFAULT_TARGETS, ENTRY_TYPE_INTERNET
from .options_flow import targets_schema, validate_targets

CLOUD_IOT_CLASSES = frozenset({"cloud_polling", "cloud_push"})
CONF_DEVICES = "devices"
CONF_SOURCE_ENTRY = "entry_id"


def discovery_unique_id(entry_id: str) -> str:
    """The unique id of the provider (or the ignore) made from an entry's offer."""
    return f"integration_{entry_id}"


def watched_devices(hass: HomeAssistant) -> set[str]:
    """The devices some provider watches already."""
    return {
        str(subentry.data[CONF_DEVICE])
        for entry in hass.config_entries.async_entries(DOMAIN)
        for subentry in entry.subentries.values()
        if subentry.data.get(CONF_KIND) == SystemKind.DEVICE
        and subentry.data.get(CONF_DEVICE)
    }


def unwatched_devices(hass: HomeAssistant, entry_id: str) -> list[dr.DeviceEntry]:
    """The entry's devices with entities, enabled, that no provider watches yet."""
    watched = watched_devices(hass)
    entities = er.async_get(hass)
    return [
        device
        for device in dr.async_entries_for_config_entry(dr.async_get(hass), entry_id)
        if device.id not in watched
        and device.disabled_by is None
        and er.async_entries_for_device(entities, device.id)
    ]


def device_name(device: dr.DeviceEntry) -> str:
    """What the owner calls the device."""
    return device.name_by_user or device.name or device.model or device.id


@callback
def async_setup_discovery(hass: HomeAssistant) -> None:
    """Offer every entry once started, then each entry loaded for the first time."""
    looked_at: set[str] = set()

    async def look(entry: ConfigEntry) -> None:
        if entry.entry_id in looked_at:
            return
        looked_at.add(entry.entry_id)
        await _async_offer(hass, entry)

    async def look_at_all(_hass: HomeAssistant) -> None:
        for entry in hass.config_entries.async_entries():
            if entry.state is ConfigEntryState.LOADED:
                await look(entry)

    @callback
    def on_entry(change: ConfigEntryChange, entry: ConfigEntry) -> None:
        if (
            change is ConfigEntryChange.UPDATED
            and entry.state is ConfigEntryState.LOADED
            and entry.entry_id not in looked_at
            and hass.is_running
        ):
            hass.async_create_background_task(
                look(entry), f"{DOMAIN} discovery {entry.domain}"
            )

    async_at_started(hass, look_at_all)
    async_dispatcher_connect(hass, SIGNAL_CONFIG_ENTRY_CHANGED, on_entry)


async def _async_offer(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """A discovered flow for this entry, when it is worth one."""
    if (
        entry.domain == DOMAIN
        or entry.source == SOURCE_IGNORE
        or entry.disabled_by is not None
    ):
        return
    try:
        integration = await async_get_integration(hass, entry.domain)
    except IntegrationNotFound:
        return
    if integration.iot_class not in CLOUD_IOT_CLASSES:
        return
    if not unwatched_devices(hass, entry.entry_id):
        return
    LOGGER.debug("Offering %s (%s) to be watched", entry.title, entry.domain)
    discovery_flow.async_create_flow(
        hass,
        DOMAIN,
        context={"source": SOURCE_INTEGRATION_DISCOVERY},
        data={CONF_SOURCE_ENTRY: entry.entry_id},
    )


class IntegrationDiscoveryFlow(ConfigFlow):
    """The discovered flow's steps, and the internet step of the first provider.

    The provider flow (config_flow.py) inherits them.
    """

    _source_entry_id: str
    _provider: dict[str, Any]  # the provider's data, once named
    _systems: list[ConfigSubentryData] | None = None  # its systems (discovered)

    async def async_step_integration_discovery(
        self, discovery_info: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """An entry of a cloud-connected integration with devices not yet watched."""
        entry_id = str(discovery_info.get(CONF_SOURCE_ENTRY, ""))
        await self.async_set_unique_id(discovery_unique_id(entry_id))
        self._abort_if_unique_id_configured()
        entry = self.hass.config_entries.async_get_entry(entry_id)
        devices = unwatched_devices(self.hass, entry_id)
        if entry is None or not devices:
            return self.async_abort(reason="integration_gone")
        self._source_entry_id = entry_id
        self.context["title_placeholders"] = {
            "name": entry.title,
            "count": str(len(devices)),
        }
        return await self.async_step_integration_confirm()

    async def async_step_integration_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Name the provider and pick the devices (all at first)."""
        entry = self.hass.config_entries.async_get_entry(self._source_entry_id)
        devices = {d.id: d for d in unwatched_devices(self.hass, self._source_entry_id)}
        if entry is None or not devices:
            return self.async_abort(reason="integration_gone")
        errors: dict[str, str] = {}
        if user_input is not None:
            data = clean_input(user_input)
            name = str(data.get(CONF_NAME, ""))
            chosen = [devices[d] for d in data.get(CONF_DEVICES, []) if d in devices]
            errors = self._confirm_errors(name, chosen)
            if not errors:
                self._provider = {CONF_NAME: name}
                self._systems = _device_systems(chosen)
                if self._internet_entry() is None:
                    return await self.async_step_internet()
                return self._async_create_provider()
        schema = vol.Schema(
            {
                vol.Required(CONF_NAME): TextSelector(),
                vol.Required(CONF_DEVICES): SelectSelector(
                    SelectSelectorConfig(
                        options=[
                            SelectOptionDict(value=d.id, label=device_name(d))
                            for d in devices.values()
                        ],
                        multiple=True,
                    )
                ),
            }
        )
        return self.async_show_form(
            step_id="integration_confirm",
            data_schema=self.add_suggested_values_to_schema(
                schema,
                user_input or {CONF_NAME: entry.title, CONF_DEVICES: list(devices)},
            ),
            errors=errors,
            description_placeholders=form_placeholders(
                integration=entry.title, count=str(len(devices))
            ),
        )

    def _confirm_errors(
        self, name: str, chosen: list[dr.DeviceEntry]
    ) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not is_valid_name(name):
            errors[CONF_NAME] = "invalid_name"
        elif name_taken(
            name,
            (
                entry.title
                for entry in self._async_current_entries(include_ignore=False)
                if entry.data.get(CONF_ENTRY_TYPE) != ENTRY_TYPE_INTERNET
            ),
        ):
            errors[CONF_NAME] = "name_exists"
        if not chosen:
            errors[CONF_DEVICES] = "no_devices"
        return errors

    async def async_step_internet(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """With the first provider: confirm the targets of the internet check."""
        errors: dict[str, str] = {}
        if user_input is not None:
            targets, errors = validate_targets(user_input.get(CONF_TARGETS))
            if not errors:
                if self._internet_entry() is None:
                    await self.hass.config_entries.flow.async_init(
                        DOMAIN,
                        context={"source": SOURCE_SYSTEM},
                        data={CONF_TARGETS: targets},
                    )
                return self._async_create_provider()
        return self.async_show_form(
            step_id="internet",
            data_schema=self.add_suggested_values_to_schema(
                targets_schema(),
                user_input or {CONF_TARGETS: list(DEFAULT_TARGETS)},
            ),
            errors=errors,
            description_placeholders=form_placeholders(),
        )

    def _async_create_provider(self) -> ConfigFlowResult:
        return self.async_create_entry(
            title=self._provider[CONF_NAME],
            data=self._provider,
            subentries=self._systems,
        )

    def _internet_entry(self) -> ConfigEntry | None:
        return next(
            (
                entry
                for entry in self.hass.config_entries.async_entries(DOMAIN)
                if entry.data.get(CONF_ENTRY_TYPE) == ENTRY_TYPE_INTERNET
            ),
            None,
        )


def _device_systems(devices: list[dr.DeviceEntry]) -> list[ConfigSubentryData]:
    """One "device" system per device, each with a name of its own."""
    systems: list[ConfigSubentryData] = []
    taken: list[str] = []
    for device in devices:
        base = device_name(device)[:90]
        title, number = base, 1
        while name_taken(title, taken):
            number += 1
            title = f"{base} {number}"
        taken.append(title)
        systems.append(
            ConfigSubentryData(
                data={
                    CONF_KIND: SystemKind.DEVICE.value,
                    CONF_DEVICE: device.id,
                    CONF_REQUIRE_ALL: False,
                    CONF_GRACE: DEFAULT_GRACE,
                    CONF_MAX_SILENCE: 0,
                },
                subentry_type=SUBENTRY_SYSTEM,
                title=title,
                unique_id=None,
            )
        )
    return systems
