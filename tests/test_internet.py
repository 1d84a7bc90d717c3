"""The internet check: its flows, its coordinator, and the outage causes it decides.

Every internet entry here probes 127.0.0.1 only: the default public targets are
offered by the form but never submitted (the only_loopback_targets fixture checks this).
"""

import json
from pathlib import Path
import re
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    async_capture_events,
    get_schema_suggested_value,
)

from custom_components.provider_watch.const import (
    DOMAIN,
    EVENT_SYSTEM_OFFLINE,
    EVENT_SYSTEM_ONLINE,
)
from custom_components.provider_watch.monitoring import internet as internet_module
from custom_components.provider_watch.monitoring.internet import (
    DATA_INTERNET,
    DEFAULT_TARGETS,
    INTERNET_INTERVAL,
    INTERNET_RETRY,
    InternetCoordinator,
    is_valid_target,
)
from custom_components.provider_watch.runtime import InternetRuntimeData
from homeassistant.config_entries import (
    SOURCE_SYSTEM,
    SOURCE_USER,
    ConfigEntry,
    ConfigEntryState,
)
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import Event, EventStateChangedData, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr, entity_registry as er
from testkit.simulated import LOCALHOST, SimulatedDevice, free_port

from .helpers import (
    INTERNET,
    SYSTEM_ID,
    advance,
    internet_entries,
    provider_entries,
    settle,
    setup_http_provider,
    setup_internet,
    state,
)

CAUSE = "sensor.alarm_panel_outage_cause"
CONNECTIVITY = "binary_sensor.alarm_panel_connectivity"

pytestmark = pytest.mark.usefixtures("only_loopback_targets")


# --- helpers -------------------------------------------------------------------------


def tcp_target(server: SimulatedDevice) -> str:
    return f"{LOCALHOST}:{server.port}"


def closed_target() -> str:
    return f"{LOCALHOST}:{free_port()}"


def coordinator_of(entry: ConfigEntry) -> InternetCoordinator:
    runtime = entry.runtime_data
    assert isinstance(runtime, InternetRuntimeData)
    return runtime.check


