"""The provider's status page: options flow, entities, polling, and outage causes.

A real Statuspage v2 server runs on 127.0.0.1; nothing leaves the machine.
"""

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.provider_watch.const import EVENT_SYSTEM_OFFLINE
from custom_components.provider_watch.monitoring.provider import ProviderRuntimeData
from custom_components.provider_watch.monitoring.provider_status import (
    STATUS_PAGE_INTERVAL,
    StatusPageCoordinator,
)
from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
from testkit.simulated import LOCALHOST, SimulatedDevice, free_port

from .helpers import (
    INTERNET,
    SYSTEM_ID,
    advance,
    attributes,
    http_system,
    provider_entry,
    settle,
    setup_entry,
    setup_internet,
    state,
    suggested,
)
from .statuspage_server import (
    API,
    CLOUD_GROUP,
    DASHBOARD,
    MOBILE_APP,
    NAMES,
    WEBHOOKS,
    Mode,
    StatusPageServer,
)

PROBLEM = "binary_sensor.acme_alarm_provider_cloud"
INCIDENT = "sensor.acme_alarm_current_incident"
CAUSE = "sensor.alarm_panel_outage_cause"
CONNECTIVITY = "binary_sensor.alarm_panel_connectivity"
PICKED = [API, DASHBOARD]  # WEBHOOKS and MOBILE_APP are not picked

pytestmark = pytest.mark.usefixtures("only_loopback_targets")


# --- helpers --------------------------------------------------------------------------


async def set_up_provider(
    hass: HomeAssistant,
    options: dict[str, Any] | None = None,
    systems: dict[str, dict[str, Any]] | None = None,
) -> MockConfigEntry:
    """The provider "Acme Alarm", with status page options and systems."""
    return await setup_entry(hass, provider_entry(systems or {}, options=options))


def page_options(
    page: StatusPageServer, picked: list[str] | None = None
) -> dict[str, Any]:
    return {
        "status_page": page.base,
        "status_components": PICKED if picked is None else picked,
    }


async def next_page_read(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, page: StatusPageServer
) -> None:
    """Move the clock in 30 s steps until the page has been read once more."""
    before = page.requests
    for _ in range(11):
        await advance(hass, freezer, 30)
        if page.requests > before:
            assert page.requests == before + 1
            return
    pytest.fail("the status page was not read within 5 minutes")


def status_page_of(entry: ConfigEntry) -> StatusPageCoordinator | None:
    runtime = entry.runtime_data
    assert isinstance(runtime, ProviderRuntimeData)
    return runtime.status_page


async def start_options(hass: HomeAssistant, entry: ConfigEntry) -> dict[str, Any]:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    assert result["errors"] == {}
    return dict(result)


def select_options(result: dict[str, Any]) -> list[tuple[str, str]]:
    """The (value, label) pairs the components step offers."""
    for key, selector in result["data_schema"].schema.items():
        if key == "status_components":
            config = selector.config
            assert config["multiple"] is True
            return [(o["value"], o["label"]) for o in config["options"]]
    pytest.fail("no status_components field")


async def internet_up_and_page_problem(
    hass: HomeAssistant,
    page: StatusPageServer,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    """The internet check answers, a picked component is down, the system online."""
    await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
    page.statuses[API] = "major_outage"
    await set_up_provider(
        hass, page_options(page), {SYSTEM_ID: http_system(device.url)}
    )


# --- options flow ---------------------------------------------------------------------


async def test_options_pick_components(
    hass: HomeAssistant, page: StatusPageServer, entity_registry: er.EntityRegistry
) -> None:
    entry = await set_up_provider(hass)
    assert status_page_of(entry) is None
    assert hass.states.get(PROBLEM) is None

    result = await start_options(hass, entry)
    assert result["description_placeholders"]["reason"] == ""
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"status_page": f"  {page.base}  "}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "components"
    assert page.requests == 1
    # the non-group components, in page order; the group "Cloud" is not offered
    assert select_options(dict(result)) == [
        (API, "Alarm API"),
        (WEBHOOKS, "Webhooks"),
        (DASHBOARD, "Dashboard"),
        (MOBILE_APP, "Mobile app"),
    ]
    assert suggested(result, "status_components") == []

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"status_components": PICKED}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await settle(hass)
    assert entry.options == {"status_page": page.base, "status_components": PICKED}

    # the entry was reloaded: its status page is watched now
    assert entry.state is ConfigEntryState.LOADED
    coordinator = status_page_of(entry)
    assert coordinator is not None
    assert coordinator.url == page.url
    assert coordinator.component_ids == tuple(PICKED)
    assert page.requests == 2
    assert state(hass, PROBLEM) == STATE_OFF
    registry_entry = entity_registry.async_get(PROBLEM)
    assert registry_entry is not None
    assert registry_entry.unique_id == f"{entry.entry_id}_provider_cloud"
    assert registry_entry.original_device_class == "problem"
    incident = entity_registry.async_get(INCIDENT)
    assert incident is not None
    assert incident.unique_id == f"{entry.entry_id}_incident"

    # opened again: the page and the picked components are suggested
    result = await start_options(hass, entry)
    assert suggested(result, "status_page") == page.base
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"status_page": page.url}
    )
    assert result["step_id"] == "components"
    assert suggested(result, "status_components") == PICKED


