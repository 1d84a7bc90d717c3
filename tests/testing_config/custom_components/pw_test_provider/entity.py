"""The devices' entities: available while the (pretend) cloud says so."""

from homeassistant.config_entries import ConfigEntry
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity
from homeassistant.util import slugify

from . import DEFAULT_DEVICES, DOMAIN, SIGNAL_AVAILABILITY, cloud


def device_names(entry: ConfigEntry) -> list[str]:
    return list(entry.data.get("devices", DEFAULT_DEVICES))


class TestProviderEntity(Entity):
    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, entry: ConfigEntry, device: str, key: str) -> None:
        self._device = device
        self._attr_unique_id = f"{entry.entry_id}_{slugify(device)}_{key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, f"{entry.entry_id}_{slugify(device)}")},
            name=device,
            manufacturer="PW Test Provider",
        )

    @property
    def available(self) -> bool:
        return cloud(self.hass).available(self._device)

    async def async_added_to_hass(self) -> None:
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, SIGNAL_AVAILABILITY, self.async_write_ha_state
            )
        )
