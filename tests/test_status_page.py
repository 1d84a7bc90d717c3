"""The provider's status page: options flow, entities, polling, and outage causes.

A real Statuspage v2 server runs on 127.0.0.1; nothing leaves the machine.
"""

from collections.abc import AsyncGenerator, Generator
from datetime import datetime, timedelta
import json
from typing import Any, Literal

from aiohttp import web
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
    get_schema_suggested_value,
)

from custom_components.provider_watch.const import DOMAIN, EVENT_SYSTEM_OFFLINE
from custom_components.provider_watch.coordinator import ProviderRuntimeData
from custom_components.provider_watch.internet import DEFAULT_TARGETS
from custom_components.provider_watch.status_page import (
    STATUS_PAGE_INTERVAL,
    StatusPageCoordinator,
)
from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util

from .conftest import SYSTEM_ID, http_system, internet_entry, provider_entry
from .simulated import LOCALHOST, SimulatedDevice, free_port

PROBLEM = "binary_sensor.acme_alarm_provider_cloud"
INCIDENT = "sensor.acme_alarm_current_incident"
CAUSE = "sensor.alarm_panel_outage_cause"
CONNECTIVITY = "binary_sensor.alarm_panel_connectivity"
INTERNET = "binary_sensor.internet_connection_internet"

PAGE_ID = "kctbh9vrtdwd"
# component ids shaped like a real page's
CLOUD_GROUP = "7dnlhl9gmvpg"  # a group: "Cloud", holding API and WEBHOOKS
API = "b13yz5g2cw10"
WEBHOOKS = "9c0cr3f53ph4"
DASHBOARD = "zr1yt0j8p3bd"
MOBILE_APP = "1gs5cb4fgmwp"
NAMES = {
    CLOUD_GROUP: "Cloud",
    API: "Alarm API",
    WEBHOOKS: "Webhooks",
    DASHBOARD: "Dashboard",
    MOBILE_APP: "Mobile app",
}
PICKED = [API, DASHBOARD]  # WEBHOOKS and MOBILE_APP are not picked

type Mode = Literal["json", "403", "429", "html"]


