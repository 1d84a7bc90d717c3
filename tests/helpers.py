"""Shared test helpers: entries, the frozen clock, states, and the system flows."""

from datetime import datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    get_schema_suggested_value,
)

from custom_components.provider_watch.const import (
    CONF_EXPECTED_STATUS,
    CONF_FAILURES_BEFORE_OFFLINE,
    CONF_KIND,
    CONF_POLL_INTERVAL,
    CONF_RETRY_INTERVAL,
    CONF_SUCCESSES_BEFORE_ONLINE,
    CONF_SUPPORT_PHONE,
    CONF_TIMEOUT,
    CONF_URL,
    CONF_VERIFY_TLS,
    DOMAIN,
    SUBENTRY_SYSTEM,
    SystemKind,
)
from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    SOURCE_USER,
    ConfigEntry,
    ConfigEntryState,
    ConfigSubentry,
    ConfigSubentryData,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, section

SYSTEM_ID = "system_alarm_panel"
INTERNET = "binary_sensor.internet_connection_internet"


# --- entries -------------------------------------------------------------------


def http_system(url: str, **overrides: Any) -> dict[str, Any]:
    """Subentry data of an HTTP system with quick, test-friendly timing."""
    return {
        CONF_KIND: "http",
        CONF_URL: url,
        CONF_EXPECTED_STATUS: "200-299",
        CONF_VERIFY_TLS: True,
        CONF_POLL_INTERVAL: 30,
        CONF_TIMEOUT: 2,
        CONF_RETRY_INTERVAL: 5,
        CONF_FAILURES_BEFORE_OFFLINE: 3,
        CONF_SUCCESSES_BEFORE_ONLINE: 2,
    } | overrides


def provider_entry(
    systems: dict[str, dict[str, Any]],
    title: str = "Acme Alarm",
    options: dict[str, Any] | None = None,
) -> MockConfigEntry:
    """A provider entry with the given systems (subentry id -> data)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=title,
        data={"name": title, CONF_SUPPORT_PHONE: "+1 555 0100"},
        options=options or {},
        subentries_data=[
            ConfigSubentryData(
                data=data,
                subentry_id=system_id,
                subentry_type=SUBENTRY_SYSTEM,
                title=system_id.removeprefix("system_").replace("_", " ").capitalize(),
                unique_id=None,
            )
            for system_id, data in systems.items()
        ],
    )


def internet_entry(*targets: str) -> MockConfigEntry:
    """The internet check's entry; targets default to a closed port on 127.0.0.1."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Internet connection",
        unique_id="internet",
        data={"entry_type": "internet"},
        options={"targets": list(targets) or ["127.0.0.1:9"]},
    )


async def setup_entry(hass: HomeAssistant, entry: MockConfigEntry) -> MockConfigEntry:
    """Add and set up an entry, and let its first checks finish."""
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await settle(hass)
    assert entry.state is ConfigEntryState.LOADED
    return entry


async def setup_http_provider(
    hass: HomeAssistant, url: str, **overrides: Any
) -> MockConfigEntry:
    """The provider "Acme Alarm" with one HTTP system "Alarm panel", set up."""
    return await setup_entry(
        hass, provider_entry({SYSTEM_ID: http_system(url, **overrides)})
    )


async def setup_internet(hass: HomeAssistant, *targets: str) -> MockConfigEntry:
    """The internet check, set up with the given targets."""
    assert targets, "tests always name their (127.0.0.1) targets"
    return await setup_entry(hass, internet_entry(*targets))


def internet_entries(hass: HomeAssistant) -> list[ConfigEntry]:
    return [
        entry
        for entry in hass.config_entries.async_entries(DOMAIN)
        if entry.data.get("entry_type") == "internet"
    ]


def provider_entries(hass: HomeAssistant) -> list[ConfigEntry]:
    """The provider entries (not the internet check's entry)."""
    return [
        entry
        for entry in hass.config_entries.async_entries(DOMAIN)
        if entry.data.get("entry_type") != "internet"
    ]


# --- the clock -----------------------------------------------------------------


async def settle(hass: HomeAssistant) -> None:
    """Let everything that is due run, background tasks included."""
    await hass.async_block_till_done(wait_background_tasks=True)