async def start_provider_flow(hass: HomeAssistant, name: str) -> dict[str, Any]:
    """A new provider's flow, its name entered."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    return dict(
        await hass.config_entries.flow.async_configure(
            result["flow_id"], {"name": name}
        )
    )


async def take_system_offline(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, device: SimulatedDevice
) -> None:
    """The HTTP system fails three probes (30 s poll, then 5 s retries)."""
    await device.stop()
    await advance(hass, freezer, 30, 5)
    assert state(hass, CONNECTIVITY) == STATE_ON
    await advance(hass, freezer, 5)
    assert state(hass, CONNECTIVITY) == STATE_OFF


async def take_internet_down(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, upstream: SimulatedDevice
) -> None:
    """Every target fails twice: a regular check, then the 5 s retry."""
    await upstream.stop()
    await advance(hass, freezer, 30)
    assert state(hass, INTERNET) == STATE_ON
    await advance(hass, freezer, 5)
    assert state(hass, INTERNET) == STATE_OFF


async def system_down_internet_up(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> ConfigEntry:
    """The internet check answers and the system is offline: its own fault."""
    internet = await setup_internet(hass, tcp_target(upstream))
    await setup_http_provider(hass, device.url)
    await take_system_offline(hass, freezer, device)
    assert state(hass, CAUSE) == "system"
    return internet


async def staggered_checks(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> ConfigEntry:
    """Internet checks at +0, +30, +60 s; system probes at +5, +35, +40, +45 s.

    Returns at +30 s, right after the regular internet check.
    """
    internet = await setup_internet(hass, upstream.url)
    await advance(hass, freezer, 5)
    await setup_http_provider(hass, device.url)
    await advance(hass, freezer, 25)
    assert upstream.requests == 2  # the regular check at +30
    return internet


# --- target validation ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "valid"),
    [
        ("127.0.0.1:53", True),
        (" 127.0.0.1:53 ", True),
        ("[::1]:53", True),
        ("dns.example:853", True),
        ("http://127.0.0.1:8080/x", True),
        ("https://www.example.com/generate_204", True),
        ("", False),
        ("nonsense", False),
        ("host:99999", False),
        ("host:0", False),
        ("host:", False),
        (":53", False),
        ("host:port", False),
        ("1.2.3.999:53", False),
        ("ftp://x", False),
        ("http://", False),
    ],
)
def test_is_valid_target(target: str, valid: bool) -> None:
    assert is_valid_target(target) is valid


# --- the provider flow sets up the internet check -------------------------------------


async def test_first_provider_sets_up_internet_check(
    hass: HomeAssistant, upstream: SimulatedDevice, device_registry: dr.DeviceRegistry
) -> None:
    result = await start_provider_flow(hass, "Acme Alarm")
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "internet"
    assert result["errors"] == {}
    # the public defaults are offered (and never submitted here)
    suggested = get_schema_suggested_value(result["data_schema"].schema, "targets")
    assert suggested == list(DEFAULT_TARGETS)

    targets = [tcp_target(upstream), upstream.url]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"targets": [f"  {targets[0]} ", "", targets[1]]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Acme Alarm"
    assert result["data"] == {"name": "Acme Alarm"}
    await settle(hass)

    [provider] = provider_entries(hass)
    assert provider.state is ConfigEntryState.LOADED
    [internet] = internet_entries(hass)
    assert internet.unique_id == "internet"
    assert internet.source == SOURCE_SYSTEM
    assert internet.title == "Internet connection"
    assert internet.data == {"entry_type": "internet"}
    assert internet.options == {"targets": targets}  # cleaned: stripped, no blanks
    assert internet.state is ConfigEntryState.LOADED
    assert coordinator_of(internet).targets == tuple(targets)
    assert state(hass, INTERNET) == STATE_ON
    assert upstream.requests == 1  # the URL target was fetched once
    assert hass.data[DATA_INTERNET] is coordinator_of(internet)
    # the provider's device is not the internet check's device
    internet_device = device_registry.async_get_device_by_identifier(
        (DOMAIN, internet.entry_id), internet.entry_id
    )
    assert internet_device is not None
    assert internet_device.name == "Internet connection"


async def test_second_provider_skips_internet_step(
    hass: HomeAssistant, upstream: SimulatedDevice
) -> None:
    internet = await setup_internet(hass, tcp_target(upstream))
    result = await start_provider_flow(hass, "Beta Security")
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Beta Security"
    await settle(hass)
    assert internet_entries(hass) == [internet]
    assert internet.options == {"targets": [tcp_target(upstream)]}


async def test_internet_step_when_check_appeared_meanwhile(
    hass: HomeAssistant, upstream: SimulatedDevice
) -> None:
    """Two flows started before either finished: only one internet check."""
    first = await start_provider_flow(hass, "Acme Alarm")
    assert first["step_id"] == "internet"
    internet = await setup_internet(hass, tcp_target(upstream))

    result = await hass.config_entries.flow.async_configure(
        first["flow_id"], {"targets": [closed_target()]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await settle(hass)
    assert internet_entries(hass) == [internet]
    assert internet.options == {"targets": [tcp_target(upstream)]}  # untouched
    assert len(provider_entries(hass)) == 1


@pytest.mark.parametrize(
    "targets",
    [
        pytest.param([], id="none"),
        pytest.param([""], id="blank"),
        pytest.param(["   "], id="spaces"),
        pytest.param(["nonsense"], id="no port"),
        pytest.param(["host:99999"], id="port too big"),
        pytest.param(["ftp://x"], id="ftp"),
        pytest.param([f"{LOCALHOST}:53", "ftp://x"], id="one bad among good"),
    ],
)
async def test_internet_step_rejects_invalid_targets(
    hass: HomeAssistant, upstream: SimulatedDevice, targets: list[str]
) -> None:
    result = await start_provider_flow(hass, "Acme Alarm")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"targets": targets}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "internet"
    assert result["errors"] == {"targets": "invalid_target"}
    # what was typed stays in the form
    suggested = get_schema_suggested_value(result["data_schema"].schema, "targets")
    assert suggested == targets
    assert hass.config_entries.async_entries(DOMAIN) == []

    # corrected: both entries are created
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"targets": [tcp_target(upstream)]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await settle(hass)
    assert len(internet_entries(hass)) == 1
    assert len(provider_entries(hass)) == 1


async def test_system_step_twice_aborts(
    hass: HomeAssistant, upstream: SimulatedDevice
) -> None:
    data = {"targets": [tcp_target(upstream)]}
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_SYSTEM}, data=data
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["options"] == data
    await settle(hass)

    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_SYSTEM}, data={"targets": [closed_target()]}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    [internet] = internet_entries(hass)
    assert internet.options == data


# --- the internet check's own flows ---------------------------------------------------


async def test_options_change_targets(
    hass: HomeAssistant, upstream: SimulatedDevice
) -> None:
    closed = closed_target()
    entry = await setup_internet(hass, closed)
    assert coordinator_of(entry).targets == (closed,)

    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    suggested = get_schema_suggested_value(result["data_schema"].schema, "targets")
    assert suggested == [closed]

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"targets": ["nonsense", upstream.url]}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"targets": "invalid_target"}
    suggested = get_schema_suggested_value(result["data_schema"].schema, "targets")
    assert suggested == ["nonsense", upstream.url]

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"targets": [f" {upstream.url} ", "", tcp_target(upstream)]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await settle(hass)
    assert entry.options == {"targets": [upstream.url, tcp_target(upstream)]}
    # the entry was reloaded with the new targets, which answer
    assert entry.state is ConfigEntryState.LOADED
    coordinator = coordinator_of(entry)
    assert coordinator.targets == (upstream.url, tcp_target(upstream))
    assert hass.data[DATA_INTERNET] is coordinator
    assert coordinator.data.reachable == (upstream.url, tcp_target(upstream))
    assert state(hass, INTERNET) == STATE_ON


@pytest.mark.parametrize(
    "targets",
    [[], [""], ["nonsense"], ["host:99999"], ["ftp://x"]],
)
async def test_options_reject_invalid_targets(
    hass: HomeAssistant, upstream: SimulatedDevice, targets: list[str]
) -> None:
    entry = await setup_internet(hass, tcp_target(upstream))
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"targets": targets}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"targets": "invalid_target"}
    assert entry.options == {"targets": [tcp_target(upstream)]}


async def test_options_form_fills_its_description_placeholders(
    hass: HomeAssistant, upstream: SimulatedDevice
) -> None:
    strings = json.loads(
        (
            Path(internet_module.__file__).parent.parent / "translations" / "en.json"
        ).read_text()
    )
    description = strings["options"]["step"]["init"]["description"]
    needed = set(re.findall(r"{(\w+)}", description))
    entry = await setup_internet(hass, tcp_target(upstream))
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["step_id"] == "init"
    assert needed <= set(result["description_placeholders"] or {})


async def test_reconfigure_internet_entry_aborts(
    hass: HomeAssistant, upstream: SimulatedDevice
) -> None:
    entry = await setup_internet(hass, tcp_target(upstream))
    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "internet_use_options"
    assert entry.options == {"targets": [tcp_target(upstream)]}


async def test_internet_entry_has_no_subentry_types(
    hass: HomeAssistant, upstream: SimulatedDevice, device: SimulatedDevice
) -> None:
    internet = await setup_internet(hass, tcp_target(upstream))
    provider = await setup_http_provider(hass, device.url)
    assert internet.supported_subentry_types == {}
    assert set(provider.supported_subentry_types) == {"system"}


# --- the internet coordinator ---------------------------------------------------------


async def test_internet_on_while_any_target_answers(
    hass: HomeAssistant,
    upstream: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
) -> None:
    open_target, closed = tcp_target(upstream), closed_target()
    entry = await setup_internet(hass, open_target, closed)
    coordinator = coordinator_of(entry)
    assert state(hass, INTERNET) == STATE_ON
    assert coordinator.data.reachable == (open_target,)
    assert coordinator.update_interval == INTERNET_INTERVAL
    registry_entry = entity_registry.async_get(INTERNET)
    assert registry_entry is not None
    assert registry_entry.unique_id == f"{entry.entry_id}_internet"
    assert registry_entry.original_device_class == "connectivity"

    # one target keeps answering: on, every 30 s
    for _ in range(3):
        await advance(hass, freezer, 30)
        assert state(hass, INTERNET) == STATE_ON
        assert coordinator.update_interval == INTERNET_INTERVAL

    # every target fails: still on after the first failed check, re-checked in 5 s
    await upstream.stop()
    await advance(hass, freezer, 30)
    assert state(hass, INTERNET) == STATE_ON
    assert coordinator.data.reachable == ()
    assert coordinator.update_interval == INTERNET_RETRY
    await advance(hass, freezer, 5)
    assert state(hass, INTERNET) == STATE_OFF
    assert coordinator.update_interval == INTERNET_INTERVAL
    assert coordinator.data.machine.reason == "no target answered"
    # nothing is checked again before the regular interval
    await advance(hass, freezer, 5)
    assert state(hass, INTERNET) == STATE_OFF

    # one success is enough to be back
    await upstream.start()
    await advance(hass, freezer, 25)
    assert state(hass, INTERNET) == STATE_ON
    assert coordinator.data.reachable == (open_target,)


async def test_any_http_answer_counts(
    hass: HomeAssistant, upstream: SimulatedDevice, freezer: FrozenDateTimeFactory
) -> None:
    """An HTTP target is reachable whatever status it answers with."""
    upstream.status = 503
    entry = await setup_internet(hass, upstream.url)
    assert state(hass, INTERNET) == STATE_ON
    upstream.status = 404
    await advance(hass, freezer, 30)
    assert state(hass, INTERNET) == STATE_ON
    assert coordinator_of(entry).data.reachable == (upstream.url,)
    assert upstream.requests == 2

    await upstream.stop()
    await advance(hass, freezer, 30, 5)
    assert state(hass, INTERNET) == STATE_OFF


async def test_blip_of_one_failed_check_is_ignored(
    hass: HomeAssistant, upstream: SimulatedDevice, freezer: FrozenDateTimeFactory
) -> None:
    entry = await setup_internet(hass, tcp_target(upstream))
    changes: list[Event[EventStateChangedData]] = []
    hass.bus.async_listen("state_changed", changes.append)
    await upstream.stop()
    await advance(hass, freezer, 30)  # first failure: suspect
    await upstream.start()
    await advance(hass, freezer, 5)  # the retry succeeds
    assert state(hass, INTERNET) == STATE_ON
    assert coordinator_of(entry).update_interval == INTERNET_INTERVAL
    assert all(change.data["new_state"].state == STATE_ON for change in changes)


async def test_first_check_failing_is_not_reported_up(
    hass: HomeAssistant, socket_enabled: None, freezer: FrozenDateTimeFactory
) -> None:
    """No target has ever answered: the internet is not "up" while it is suspect."""
    entry = await setup_internet(hass, closed_target(), closed_target())
    assert coordinator_of(entry).update_interval == INTERNET_RETRY
    assert state(hass, INTERNET) == STATE_UNKNOWN
    await advance(hass, freezer, 5)
    assert state(hass, INTERNET) == STATE_OFF


async def test_internet_device(
    hass: HomeAssistant,
    upstream: SimulatedDevice,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    entry = await setup_internet(hass, tcp_target(upstream))
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, entry.entry_id), entry.entry_id
    )
    assert device is not None
    assert device.name == "Internet connection"
    assert device.entry_type is dr.DeviceEntryType.SERVICE
    assert device.config_entry_id == entry.entry_id
    entities = er.async_entries_for_device(entity_registry, device.id)
    # the connectivity sensor, and the integration-wide Self-heal switch
    self_heal = "switch.internet_connection_self_heal"
    assert sorted(e.entity_id for e in entities) == [INTERNET, self_heal]
    assert {e.config_entry_id for e in entities} == {entry.entry_id}
    assert {
        e.domain
        for e in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    } == {"binary_sensor", "switch"}


async def test_unload_and_reload(
    hass: HomeAssistant, upstream: SimulatedDevice
) -> None:
    entry = await setup_internet(hass, tcp_target(upstream))
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert DATA_INTERNET not in hass.data
    assert state(hass, INTERNET) == STATE_UNAVAILABLE

    assert await hass.config_entries.async_setup(entry.entry_id)
    await settle(hass)
    assert hass.data[DATA_INTERNET] is coordinator_of(entry)
    assert state(hass, INTERNET) == STATE_ON


# --- outage causes --------------------------------------------------------------------


async def test_cause_follows_the_internet(
    hass: HomeAssistant,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
) -> None:
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    online = async_capture_events(hass, EVENT_SYSTEM_ONLINE)
    await setup_internet(hass, tcp_target(upstream))
    await setup_http_provider(hass, device.url)
    cause_entry = entity_registry.async_get(CAUSE)
    assert cause_entry is not None
    assert cause_entry.unique_id == f"{SYSTEM_ID}_cause"
    assert state(hass, CAUSE) == "none"  # online: no cause

    # the system fails while the internet works: the system itself
    await take_system_offline(hass, freezer, device)
    assert state(hass, CAUSE) == "system"
    assert len(offline) == 1
    assert offline[0].data["cause"] == "system"

    # then the internet goes down too: re-judged, without a new offline event
    await take_internet_down(hass, freezer, upstream)
    assert state(hass, CAUSE) == "internet"
    assert state(hass, CONNECTIVITY) == STATE_OFF

    # the internet is back, the system is still down: the system again
    await upstream.start()
    await advance(hass, freezer, 30)
    assert state(hass, INTERNET) == STATE_ON
    assert state(hass, CAUSE) == "system"
    assert len(offline) == 1

    # the system recovers: no cause any more
    await device.start()
    await advance(hass, freezer, 30, 30, 5)
    assert state(hass, CONNECTIVITY) == STATE_ON
    assert state(hass, CAUSE) == "none"
    assert len(online) == 1
    assert "cause" not in online[0].data


async def test_offline_while_internet_down_blames_internet(
    hass: HomeAssistant,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
) -> None:
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    await setup_internet(hass, tcp_target(upstream))
    await setup_http_provider(hass, device.url)
    await upstream.stop()
    await device.stop()
    await advance(hass, freezer, 30, 5)
    assert state(hass, INTERNET) == STATE_OFF
    await advance(hass, freezer, 5)
    assert state(hass, CONNECTIVITY) == STATE_OFF
    assert state(hass, CAUSE) == "internet"
    assert [event.data["cause"] for event in offline] == ["internet"]


async def test_first_system_failure_rechecks_the_internet(
    hass: HomeAssistant,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Both fail right after a regular internet check: the system's first failure
    has the internet re-checked, so the outage is blamed on the internet in time.
    """
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    internet = await staggered_checks(hass, freezer, device, upstream)
    await upstream.stop()
    await device.stop()

    await advance(hass, freezer, 5)  # +35: the system's first failure
    assert state(hass, CONNECTIVITY) == STATE_ON
    assert coordinator_of(internet).data.reachable == ()  # re-checked at once
    assert coordinator_of(internet).update_interval == INTERNET_RETRY
    await advance(hass, freezer, 5)  # +40: the internet's second failure
    assert state(hass, INTERNET) == STATE_OFF
    await advance(hass, freezer, 5)  # +45: the system's third failure
    assert state(hass, CONNECTIVITY) == STATE_OFF
    assert [event.data["cause"] for event in offline] == ["internet"]
    assert state(hass, CAUSE) == "internet"


