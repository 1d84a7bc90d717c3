"""Fault catalogue, credentials and set-up: rejected credentials, systems added live.

Each case runs on the bench (bench.py) with the provider's cloud on 127.0.0.1 and
time moved with the freezer, and ends with `bench.verify` (no unhandled exception,
no false offline, one alert per outage and phone, the outage records, a log line).

Issue 15, item 20: while the provider rejects the credentials the system is still
checked, every 5 minutes; the owner is asked once (one reauth flow, or one repair
for a system that sends no credentials); when the provider accepts them again the
system recovers by itself and the reauth flow goes away.

Item 19: a system added, changed or removed is set up or torn down alone, while its
siblings keep running (no reload), also when it is added while the provider is being
set up again; the alerts and self-heal learn of it.
"""

from collections.abc import Awaitable, Callable
from types import MappingProxyType
from typing import Any

from freezegun.api import FrozenDateTimeFactory

from custom_components.provider_watch.const import (
    CONF_AUTH_TYPE,
    CONF_HEAL_ENTITY,
    CONF_KIND,
    CONF_NAME,
    CONF_POLL_INTERVAL,
    CONF_TIMING,
    CONF_TOKEN,
    CONF_URL,
    DOMAIN,
    SUBENTRY_SYSTEM,
)
from custom_components.provider_watch.hub import DATA_SELF_HEAL
from custom_components.provider_watch.monitoring.auth import secret_field
from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_USER,
    ConfigEntryState,
    ConfigSubentry,
)
from homeassistant.core import Event, EventStateChangedData, callback
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.event import async_track_state_change_event

from ..helpers import settle
from ..provider_cloud import TOKEN
from .bench import PANEL, Bench, cloud_data, http_data
from .servers import FaultyCloud, FaultyDevice

ONLINE = ("on", "online", "none")
REJECTED = ("unavailable", "unavailable", "auth")
GATEWAY = "system_solar_gateway"

type MakeBench = Callable[..., Awaitable[Bench]]


def reauth_flows(b: Bench) -> list[Any]:
    assert b.entry is not None
    return [
        flow
        for flow in b.hass.config_entries.flow.async_progress()
        if flow["context"]["source"] == SOURCE_REAUTH
        and flow["context"]["entry_id"] == b.entry.entry_id
    ]


def reauth_issues(b: Bench) -> list[str]:
    """Home Assistant's own repair for a reauth flow, and ours for no credentials."""
    return [
        issue_id
        for issue_id in b.issues()
        if issue_id.startswith(("config_entry_reauth_", "auth_without_credentials"))
    ]


def without_credentials(url: str, **overrides: Any) -> dict[str, Any]:
    """A cloud system of a provider whose API wants no credentials."""
    data = cloud_data(url, **overrides) | {CONF_AUTH_TYPE: "none"}
    data.pop(CONF_TOKEN)
    return data


# --- item 20: a brief auth glitch at the provider ----------------------------------


async def test_auth_glitch_keeps_checking_and_recovers(
    make_bench: MakeBench, faulty_cloud: FaultyCloud, freezer: FrozenDateTimeFactory
) -> None:
    """401 for a while: asked once, checked every 5 minutes, back by itself."""
    b = await make_bench(freezer)
    cloud = faulty_cloud
    entry = await b.provider({PANEL: cloud_data(cloud.url)})
    assert b.shown() == ONLINE
    cloud.token = "tok-rotated-for-a-while"  # noqa: S105  (the provider's glitch)
    await b.advance(30)
    assert b.shown() == REJECTED
    assert len(reauth_flows(b)) == 1
    assert len(reauth_issues(b)) == 1
    hits = cloud.hits
    for _ in range(30):  # 15 minutes
        await b.advance(30)
        assert len(reauth_flows(b)) == 1  # asked once, not every check
        assert b.shown() == REJECTED
    assert cloud.hits == hits + 3  # still checked, every 5 minutes
    assert len(reauth_issues(b)) == 1

    cloud.token = TOKEN  # the provider accepts the stored token again
    await b.until(lambda: b.shown() == ONLINE, step=30, limit=300)
    assert reauth_flows(b) == []  # the reauth flow was dismissed
    assert reauth_issues(b) == []
    assert entry.state is ConfigEntryState.LOADED
    assert not b.system().auth_failed
    await b.advance(30)
    assert cloud.hits > hits + 4  # back to the regular poll interval
    b.verify(offline=0, log="Authentication failed")