# --- a Statuspage v2 server on 127.0.0.1 ---------------------------------------------


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class StatusPage:
    """Serves /api/v2/summary.json like Atlassian Statuspage; every part switchable."""

    def __init__(self) -> None:
        self.port = free_port()
        self.statuses = dict.fromkeys(NAMES, "operational")
        self.incidents: list[dict[str, Any]] = []
        self.maintenances: list[dict[str, Any]] = []
        self.mode: Mode = "json"
        self.retry_after: str | None = None
        self.requests = 0
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """The page's address as people type it."""
        return f"http://{LOCALHOST}:{self.port}"

    def add_incident(self, name: str, impact: str = "major") -> None:
        """A new unresolved incident; the page lists the newest first."""
        ident = f"inc{len(self.incidents)}"
        now = _iso(dt_util.utcnow())
        self.incidents.insert(
            0,
            {
                "id": ident,
                "name": name,
                "status": "investigating",
                "created_at": now,
                "updated_at": now,
                "monitoring_at": None,
                "resolved_at": None,
                "impact": impact,
                "shortlink": "https://stspg.io/x1",
                "started_at": now,
                "page_id": PAGE_ID,
                "incident_updates": [
                    {
                        "id": f"{ident}u",
                        "status": "investigating",
                        "body": "We are investigating.",
                        "incident_id": ident,
                        "created_at": now,
                        "display_at": now,
                        "affected_components": None,
                    }
                ],
                "components": [],
            },
        )

    def add_maintenance(
        self,
        name: str,
        status: str,
        component_ids: list[str],
        window: tuple[timedelta, timedelta] = (timedelta(hours=-1), timedelta(hours=1)),
    ) -> None:
        """A maintenance; its window is relative to the (frozen) time of the call."""
        now = dt_util.utcnow()
        self.maintenances.append(
            {
                "id": f"mnt{len(self.maintenances)}",
                "name": name,
                "status": status,
                "window": (now + window[0], now + window[1]),
                "component_ids": component_ids,
            }
        )

    def _component(self, ident: str) -> dict[str, Any]:
        group = ident == CLOUD_GROUP
        data: dict[str, Any] = {
            "id": ident,
            "name": NAMES[ident],
            "status": self.statuses[ident],
            "created_at": "2019-01-10T16:06:25.112Z",
            "updated_at": "2026-05-04T11:58:03.431Z",
            "position": 1,
            "description": None,
            "showcase": False,
            "start_date": "2019-01-10",
            "group_id": CLOUD_GROUP if ident in (API, WEBHOOKS) else None,
            "page_id": PAGE_ID,
            "group": group,
            "only_show_if_degraded": False,
        }
        if group:
            data["components"] = [API, WEBHOOKS]
        return data

    def _maintenance(self, spec: dict[str, Any]) -> dict[str, Any]:
        start, end = spec["window"]
        return {
            "id": spec["id"],
            "name": spec["name"],
            "status": spec["status"],
            "created_at": "2026-04-20T09:00:00.000Z",
            "updated_at": "2026-04-20T09:00:00.000Z",
            "monitoring_at": None,
            "resolved_at": None,
            "impact": "maintenance",
            "shortlink": "https://stspg.io/m1",
            "started_at": _iso(start),
            "page_id": PAGE_ID,
            "incident_updates": [],
            "components": [
                self._component(cid) | {"status": "under_maintenance"}
                for cid in spec["component_ids"]
            ],
            "scheduled_for": _iso(start),
            "scheduled_until": _iso(end),
        }

    def summary(self) -> dict[str, Any]:
        now = dt_util.utcnow()
        return {
            "page": {
                "id": PAGE_ID,
                "name": "Acme Alarm",
                "url": "https://status.acme-alarm.example",
                "time_zone": "Etc/UTC",
                "updated_at": _iso(now),
            },
            "status": {"indicator": "none", "description": "All Systems Operational"},
            "components": [self._component(ident) for ident in NAMES],
            "incidents": self.incidents,
            "scheduled_maintenances": [
                self._maintenance(spec) for spec in self.maintenances
            ],
        }

    async def _handle(self, _request: web.Request) -> web.StreamResponse:
        self.requests += 1
        if self.mode == "403":
            return web.Response(status=403, text="Forbidden")
        if self.mode == "429":
            headers = {"Retry-After": self.retry_after} if self.retry_after else {}
            return web.Response(status=429, text="Too Many Requests", headers=headers)
        if self.mode == "html":
            return web.Response(
                text="<!DOCTYPE html><html><body>Status</body></html>",
                content_type="text/html",
            )
        return web.Response(
            body=json.dumps(self.summary()).encode(), content_type="application/json"
        )

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/api/v2/summary.json", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, LOCALHOST, self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


@pytest.fixture
async def page(socket_enabled: None) -> AsyncGenerator[StatusPage]:
    server = StatusPage()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def upstream(socket_enabled: None) -> AsyncGenerator[SimulatedDevice]:
    """A server on 127.0.0.1 that the internet check probes."""
    server = SimulatedDevice()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture(autouse=True)
def only_loopback_targets(hass: HomeAssistant) -> Generator[None]:
    """No internet entry of a test may probe anything but 127.0.0.1."""
    yield
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.data.get("entry_type") == "internet":
            targets = entry.options["targets"]
            assert all(t.startswith(f"{LOCALHOST}:") for t in targets), targets
            assert not set(targets) & set(DEFAULT_TARGETS)


# --- helpers --------------------------------------------------------------------------


async def set_up(hass: HomeAssistant, entry: MockConfigEntry) -> MockConfigEntry:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.state is ConfigEntryState.LOADED
    return entry


async def set_up_provider(
    hass: HomeAssistant,
    options: dict[str, Any] | None = None,
    systems: dict[str, dict[str, Any]] | None = None,
) -> MockConfigEntry:
    """The provider "Acme Alarm", with status page options and systems."""
    entry = provider_entry(systems or {})
    entry.add_to_hass(hass)
    if options is not None:
        hass.config_entries.async_update_entry(entry, options=options)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.state is ConfigEntryState.LOADED
    return entry