async def test_options_pick_none_watches_every_component(
    hass: HomeAssistant, page: StatusPageServer, freezer: FrozenDateTimeFactory
) -> None:
    entry = await set_up_provider(hass)
    result = await start_options(hass, entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"status_page": page.base}
    )
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await settle(hass)
    assert entry.options == {"status_page": page.base, "status_components": []}
    coordinator = status_page_of(entry)
    assert coordinator is not None
    assert coordinator.component_ids is None

    page.statuses[MOBILE_APP] = "major_outage"
    await next_page_read(hass, freezer, page)
    assert state(hass, PROBLEM) == STATE_ON
    assert attributes(hass, PROBLEM)["components_down"] == ["Mobile app"]


async def test_options_components_no_longer_on_the_page(
    hass: HomeAssistant, page: StatusPageServer
) -> None:
    """A picked component the page no longer lists is not suggested again."""
    entry = await set_up_provider(hass, page_options(page, [API, "gone0000000"]))
    result = await start_options(hass, entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"status_page": page.base}
    )
    assert suggested(result, "status_components") == [API]


@pytest.mark.parametrize(
    "user_input",
    [{"status_page": ""}, {"status_page": "   "}, {}],
    ids=["empty", "spaces", "left out"],
)
async def test_options_blank_page_clears(
    hass: HomeAssistant, page: StatusPageServer, user_input: dict[str, Any]
) -> None:
    entry = await set_up_provider(hass, page_options(page))
    assert status_page_of(entry) is not None
    assert state(hass, PROBLEM) == STATE_OFF

    result = await start_options(hass, entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], user_input
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await settle(hass)
    assert entry.options == {}
    assert entry.state is ConfigEntryState.LOADED
    assert status_page_of(entry) is None
    assert page.requests == 1  # not read again after the reload
    # its entities are gone with it
    assert hass.states.get(PROBLEM) is None


async def test_options_blank_page_removes_its_entities(
    hass: HomeAssistant, page: StatusPageServer, entity_registry: er.EntityRegistry
) -> None:
    entry = await set_up_provider(hass, page_options(page))
    result = await start_options(hass, entry)
    await hass.config_entries.options.async_configure(
        result["flow_id"], {"status_page": ""}
    )
    await settle(hass)
    assert entity_registry.async_get(PROBLEM) is None
    assert entity_registry.async_get(INCIDENT) is None


@pytest.mark.parametrize(
    "url",
    ["not a url", "ftp://status.example.com", "http://", "http://exa mple.com"],
)
async def test_options_invalid_url(
    hass: HomeAssistant, page: StatusPageServer, url: str
) -> None:
    entry = await set_up_provider(hass)
    result = await start_options(hass, entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"status_page": url}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    assert result["errors"] == {"status_page": "invalid_url"}
    assert page.requests == 0
    assert entry.options == {}


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("403", "status page answered HTTP 403"),
        ("429", "status page answered HTTP 429"),
        ("html", "status page sent HTML, not JSON"),
        (None, "status page unreachable: connection refused"),
    ],
    ids=["403", "429", "html", "closed port"],
)
async def test_options_unreadable_page(
    hass: HomeAssistant, page: StatusPageServer, mode: Mode | None, reason: str
) -> None:
    entry = await set_up_provider(hass)
    url = page.base
    if mode is None:
        url = f"http://{LOCALHOST}:{free_port()}"
    else:
        page.mode = mode
    result = await start_options(hass, entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"status_page": url}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    assert result["errors"] == {"status_page": "status_page_unreadable"}
    assert result["description_placeholders"]["reason"] == f"\n\n**{reason}**"
    # what was typed stays in the form
    assert suggested(result, "status_page") == url
    assert entry.options == {}

    # fixed on the page's side: the next try goes on
    page.mode = "json"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"status_page": page.base}
    )
    assert result["step_id"] == "components"


# --- entities -------------------------------------------------------------------------