async def advance(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, *steps: float
) -> None:
    """Move the clock step by step (seconds), letting every due check run each time."""
    for seconds in steps:
        freezer.tick(timedelta(seconds=seconds))
        async_fire_time_changed(hass)
        await settle(hass)


async def jump(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, moment: datetime
) -> None:
    """Move the clock to a moment and let every due check run."""
    freezer.move_to(moment)
    async_fire_time_changed(hass)
    await settle(hass)


async def changes_after(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entity_id: str,
    seconds: float,
    before: str,
    after: str,
) -> None:
    """The entity shows `before` up to a second short of `seconds`, `after` then."""
    await advance(hass, freezer, seconds - 1)
    assert state(hass, entity_id) == before
    await advance(hass, freezer, 1)
    assert state(hass, entity_id) == after


# --- states --------------------------------------------------------------------


def state(hass: HomeAssistant, entity_id: str) -> str:
    current = hass.states.get(entity_id)
    assert current is not None, entity_id
    return current.state


def attributes(hass: HomeAssistant, entity_id: str) -> dict[str, Any]:
    current = hass.states.get(entity_id)
    assert current is not None, entity_id
    return dict(current.attributes)


# --- the system subentry flows ---------------------------------------------------


async def start_system_flow(
    hass: HomeAssistant, entry: MockConfigEntry, kind: str
) -> dict[str, Any]:
    """Open a provider's add-system menu and pick a kind: its empty form."""
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_SYSTEM), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "user"
    assert list(result["menu_options"]) == [k.value for k in SystemKind]
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"next_step_id": str(kind)}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == kind
    assert result["errors"] == {}
    return dict(result)


async def submit_system_form(
    hass: HomeAssistant, entry: MockConfigEntry, kind: str, user_input: dict[str, Any]
) -> dict[str, Any]:
    """Add a system of a kind: its form filled in and submitted; the next step."""
    result = await start_system_flow(hass, entry, kind)
    return await configure(hass, result["flow_id"], user_input)


async def start_system_reconfigure(
    hass: HomeAssistant, entry: MockConfigEntry, subentry_id: str
) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_SYSTEM),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry_id},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {}
    return dict(result)


async def configure(
    hass: HomeAssistant, flow_id: str, user_input: dict[str, Any]
) -> dict[str, Any]:
    """Submit a step of a system flow and let a reload it causes finish."""
    result = await hass.config_entries.subentries.async_configure(flow_id, user_input)
    await settle(hass)
    return dict(result)


def new_subentry(entry: MockConfigEntry, before: set[str]) -> ConfigSubentry:
    """The one subentry added since `before` (a set of subentry ids)."""
    (added,) = (s for sid, s in entry.subentries.items() if sid not in before)
    return added


def section_schema(schema: Any, key: str) -> dict[Any, Any]:
    """The (suggested-value carrying) schema dict of a form section."""
    for marker, value in schema.schema.items():
        if marker == key:
            assert isinstance(value, section)
            return dict(value.schema.schema)
    pytest.fail(f"no section {key}")


def suggested(result: dict[str, Any], key: str, in_section: str | None = None) -> Any:
    """The value a form suggests for a field (of a section)."""
    schema = result["data_schema"]
    fields = section_schema(schema, in_section) if in_section else schema.schema
    return get_schema_suggested_value(fields, key)


# --- the options flows -----------------------------------------------------------


async def open_options(hass: HomeAssistant, entry: ConfigEntry) -> dict[str, Any]:
    """Open an entry's options: its first form, without errors."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    assert result["errors"] == {}
    return dict(result)


async def submit_options(
    hass: HomeAssistant, flow_id: str, user_input: dict[str, Any]
) -> dict[str, Any]:
    """Submit a step of an options flow and let a reload it causes finish."""
    result = await hass.config_entries.options.async_configure(flow_id, user_input)
    await settle(hass)
    return dict(result)


# --- services --------------------------------------------------------------------


async def service_response(
    hass: HomeAssistant, service: str, **data: Any
) -> dict[str, Any]:
    """Call one of Provider Watch's services, waiting for it; its response."""
    response = await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=True
    )
    assert isinstance(response, dict)
    return response
