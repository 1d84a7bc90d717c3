"""Numbers that are no numbers: NaN and infinity (issue 15, item 18).

Home Assistant's number selector turns a typed "nan" into NaN, which passes its
min/max checks (every comparison with NaN is false). Such a timing value once made
a system whose provider failed its set-up on every start ("cannot convert float NaN
to integer" in the coordinator's interval): every system of that provider went
unmonitored. Every numeric field of every form refuses NaN and infinity with a form
error, and a bad value already stored never stops the provider's other systems.
"""

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.provider_watch.const import DOMAIN
from custom_components.provider_watch.logic.self_heal import (
    DEFAULT_ATTEMPTS,
    DEFAULT_DELAY,
)
from custom_components.provider_watch.logic.timing import HOME_NETWORK
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir

from .helpers import (
    configure,
    http_system,
    internet_entry,
    open_options,
    provider_entry,
    setup_entry,
    start_system_flow,
    state,
    submit_options,
)
from .provider_cloud import ProviderCloud

NOT_NUMBERS = ["nan", "inf", "-inf", float("nan")]
CLOSED_URL = "http://127.0.0.1:9/status"
TIMING = {
    "poll_interval": 60,
    "timeout": 5,
    "retry_interval": 10,
    "failures_before_offline": 3,
    "successes_before_online": 1,
}
HEAL = {
    "heal_entity": "switch.panel_plug",
    "heal_delay": 60,
    "heal_attempts": 1,
    "heal_daily_max": 3,
    "heal_off_time": 10,
    "heal_recheck": 120,
    "heal_notify": "quiet",
}


def form_of(kind: str, cloud_url: str) -> dict[str, Any]:
    """A valid submission of the form of each kind (self-heal included)."""
    base: dict[str, Any] = {"name": "Panel", "self_heal": dict(HEAL)}
    match kind:
        case "icmp":
            return base | {"host": "127.0.0.1", "timing": dict(TIMING)}
        case "tcp":
            return base | {"host": "127.0.0.1", "port": 9, "timing": dict(TIMING)}
        case "http":
            return base | {
                "url": CLOSED_URL,
                "expected_status": "200-299",
                "timing": dict(TIMING),
            }
        case "cloud":
            return base | {
                "url": cloud_url,
                "auth": {"auth_type": "bearer", "token": "tok-3f9a1c7e5b2d4e60"},
                "rule": {"path": "$.count", "comparison": "truthy"},
                "checkin": {
                    "checkin_path": "$.devices[0].last_seen",
                    "max_age": 600,
                    "quiet_at_night": False,
                },
                "second_endpoint": {},
                "timing": dict(TIMING),
            }
        case "entities":
            return base | {
                "entities": ["binary_sensor.acme_hub_connectivity"],
                "grace": 300,
                "max_silence": 600,
            }
        case _:
            return base | {"period": 300, "grace": 60}


# (kind, section or None, field): every numeric field of every system form
SYSTEM_NUMBERS = [
    *(
        (kind, "timing", field)
        for kind in ("icmp", "tcp", "http", "cloud")
        for field in TIMING
    ),
    ("tcp", None, "port"),
    ("cloud", "checkin", "max_age"),
    ("entities", None, "grace"),
    ("entities", None, "max_silence"),
    ("heartbeat", None, "period"),
    ("heartbeat", None, "grace"),
    *(
        (kind, "self_heal", field)
        for kind in ("http", "heartbeat")
        for field in HEAL
        if field not in ("heal_entity", "heal_notify")
    ),
]


@pytest.fixture
async def provider(hass: HomeAssistant, socket_enabled: None) -> MockConfigEntry:
    return await setup_entry(hass, provider_entry({}))


@pytest.mark.parametrize("value", NOT_NUMBERS, ids=["nan", "inf", "-inf", "NaN"])
@pytest.mark.parametrize(
    ("kind", "where", "field"),
    SYSTEM_NUMBERS,
    ids=[f"{kind}-{field}" for kind, _where, field in SYSTEM_NUMBERS],
)
async def test_system_form_refuses_what_is_no_number(
    hass: HomeAssistant,
    cloud: ProviderCloud,
    provider: MockConfigEntry,
    kind: str,
    where: str | None,
    field: str,
    value: Any,
) -> None:
    """A form error on the field; nothing is created (nor fetched)."""
    form = form_of(kind, cloud.url)
    (form[where] if where else form)[field] = value
    result = await start_system_flow(hass, provider, kind)
    result = await configure(hass, result["flow_id"], form)
    assert result["type"] is FlowResultType.FORM, result
    assert result["errors"].get(field) == "not_a_number", result["errors"]
    assert provider.subentries == {}
    assert cloud.requests == []