async def test_later_failures_do_not_recheck_the_internet(
    hass: HomeAssistant,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
) -> None:
    await staggered_checks(hass, freezer, device, upstream)
    await device.stop()
    await advance(hass, freezer, 5)  # +35: first failure, one extra check
    assert upstream.requests == 3
    await advance(hass, freezer, 5)  # +40: second failure
    await advance(hass, freezer, 5)  # +45: third failure, offline
    assert state(hass, CONNECTIVITY) == STATE_OFF
    assert upstream.requests == 3
    # the re-check restarted the 30 s interval: next regular check at +65
    await advance(hass, freezer, 15)
    assert upstream.requests == 3
    await advance(hass, freezer, 5)
    assert upstream.requests == 4
    assert state(hass, CAUSE) == "system"


async def test_cause_unknown_without_internet_check(
    hass: HomeAssistant, device: SimulatedDevice, freezer: FrozenDateTimeFactory
) -> None:
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    await setup_http_provider(hass, device.url)
    assert internet_entries(hass) == []
    await take_system_offline(hass, freezer, device)
    assert state(hass, CAUSE) == "unknown"
    assert offline[0].data["cause"] == "unknown"


async def test_unloading_internet_check_rejudges_causes(
    hass: HomeAssistant,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
) -> None:
    internet = await system_down_internet_up(hass, freezer, device, upstream)

    assert await hass.config_entries.async_unload(internet.entry_id)
    await hass.async_block_till_done()
    assert state(hass, CAUSE) == "unknown"

    # set up again: known again once its first check answers
    assert await hass.config_entries.async_setup(internet.entry_id)
    await settle(hass)
    assert state(hass, CAUSE) == "system"

    # removed for good: unknown again
    assert await hass.config_entries.async_remove(internet.entry_id)
    await hass.async_block_till_done()
    assert state(hass, CAUSE) == "unknown"


async def test_changing_targets_rejudges_causes(
    hass: HomeAssistant,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
) -> None:
    """New targets that do not answer: after two checks the internet is blamed."""
    internet = await system_down_internet_up(hass, freezer, device, upstream)

    result = await hass.config_entries.options.async_init(internet.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"targets": [closed_target()]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await settle(hass)
    assert state(hass, CAUSE) == "unknown"  # the new check has no verdict yet
    await advance(hass, freezer, 5)
    assert state(hass, INTERNET) == STATE_OFF
    assert state(hass, CAUSE) == "internet"