async def test_provider_cloud_problem(
    hass: HomeAssistant, page: StatusPageServer, freezer: FrozenDateTimeFactory
) -> None:
    await set_up_provider(hass, page_options(page))
    assert state(hass, PROBLEM) == STATE_OFF
    assert attributes(hass, PROBLEM)["device_class"] == "problem"
    assert attributes(hass, PROBLEM)["components_down"] == []
    assert attributes(hass, PROBLEM)["maintenance"] == []
    assert state(hass, INCIDENT) == STATE_UNKNOWN

    # an unpicked component, the group, or mere slowness: not a problem
    page.statuses[WEBHOOKS] = "major_outage"
    page.statuses[MOBILE_APP] = "partial_outage"
    page.statuses[API] = "degraded_performance"
    page.statuses[DASHBOARD] = "under_maintenance"
    await next_page_read(hass, freezer, page)
    assert state(hass, PROBLEM) == STATE_OFF
    assert attributes(hass, PROBLEM)["components_down"] == []

    # a picked component in partial outage
    page.statuses[API] = "partial_outage"
    await next_page_read(hass, freezer, page)
    assert state(hass, PROBLEM) == STATE_ON
    assert attributes(hass, PROBLEM)["components_down"] == ["Alarm API"]

    # both picked components down
    page.statuses[DASHBOARD] = "major_outage"
    await next_page_read(hass, freezer, page)
    assert state(hass, PROBLEM) == STATE_ON
    assert attributes(hass, PROBLEM)["components_down"] == ["Alarm API", "Dashboard"]

    # all fine again
    page.statuses = dict.fromkeys(NAMES, "operational")
    await next_page_read(hass, freezer, page)
    assert state(hass, PROBLEM) == STATE_OFF
    assert attributes(hass, PROBLEM)["components_down"] == []


async def test_polled_every_five_minutes(
    hass: HomeAssistant, page: StatusPageServer, freezer: FrozenDateTimeFactory
) -> None:
    entry = await set_up_provider(hass, page_options(page))
    coordinator = status_page_of(entry)
    assert coordinator is not None
    assert coordinator.update_interval == STATUS_PAGE_INTERVAL
    assert page.requests == 1
    page.statuses[API] = "major_outage"
    await advance(hass, freezer, 290)
    assert page.requests == 1
    assert state(hass, PROBLEM) == STATE_OFF
    await advance(hass, freezer, 10)
    assert page.requests == 2
    assert state(hass, PROBLEM) == STATE_ON
    for expected in (3, 4):
        await advance(hass, freezer, 300)
        assert page.requests == expected


@pytest.mark.parametrize("mode", ["403", "429", "html"])
async def test_unreadable_page_is_unknown_never_a_problem(
    hass: HomeAssistant,
    page: StatusPageServer,
    freezer: FrozenDateTimeFactory,
    mode: Mode,
) -> None:
    page.statuses[API] = "major_outage"
    page.add_incident("Alarm API down")
    entry = await set_up_provider(hass, page_options(page))
    assert state(hass, PROBLEM) == STATE_ON
    assert state(hass, INCIDENT) == "Alarm API down"

    page.mode = mode  # the components are still "down" behind the refusal
    await next_page_read(hass, freezer, page)
    assert state(hass, PROBLEM) == STATE_UNKNOWN
    assert attributes(hass, PROBLEM)["components_down"] == []
    assert state(hass, INCIDENT) == STATE_UNKNOWN
    coordinator = status_page_of(entry)
    assert coordinator is not None
    assert coordinator.data.unknown_reason is not None
    assert not coordinator.has_problem

    page.mode = "json"
    await next_page_read(hass, freezer, page)
    assert state(hass, PROBLEM) == STATE_ON


async def test_unreadable_from_the_start(
    hass: HomeAssistant, page: StatusPageServer, freezer: FrozenDateTimeFactory
) -> None:
    page.mode = "403"
    page.statuses[API] = "major_outage"
    await set_up_provider(hass, page_options(page))
    assert state(hass, PROBLEM) == STATE_UNKNOWN
    page.mode = "json"
    await next_page_read(hass, freezer, page)
    assert state(hass, PROBLEM) == STATE_ON


async def test_page_going_away_is_unknown(
    hass: HomeAssistant, page: StatusPageServer, freezer: FrozenDateTimeFactory
) -> None:
    await set_up_provider(hass, page_options(page))
    assert state(hass, PROBLEM) == STATE_OFF
    await page.stop()
    await advance(hass, freezer, 300)
    assert state(hass, PROBLEM) == STATE_UNKNOWN


async def test_retry_after_stretches_the_interval(
    hass: HomeAssistant, page: StatusPageServer, freezer: FrozenDateTimeFactory
) -> None:
    entry = await set_up_provider(hass, page_options(page))
    coordinator = status_page_of(entry)
    assert coordinator is not None
    page.mode = "429"
    page.retry_after = "600"
    await advance(hass, freezer, 300)
    assert page.requests == 2
    assert state(hass, PROBLEM) == STATE_UNKNOWN
    assert coordinator.update_interval == timedelta(seconds=600)
    # 5 minutes later the page is left alone, 10 minutes later it is read again
    page.mode = "json"
    await advance(hass, freezer, 300)
    assert page.requests == 2
    await advance(hass, freezer, 300)
    assert page.requests == 3
    assert state(hass, PROBLEM) == STATE_OFF
    assert coordinator.update_interval == STATUS_PAGE_INTERVAL

    # a short Retry-After never polls faster than every 5 minutes
    page.mode = "429"
    page.retry_after = "30"
    await advance(hass, freezer, 300)
    assert page.requests == 4
    assert coordinator.update_interval == STATUS_PAGE_INTERVAL