def page_options(page: StatusPage, picked: list[str] | None = None) -> dict[str, Any]:
    return {
        "status_page": page.url,
        "status_components": PICKED if picked is None else picked,
    }


async def advance(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float
) -> None:
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def next_page_read(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, page: StatusPage
) -> None:
    """Move the clock in 30 s steps until the page has been read once more."""
    before = page.requests
    for _ in range(11):
        await advance(hass, freezer, 30)
        if page.requests > before:
            assert page.requests == before + 1
            return
    pytest.fail("the status page was not read within 5 minutes")


def state(hass: HomeAssistant, entity_id: str) -> str:
    current = hass.states.get(entity_id)
    assert current is not None, entity_id
    return current.state


def attributes(hass: HomeAssistant, entity_id: str) -> dict[str, Any]:
    current = hass.states.get(entity_id)
    assert current is not None, entity_id
    return dict(current.attributes)


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


# --- options flow ---------------------------------------------------------------------


async def test_options_pick_components(
    hass: HomeAssistant, page: StatusPage, entity_registry: er.EntityRegistry
) -> None:
    entry = await set_up_provider(hass)
    assert status_page_of(entry) is None
    assert hass.states.get(PROBLEM) is None

    result = await start_options(hass, entry)
    assert result["description_placeholders"] == {"reason": ""}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"status_page": f"  {page.url}  "}
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
    suggested = get_schema_suggested_value(
        result["data_schema"].schema, "status_components"
    )
    assert suggested == []

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"status_components": PICKED}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.options == {"status_page": page.url, "status_components": PICKED}

    # the entry was reloaded: its status page is watched now
    assert entry.state is ConfigEntryState.LOADED
    coordinator = status_page_of(entry)
    assert coordinator is not None
    assert coordinator.url == f"{page.url}/api/v2/summary.json"
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
    assert (
        get_schema_suggested_value(result["data_schema"].schema, "status_page")
        == page.url
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"status_page": f"{page.url}/api/v2/summary.json"}
    )
    assert result["step_id"] == "components"
    suggested = get_schema_suggested_value(
        result["data_schema"].schema, "status_components"
    )
    assert suggested == PICKED


async def test_options_pick_none_watches_every_component(
    hass: HomeAssistant, page: StatusPage, freezer: FrozenDateTimeFactory
) -> None:
    entry = await set_up_provider(hass)
    result = await start_options(hass, entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"status_page": page.url}
    )
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.options == {"status_page": page.url, "status_components": []}
    coordinator = status_page_of(entry)
    assert coordinator is not None
    assert coordinator.component_ids is None

    page.statuses[MOBILE_APP] = "major_outage"
    await next_page_read(hass, freezer, page)
    assert state(hass, PROBLEM) == STATE_ON
    assert attributes(hass, PROBLEM)["components_down"] == ["Mobile app"]


async def test_options_components_no_longer_on_the_page(
    hass: HomeAssistant, page: StatusPage
) -> None:
    """A picked component the page no longer lists is not suggested again."""
    entry = await set_up_provider(hass, page_options(page, [API, "gone0000000"]))
    result = await start_options(hass, entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"status_page": page.url}
    )
    suggested = get_schema_suggested_value(
        result["data_schema"].schema, "status_components"
    )
    assert suggested == [API]


@pytest.mark.parametrize(
    "user_input",
    [{"status_page": ""}, {"status_page": "   "}, {}],
    ids=["empty", "spaces", "left out"],
)
async def test_options_blank_page_clears(
    hass: HomeAssistant, page: StatusPage, user_input: dict[str, Any]
) -> None:
    entry = await set_up_provider(hass, page_options(page))
    assert status_page_of(entry) is not None
    assert state(hass, PROBLEM) == STATE_OFF

    result = await start_options(hass, entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], user_input
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.options == {}
    assert entry.state is ConfigEntryState.LOADED
    assert status_page_of(entry) is None
    assert page.requests == 1  # not read again after the reload
    # its entities are gone with it
    assert hass.states.get(PROBLEM) is None