async def test_auth_rejected_dismissed_flow_is_not_asked_again(
    make_bench: MakeBench, faulty_cloud: FaultyCloud, freezer: FrozenDateTimeFactory
) -> None:
    """The owner closes the reauth flow: no new one with every check."""
    b = await make_bench(freezer)
    cloud = faulty_cloud
    await b.provider({PANEL: cloud_data(cloud.url)})
    cloud.revoke()
    await b.advance(30)
    (flow,) = reauth_flows(b)
    b.hass.config_entries.flow.async_abort(flow["flow_id"])
    await settle(b.hass)
    hits = cloud.hits
    await b.advance(*[30] * 30)
    assert reauth_flows(b) == []
    assert cloud.hits == hits + 3
    assert b.shown() == REJECTED
    b.verify(offline=0, log="Authentication failed")


async def test_auth_rejected_without_credentials_is_a_repair(
    make_bench: MakeBench, faulty_cloud: FaultyCloud, freezer: FrozenDateTimeFactory
) -> None:
    """A system that sends no credentials is never asked for a token."""
    b = await make_bench(freezer)
    cloud = faulty_cloud
    cloud.auth = "none"
    entry = await b.provider({PANEL: without_credentials(cloud.url)})
    cloud.status = 401  # the provider's API rejects the requests anyway
    await b.advance(30)
    assert b.shown() == REJECTED
    assert reauth_flows(b) == []  # nothing to enter
    assert reauth_issues(b) == [f"auth_without_credentials_{PANEL}"]
    issue = b.issues()[f"auth_without_credentials_{PANEL}"]
    assert issue.translation_placeholders == {
        "system": "Alarm panel",
        "provider": "Acme Alarm",
    }
    hits = cloud.hits
    await b.advance(*[30] * 20)
    assert cloud.hits == hits + 2
    assert len(reauth_issues(b)) == 1

    # a reauth flow started anyway (by hand) shows no form: a clear reason
    result = await entry.start_reauth_flow(b.hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_credentials"
    assert result["description_placeholders"] == {"systems": "Alarm panel"}

    cloud.status = 200
    await b.until(lambda: b.shown() == ONLINE, step=30, limit=300)
    assert reauth_issues(b) == []
    b.verify(offline=0, log="Authentication failed")

    # rejected again, then the provider is unloaded: the repair goes with it
    cloud.status = 403
    await b.advance(30)
    assert len(reauth_issues(b)) == 1
    assert await b.hass.config_entries.async_unload(entry.entry_id)
    assert reauth_issues(b) == []


async def test_reauth_form_asks_only_what_the_rejected_systems_use(
    make_bench: MakeBench, faulty_cloud: FaultyCloud, freezer: FrozenDateTimeFactory
) -> None:
    """Bearer and no-credential systems: the form lists the bearer one, a token."""
    b = await make_bench(freezer)
    cloud = faulty_cloud
    cloud.auth = "none"  # (it would take the token too)
    gateway = without_credentials(cloud.url, id_value="42", path="$.status")
    entry = await b.provider({PANEL: cloud_data(cloud.url), GATEWAY: gateway})
    result = await entry.start_reauth_flow(b.hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    fields = {str(key): key for key in result["data_schema"].schema}
    assert set(fields) == {"system", "token"}
    (selector,) = [
        value
        for key, value in result["data_schema"].schema.items()
        if str(key) == "system"
    ]
    assert [option["value"] for option in selector.config["options"]] == [PANEL]
    b.hass.config_entries.flow.async_abort(result["flow_id"])
    b.verify(offline=0)


def test_secret_field_of_each_system() -> None:
    """Which credential a system sends: only cloud systems that authenticate."""
    assert secret_field({CONF_KIND: "cloud", CONF_AUTH_TYPE: "bearer"}) == CONF_TOKEN
    assert secret_field({CONF_KIND: "cloud", CONF_AUTH_TYPE: "api_key"}) == (
        "header_value"
    )
    assert secret_field({CONF_KIND: "cloud", CONF_AUTH_TYPE: "basic"}) == "password"
    assert secret_field({CONF_KIND: "cloud", CONF_AUTH_TYPE: "none"}) is None
    assert secret_field({CONF_KIND: "cloud"}) is None
    assert secret_field({CONF_KIND: "cloud", CONF_AUTH_TYPE: "oauth9"}) is None
    assert secret_field({CONF_KIND: "http", CONF_AUTH_TYPE: "bearer"}) is None


async def test_reauth_of_a_provider_not_loaded(
    make_bench: MakeBench, faulty_cloud: FaultyCloud, freezer: FrozenDateTimeFactory
) -> None:
    """The same token confirmed while the provider is not set up: it is set up."""
    b = await make_bench(freezer)
    entry = b.provider_entry({PANEL: cloud_data(faulty_cloud.url)})
    entry.add_to_hass(b.hass)  # (not set up)
    b.entry = entry
    result = await entry.start_reauth_flow(b.hass)
    assert result["type"] is FlowResultType.FORM
    result = await b.hass.config_entries.flow.async_configure(
        result["flow_id"], {"system": PANEL, "token": TOKEN}
    )
    assert result["reason"] == "reauth_successful"
    await settle(b.hass)
    assert entry.state is ConfigEntryState.LOADED
    assert b.shown() == ONLINE
    b.verify(offline=0)


# --- item 19: systems added and removed while the provider runs --------------------

NEW_SYSTEMS = ("Door lock", "Gate", "Boiler", "Camera")


async def add_http_system(b: Bench, name: str, url: str) -> str:
    """Add an HTTP system through the subentry flow (not waiting for anything)."""
    assert b.entry is not None
    flows = b.hass.config_entries.subentries
    result = await flows.async_init(
        (b.entry.entry_id, SUBENTRY_SYSTEM), context={"source": SOURCE_USER}
    )
    result = await flows.async_configure(result["flow_id"], {"next_step_id": "http"})
    before = set(b.entry.subentries)
    result = await flows.async_configure(
        result["flow_id"],
        {CONF_NAME: name, CONF_URL: url, CONF_TIMING: {CONF_POLL_INTERVAL: 30}},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    (added,) = set(b.entry.subentries) - before
    return added


def slug(name: str) -> str:
    return name.lower().replace(" ", "_")


def add_during_setup(b: Bench, url: str, title: str) -> list[str]:
    """Add a system the moment the provider's entities come back in its next set-up.

    (A person adding a system while the provider is being set up again.) Returns
    the list the new subentry id is put in.
    """
    assert b.entry is not None
    entry = b.entry
    added: list[str] = []

    @callback
    def on_state(_event: Event[EventStateChangedData]) -> None:
        if added or entry.state is not ConfigEntryState.SETUP_IN_PROGRESS:
            return
        subentry = ConfigSubentry(
            data=MappingProxyType(http_data(url)),
            subentry_type=SUBENTRY_SYSTEM,
            title=title,
            unique_id=None,
        )
        b.hass.config_entries.async_add_subentry(entry, subentry)
        added.append(subentry.subentry_id)

    # (kept across the reload; it stops with the test's Home Assistant)
    async_track_state_change_event(
        b.hass, "binary_sensor.alarm_panel_connectivity", on_state
    )
    return added


async def test_systems_added_back_to_back_are_each_set_up(
    make_bench: MakeBench, faulty_device: FaultyDevice, freezer: FrozenDateTimeFactory
) -> None:
    """Four systems added back to back, then an options change: all of them run.

    One more is added while the options change sets the provider up again.
    """
    b = await make_bench(freezer)
    entry = await b.provider({PANEL: http_data(faulty_device.url)})
    added = [await add_http_system(b, name, faulty_device.url) for name in NEW_SYSTEMS]
    await settle(b.hass)
    late = add_during_setup(b, faulty_device.url, "Heat pump")
    flow = await b.hass.config_entries.options.async_init(entry.entry_id)
    result = await b.hass.config_entries.options.async_configure(
        flow["flow_id"], dict(entry.options) | {"repeat": "45, 120"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await b.advance(1, 1, 1)  # within seconds
    assert len(late) == 1  # added while the provider was being set up again
    added += late
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.settings.alerts.repeat == (45, 120)  # reloaded
    assert set(entry.runtime_data.systems) == {PANEL, *added}
    for name, system_id in zip((*NEW_SYSTEMS, "Heat pump"), added, strict=True):
        assert b.shown(slug(name)) == ONLINE, name  # entities, and checked
        assert b.system(system_id).probes, name
    await b.advance(30)
    for system_id in added:
        assert len(b.system(system_id).probes) >= 2  # and polled from then on
    b.verify(offline=0)


async def test_adding_and_removing_a_system_leaves_its_siblings_alone(
    make_bench: MakeBench,
    faulty_device: FaultyDevice,
    faulty_cloud: FaultyCloud,
    freezer: FrozenDateTimeFactory,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A system added, changed or removed is set up or torn down alone: no reload.

    The alerts and self-heal learn of the systems added (and of those removed).
    """
    b = await make_bench(freezer)
    hass = b.hass
    faulty_cloud.auth = "none"  # the boiler's health URL is open
    entry = await b.provider({PANEL: http_data(faulty_device.url)})
    panel = b.system()
    door, gate = [
        await add_http_system(b, name, faulty_device.url)
        for name in ("Door lock", "Gate")
    ]
    boiler = await add_http_system(b, "Boiler", faulty_cloud.health_url)
    plug = "switch.camera_plug"  # its self-heal target
    camera = ConfigSubentry(
        data=MappingProxyType(http_data(faulty_device.url) | {CONF_HEAL_ENTITY: plug}),
        subentry_type=SUBENTRY_SYSTEM,
        title="Camera",
        unique_id=None,
    )
    hass.config_entries.async_add_subentry(entry, camera)
    await b.advance(1)
    assert b.system() is panel  # not restarted by its new siblings
    assert len(panel.probes) == 1  # nor checked again because of them
    systems = dict(entry.runtime_data.systems)
    assert set(systems) == {PANEL, door, gate, boiler, camera.subentry_id}
    for name in ("Door lock", "Gate", "Boiler", "Camera"):
        assert b.shown(slug(name)) == ONLINE, name
    heal = hass.data[DATA_SELF_HEAL].systems[camera.subentry_id]
    assert heal.system is systems[camera.subentry_id]

    device_of = device_registry.async_get_device_by_identifier
    assert device_of((DOMAIN, gate), entry.entry_id) is not None
    assert hass.config_entries.async_remove_subentry(entry, gate)
    assert hass.config_entries.async_remove_subentry(entry, camera.subentry_id)
    await b.advance(1)
    assert gate not in entry.runtime_data.systems
    assert hass.states.get("binary_sensor.gate_connectivity") is None
    assert device_of((DOMAIN, gate), entry.entry_id) is None
    assert camera.subentry_id not in hass.data[DATA_SELF_HEAL].systems
    for system_id, system in systems.items():
        if system_id not in (gate, camera.subentry_id):
            assert entry.runtime_data.systems[system_id] is system  # the same
    checks = len(systems[gate].probes)
    await b.advance(30, 30)
    assert len(systems[gate].probes) == checks  # never checked again
    assert b.saved_machine(gate) is None
    assert b.shown("door_lock") == ONLINE
    assert entry.state is ConfigEntryState.LOADED

    # a system changed (its settings) is set up again alone, its entities kept
    siblings = {
        sid: system for sid, system in entry.runtime_data.systems.items() if sid != door
    }
    subentry = entry.subentries[door]
    assert hass.config_entries.async_update_subentry(
        entry, subentry, data={**subentry.data, CONF_POLL_INTERVAL: 60}
    )
    await b.advance(1)
    assert entry.runtime_data.systems[door] is not systems[door]
    assert entry.runtime_data.systems[door].timing.poll_interval == 60
    for sid, system in siblings.items():
        assert entry.runtime_data.systems[sid] is system
    assert b.shown("door_lock") == ONLINE
    assert b.system(door).probes  # checked at once

    # a system added later that goes offline: announced and alerted, once
    faulty_cloud.status = 503
    # (a device on the home network: 9 failed checks, re-checked at every step)
    await b.until(lambda: b.shown("boiler")[0] == "off", step=5, limit=120)
    assert b.shown("boiler")[:2] == ("off", "offline")
    await b.advance(30, 30)
    b.verify(offline=1, log="Boiler (Acme Alarm) is offline")
