"""The devices read like core's: what each is, where its web page is, what it hangs on.

A provider's device has the model "Monitoring provider" and links to its support page;
each monitored system's device is "connected via" its provider and has a model naming
how it is checked ("Web page check", never the raw "HTTP"); an HTTP system links to
its web interface, without the path, query or password of the checked address. The
integration page's buttons say what the user adds: a provider, a monitored system.
"""

import json
from pathlib import Path
from typing import Any

from custom_components.provider_watch import const
from custom_components.provider_watch.const import (
    CONF_HOST,
    CONF_KIND,
    CONF_PORT,
    CONF_SUPPORT_URL,
    DOMAIN,
    SUBENTRY_SYSTEM,
    SystemKind,
)
from custom_components.provider_watch.devices import web_page
from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from .helpers import (
    SYSTEM_ID,
    http_system,
    internet_entry,
    provider_entry,
    settle,
    setup_entry,
)

COMPONENT = Path(const.__file__).parent
# the checked address: a path, a query token and a password the device page must
# not show (nothing listens on the discard port)
CHECKED = "http://watcher:s3cret@127.0.0.1:9/status?token=abc"
SUPPORT = "https://support.example.com/tickets"


def en() -> dict[str, Any]:
    return dict(json.loads((COMPONENT / "translations" / "en.json").read_text()))


def device_of(registry: dr.DeviceRegistry, key: str, entry_id: str) -> dr.DeviceEntry:
    device = registry.async_get_device_by_identifier((DOMAIN, key), entry_id)
    assert device is not None, key
    return device


async def test_provider_and_system_devices(
    hass: HomeAssistant, device_registry: dr.DeviceRegistry, socket_enabled: None
) -> None:
    entry = provider_entry({SYSTEM_ID: http_system(CHECKED)})
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_SUPPORT_URL: SUPPORT}
    )
    await setup_entry(hass, entry)

    provider = device_of(device_registry, entry.entry_id, entry.entry_id)
    assert provider.name == "Acme Alarm"
    assert provider.model == "Monitoring provider"
    assert provider.entry_type is dr.DeviceEntryType.SERVICE
    assert provider.configuration_url == SUPPORT
    assert provider.config_subentry_id is None
    assert provider.via_device_id is None

    system = device_of(device_registry, SYSTEM_ID, entry.entry_id)
    assert system.name == "Alarm panel"
    assert system.manufacturer == "Acme Alarm"
    assert system.model == "Web page check"
    assert system.model_id == "http"
    assert system.via_device_id == provider.id
    assert system.config_subentry_id == SYSTEM_ID
    # the device's web interface: no path, no token, no password
    assert system.configuration_url == "http://127.0.0.1:9"


async def test_a_system_added_later_hangs_on_its_provider(
    hass: HomeAssistant, device_registry: dr.DeviceRegistry, socket_enabled: None
) -> None:
    entry = await setup_entry(hass, provider_entry({}))
    provider = device_of(device_registry, entry.entry_id, entry.entry_id)
    assert provider.configuration_url is None  # no support page given
    subentry = ConfigSubentry(
        data={CONF_KIND: "tcp", CONF_HOST: "127.0.0.1", CONF_PORT: 9},  # type: ignore[arg-type]
        subentry_type=SUBENTRY_SYSTEM,
        title="Gateway",
        unique_id=None,
    )
    assert hass.config_entries.async_add_subentry(entry, subentry)
    await settle(hass)
    system = device_of(device_registry, subentry.subentry_id, entry.entry_id)
    assert system.model == "TCP port check"
    assert system.model_id == "tcp"
    assert system.via_device_id == provider.id
    assert system.configuration_url is None  # a port has no web page


async def test_a_removed_system_takes_its_device_along(
    hass: HomeAssistant, device_registry: dr.DeviceRegistry, socket_enabled: None
) -> None:
    entry = await setup_entry(
        hass, provider_entry({SYSTEM_ID: http_system("http://127.0.0.1:9/")})
    )
    device_of(device_registry, SYSTEM_ID, entry.entry_id)
    assert hass.config_entries.async_remove_subentry(entry, SYSTEM_ID)
    await settle(hass)
    gone = device_registry.async_get_device_by_identifier(
        (DOMAIN, SYSTEM_ID), entry.entry_id
    )
    assert gone is None
    assert device_of(device_registry, entry.entry_id, entry.entry_id)  # kept


async def test_a_changed_support_page_reaches_the_device(
    hass: HomeAssistant, device_registry: dr.DeviceRegistry, socket_enabled: None
) -> None:
    entry = await setup_entry(hass, provider_entry({}))
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_SUPPORT_URL: SUPPORT}
    )
    await settle(hass)  # the provider reloads with its new settings
    provider = device_of(device_registry, entry.entry_id, entry.entry_id)
    assert provider.configuration_url == SUPPORT


async def test_the_internet_check_device(
    hass: HomeAssistant, device_registry: dr.DeviceRegistry, socket_enabled: None
) -> None:
    entry = await setup_entry(hass, internet_entry("127.0.0.1:9"))
    device = device_of(device_registry, entry.entry_id, entry.entry_id)
    assert device.name == "Internet connection"
    assert device.model == "Internet connection check"
    assert device.configuration_url is None


def test_every_kind_has_a_model_name() -> None:
    models = en()["device"]
    assert set(models) == {"provider", "internet", *SystemKind}
    assert models["http"]["name"] == "Web page check"


def test_web_page() -> None:
    assert web_page(SUPPORT) == SUPPORT
    assert web_page("https://me:pw@example.com/a?b=c") == "https://example.com/a?b=c"
    assert web_page(CHECKED, origin=True) == "http://127.0.0.1:9"
    assert web_page("https://[::1]:8443/x", origin=True) == "https://[::1]:8443"
    for bad in ("", "support.example.com", "ftp://example.com/", "http://"):
        assert web_page(bad) is None


def test_the_integration_page_buttons_say_what_is_added() -> None:
    """A provider is a service you pay for: "Add provider", listed as services."""
    manifest = json.loads((COMPONENT / "manifest.json").read_text())
    assert manifest["integration_type"] == "service"
    strings = en()
    assert strings["config"]["initiate_flow"]["user"] == "Add provider"
    system = strings["config_subentries"][SUBENTRY_SYSTEM]
    assert system["initiate_flow"]["user"] == "Add monitored system"
    assert system["entry_type"] == "Monitored system"