async def test_options_blank_page_removes_its_entities(
    hass: HomeAssistant, page: StatusPage, entity_registry: er.EntityRegistry
) -> None:
    entry = await set_up_provider(hass, page_options(page))
    result = await start_options(hass, entry)
    await hass.config_entries.options.async_configure(
        result["flow_id"], {"status_page": ""}
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entity_registry.async_get(PROBLEM) is None
    assert entity_registry.async_get(INCIDENT) is None


@pytest.mark.parametrize(
    "url",
    ["not a url", "ftp://status.example.com", "http://", "http://exa mple.com"],
)
async def test_options_invalid_url(
    hass: HomeAssistant, page: StatusPage, url: str
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
    hass: HomeAssistant, page: StatusPage, mode: Mode | None, reason: str
) -> None:
    entry = await set_up_provider(hass)
    url = page.url
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
    assert result["description_placeholders"] == {"reason": f"\n\n**{reason}**"}
    # what was typed stays in the form
    assert (
        get_schema_suggested_value(result["data_schema"].schema, "status_page") == url
    )
    assert entry.options == {}

    # fixed on the page's side: the next try goes on
    page.mode = "json"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"status_page": page.url}
    )
    assert result["step_id"] == "components"


# --- entities -------------------------------------------------------------------------


async def test_provider_cloud_problem(
    hass: HomeAssistant, page: StatusPage, freezer: FrozenDateTimeFactory
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
    hass: HomeAssistant, page: StatusPage, freezer: FrozenDateTimeFactory
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
    hass: HomeAssistant, page: StatusPage, freezer: FrozenDateTimeFactory, mode: Mode
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
    hass: HomeAssistant, page: StatusPage, freezer: FrozenDateTimeFactory
) -> None:
    page.mode = "403"
    page.statuses[API] = "major_outage"
    await set_up_provider(hass, page_options(page))
    assert state(hass, PROBLEM) == STATE_UNKNOWN
    page.mode = "json"
    await next_page_read(hass, freezer, page)
    assert state(hass, PROBLEM) == STATE_ON


async def test_page_going_away_is_unknown(
    hass: HomeAssistant, page: StatusPage, freezer: FrozenDateTimeFactory
) -> None:
    await set_up_provider(hass, page_options(page))
    assert state(hass, PROBLEM) == STATE_OFF
    await page.stop()
    await advance(hass, freezer, 300)
    assert state(hass, PROBLEM) == STATE_UNKNOWN


async def test_retry_after_stretches_the_interval(
    hass: HomeAssistant, page: StatusPage, freezer: FrozenDateTimeFactory
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
    hass: HomeAssistant, page: StatusPage, freezer: FrozenDateTimeFactory
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
    hass: HomeAssistant, page: StatusPage, freezer: FrozenDateTimeFactory
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
    page: StatusPage,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
) -> None:
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    await set_up(hass, internet_entry(f"{LOCALHOST}:{upstream.port}"))
    page.statuses[API] = "major_outage"
    await set_up_provider(
        hass, page_options(page), {SYSTEM_ID: http_system(device.url)}
    )
    assert state(hass, INTERNET) == STATE_ON
    assert state(hass, PROBLEM) == STATE_ON
    assert state(hass, CAUSE) == "none"  # online: no cause

    # the system goes offline while the page reports a picked component down
    await device.stop()
    for seconds in (30, 5, 5):
        await advance(hass, freezer, seconds)
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
    page: StatusPage,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
) -> None:
    await set_up(hass, internet_entry(f"{LOCALHOST}:{upstream.port}"))
    page.statuses[API] = "major_outage"
    await set_up_provider(
        hass, page_options(page), {SYSTEM_ID: http_system(device.url)}
    )
    await device.stop()
    await upstream.stop()
    for seconds in (30, 5, 5):
        await advance(hass, freezer, seconds)
    assert state(hass, INTERNET) == STATE_OFF
    assert state(hass, PROBLEM) == STATE_ON  # last read, before the internet failed
    assert state(hass, CAUSE) == "internet"