@pytest.mark.parametrize("value", NOT_NUMBERS, ids=["nan", "inf", "-inf", "NaN"])
@pytest.mark.parametrize(
    "field",
    [
        f
        for f in HEAL
        if f.startswith("heal_") and f not in ("heal_entity", "heal_notify")
    ],
)
async def test_self_heal_numbers_without_a_target(
    hass: HomeAssistant, provider: MockConfigEntry, field: str, value: Any
) -> None:
    """Without a target entity the section is not kept, but what is typed there is
    still checked: a form error, never an exception."""
    form = form_of("http", CLOSED_URL)
    form["self_heal"] = {field: value}
    result = await start_system_flow(hass, provider, "http")
    result = await configure(hass, result["flow_id"], form)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {field: "not_a_number"}


@pytest.mark.parametrize("value", NOT_NUMBERS, ids=["nan", "inf", "-inf", "NaN"])
@pytest.mark.parametrize(
    ("section", "field", "error"),
    [
        (None, "escalate_after", "not_a_number"),
        ("contract", "monthly_fee", "invalid_fee"),
    ],
)
async def test_provider_options_refuse_what_is_no_number(
    hass: HomeAssistant,
    provider: MockConfigEntry,
    section: str | None,
    field: str,
    error: str,
    value: Any,
) -> None:
    form: dict[str, Any] = {"escalation_phones": ["phone"]}
    if section:
        form[section] = {field: value}
    else:
        form[field] = value
    result = await open_options(hass, provider)
    result = await submit_options(hass, result["flow_id"], form)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"][field] == error
    assert provider.options == {}


@pytest.mark.parametrize("value", NOT_NUMBERS, ids=["nan", "inf", "-inf", "NaN"])
async def test_outbound_interval_refuses_what_is_no_number(
    hass: HomeAssistant, socket_enabled: None, value: Any
) -> None:
    entry = await setup_entry(hass, internet_entry("127.0.0.1:9"))
    result = await open_options(hass, entry)
    result = await submit_options(
        hass,
        result["flow_id"],
        {
            "targets": ["127.0.0.1:9"],
            "outbound_url": "http://127.0.0.1:9/ping",
            "outbound_interval": value,
        },
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"outbound_interval": "not_a_number"}


# --- a bad value already stored -------------------------------------------------------

NAN = float("nan")


async def test_stored_nan_never_stops_the_other_systems(
    hass: HomeAssistant, socket_enabled: None
) -> None:
    """NaN stored in subentries (a hand edit, an older version): the provider loads,
    its good systems are monitored, a bad timing falls back to the defaults, and a
    system whose own settings cannot be used gets a repair issue naming it."""
    systems = {
        "system_alarm_panel": http_system(CLOSED_URL),
        "system_bad_timing": http_system(
            CLOSED_URL,
            poll_interval=NAN,
            timeout=float("inf"),
            retry_interval=-1,
            failures_before_offline=NAN,
            successes_before_online="two",
            heal_entity="switch.panel_plug",
            heal_delay=NAN,
            heal_attempts=float("inf"),
        ),
        "system_bad_port": {"kind": "tcp", "host": "127.0.0.1", "port": NAN},
        "system_bad_period": {
            "kind": "heartbeat",
            "period": NAN,
            "grace": 60,
            "local_only": True,
            "webhook_id": "0" * 64,
        },
    }
    entry = provider_entry(systems, options={"escalate_after": NAN})
    await setup_entry(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    runtime = entry.runtime_data
    # the good system is checked as usual
    assert state(hass, "binary_sensor.alarm_panel_connectivity") in ("on", "off")
    assert state(hass, "sensor.alarm_panel_status") == "pending"
    # bad timing: the defaults (of a device on the home network: 127.0.0.1)
    bad = runtime.systems["system_bad_timing"]
    assert bad.timing.poll_interval == HOME_NETWORK.poll_interval
    assert bad.timing.timeout == HOME_NETWORK.timeout
    assert bad.timing.retry_interval == HOME_NETWORK.retry_interval
    assert (
        bad.timing.thresholds.failures_before_offline
        == HOME_NETWORK.failures_before_offline
    )
    assert bad.timing.thresholds.successes_before_online == 2
    assert bad.settings.heal is not None
    assert bad.settings.heal.settings.delay == DEFAULT_DELAY
    assert bad.settings.heal.settings.attempts == DEFAULT_ATTEMPTS
    assert state(hass, "sensor.bad_timing_status") == "pending"  # checked
    # the kinds' own values: a repair issue names each system
    issues = ir.async_get(hass).issues
    for system_id, name in (
        ("system_bad_port", "Bad port"),
        ("system_bad_period", "Bad period"),
    ):
        issue = issues[(DOMAIN, f"system_settings_invalid_{system_id}")]
        assert issue.translation_placeholders["system"] == name
    assert (DOMAIN, "system_settings_invalid_system_alarm_panel") not in issues