async def test_incident_sensor_shows_the_newest(
    hass: HomeAssistant, page: StatusPageServer, freezer: FrozenDateTimeFactory
) -> None:
    await set_up_provider(hass, page_options(page))
    assert state(hass, INCIDENT) == STATE_UNKNOWN
    page.add_incident("Delayed notifications", impact="minor")
    await next_page_read(hass, freezer, page)
    assert state(hass, INCIDENT) == "Delayed notifications"
    # an incident is not a component outage: the problem sensor stays off
    assert state(hass, PROBLEM) == STATE_OFF
    page.add_incident("Login failures")
    await next_page_read(hass, freezer, page)
    assert state(hass, INCIDENT) == "Login failures"
    page.incidents.clear()  # resolved
    await next_page_read(hass, freezer, page)
    assert state(hass, INCIDENT) == STATE_UNKNOWN


async def test_maintenance_attribute(
    hass: HomeAssistant, page: StatusPageServer, freezer: FrozenDateTimeFactory
) -> None:
    hour = timedelta(hours=1)
    page.add_maintenance("Dashboard upgrade", "in_progress", [DASHBOARD])
    page.add_maintenance("App store release", "in_progress", [MOBILE_APP])  # unpicked
    page.add_maintenance("API migration", "scheduled", [API], (hour, 2 * hour))
    page.add_maintenance("Group work", "scheduled", [CLOUD_GROUP], (-hour, hour))
    page.add_maintenance("Last week", "completed", [API], (-3 * hour, -2 * hour))
    await set_up_provider(hass, page_options(page))
    assert state(hass, PROBLEM) == STATE_OFF
    # API belongs to the group: the group's maintenance touches it
    assert attributes(hass, PROBLEM)["maintenance"] == [
        "Dashboard upgrade",
        "Group work",
    ]

    # 85 minutes later the API migration runs and the group's work is over
    freezer.tick(timedelta(minutes=85))
    await next_page_read(hass, freezer, page)
    assert attributes(hass, PROBLEM)["maintenance"] == [
        "Dashboard upgrade",
        "API migration",
    ]
    assert state(hass, PROBLEM) == STATE_OFF  # maintenance is not an outage


# --- causes ---------------------------------------------------------------------------


async def test_cause_provider_cloud_then_system(
    hass: HomeAssistant,
    page: StatusPageServer,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
) -> None:
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    await internet_up_and_page_problem(hass, page, device, upstream)
    assert state(hass, INTERNET) == STATE_ON
    assert state(hass, PROBLEM) == STATE_ON
    assert state(hass, CAUSE) == "none"  # online: no cause

    # the system goes offline while the page reports a picked component down
    await device.stop()
    await advance(hass, freezer, 30, 5, 5)
    assert state(hass, CONNECTIVITY) == STATE_OFF
    assert state(hass, CAUSE) == "provider_cloud"
    assert [event.data["cause"] for event in offline] == ["provider_cloud"]

    # the page is operational again: re-judged, the system itself
    page.statuses[API] = "operational"
    await next_page_read(hass, freezer, page)
    assert state(hass, PROBLEM) == STATE_OFF
    assert state(hass, CAUSE) == "system"

    # an unpicked component going down changes nothing
    page.statuses[MOBILE_APP] = "major_outage"
    await next_page_read(hass, freezer, page)
    assert state(hass, CAUSE) == "system"

    # a picked one does, while the system is still offline
    page.statuses[DASHBOARD] = "partial_outage"
    await next_page_read(hass, freezer, page)
    assert state(hass, CAUSE) == "provider_cloud"

    # a page that cannot be read is never an outage
    page.mode = "429"
    await next_page_read(hass, freezer, page)
    assert state(hass, PROBLEM) == STATE_UNKNOWN
    assert state(hass, CAUSE) == "system"
    assert len(offline) == 1


async def test_cause_internet_down_beats_status_page(
    hass: HomeAssistant,
    page: StatusPageServer,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
) -> None:
    await internet_up_and_page_problem(hass, page, device, upstream)
    await device.stop()
    await upstream.stop()
    await advance(hass, freezer, 30, 5, 5)
    assert state(hass, INTERNET) == STATE_OFF
    assert state(hass, PROBLEM) == STATE_ON  # last read, before the internet failed
    assert state(hass, CAUSE) == "internet"
