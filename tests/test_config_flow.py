"""Config flow: providers (entries) and their monitored systems (subentries)."""

from collections.abc import Generator
import json
from pathlib import Path
import re
from typing import Any
from unittest.mock import AsyncMock, patch

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
)

from custom_components.provider_watch import config_flow
from custom_components.provider_watch.config_flow import PROVIDER_SCHEMA
from custom_components.provider_watch.const import (
    CONF_EXPECTED_STATUS,
    CONF_FAILURES_BEFORE_OFFLINE,
    CONF_HOST,
    CONF_KEYWORD,
    CONF_KIND,
    CONF_NAME,
    CONF_POLL_INTERVAL,
    CONF_PORT,
    CONF_RETRY_INTERVAL,
    CONF_SUCCESSES_BEFORE_ONLINE,
    CONF_SUPPORT_PHONE,
    CONF_SUPPORT_URL,
    CONF_TIMEOUT,
    CONF_TIMING,
    CONF_URL,
    CONF_VERIFY_TLS,
    DOMAIN,
    SUBENTRY_SYSTEM,
    SystemKind,
)
from custom_components.provider_watch.kinds import (
    KINDS,
    system_schema,
    validate_system,
)
from custom_components.provider_watch.kinds.base import Kind
from custom_components.provider_watch.kinds.form import TIMING_SCHEMA
from custom_components.provider_watch.logic.timing import HOME_NETWORK
from custom_components.provider_watch.subentry_flow import SystemSubentryFlow
from homeassistant.config_entries import (
    SOURCE_IGNORE,
    SOURCE_USER,
    ConfigEntryState,
    ConfigSubentry,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData, section

from .helpers import (
    SYSTEM_ID,
    configure,
    http_system,
    internet_entries,
    internet_entry,
    new_subentry,
    provider_entries,
    provider_entry,
    setup_entry,
    start_system_flow,
    start_system_reconfigure,
    submit_system_form,
    suggested,
)

COMPONENT = Path(config_flow.__file__).parent
# Nothing listens on the discard port of the loopback address: probes of the
# systems created here fail fast and never leave 127.0.0.1.
CLOSED_URL = "http://127.0.0.1:9/status"
LOOPBACK = "127.0.0.1"
# the polled kinds with nothing between their form and the entry (ping, TCP, HTTP;
# the cloud's form is followed by its test step)
POLLED_KINDS = tuple(
    kind for kind, spec in KINDS.items() if spec.polled and spec.next_step is None
)
CLOSED_PORT = 9

GATEWAY_ID = "system_gateway"  # title "Gateway"
ROUTER_ID = "system_router"  # title "Router"

PROVIDER_ERRORS = {
    "invalid_name",
    "invalid_phone",
    "invalid_url",
    "name_exists",
    "invalid_target",
    "missing_credentials",
    "unknown_system",
    "invalid_headers",  # reauth: secret headers (issue 20)
    "no_devices",
}
OPTIONS_ERRORS = {
    "invalid_target",
    "invalid_url",
    "status_page_unreadable",
    "invalid_repeat",
    "quiet_hours_incomplete",
    "invalid_duration",
    "escalation_needs_phones",
    # the contract section (tests/test_cost.py)
    "invalid_fee",
    "negative_fee",
    "invalid_currency",
    "invalid_date",
    "not_a_number",  # NaN or infinity (issue 15, item 18)
}
SYSTEM_ERRORS = {
    "invalid_name",
    "invalid_host",
    "invalid_port",
    "invalid_url",
    "invalid_status_codes",
    "timeout_not_below_interval",
    "invalid_threshold",
    "invalid_duration",
    "no_entities",
    "no_device",
    "own_device",
    "name_exists",
    "invalid_timezone",
    "invalid_template",
    "invalid_path",
    "missing_credentials",
    "no_rule",
    "expected_required",
    "incomplete_filter",
    # the self-heal section
    "invalid_heal_entity",
    "invalid_heal_number",
    "invalid_heal_notify",
    # issue 15: NaN or infinity; the cloud test step's refusals
    "not_a_number",
    "template_too_slow",
    "path_refused",
    # issue 20: headers, the login, the check-in format, ambiguous paths
    "invalid_headers",
    "duplicate_header",
    "login_without_password",
    "invalid_token_header",
    "invalid_time_format",
    "path_ambiguous",
    "checkin_unreadable",
}


def timing(**overrides: Any) -> dict[str, Any]:
    """The timing section as the form submits it."""
    return {
        CONF_POLL_INTERVAL: 30,
        CONF_TIMEOUT: 5,
        CONF_RETRY_INTERVAL: 3,
        CONF_FAILURES_BEFORE_OFFLINE: 7,
        CONF_SUCCESSES_BEFORE_ONLINE: 2,
    } | overrides


def flat_timing(**overrides: Any) -> dict[str, Any]:
    """Timing as a subentry stores it."""
    return timing(**overrides)


def system_input(kind: SystemKind, **overrides: Any) -> dict[str, Any]:
    """A valid submission of the form of a system kind."""
    base: dict[str, Any] = {CONF_NAME: "New system", CONF_TIMING: timing()}
    if kind is SystemKind.ICMP:
        base[CONF_HOST] = LOOPBACK
    elif kind is SystemKind.TCP:
        base |= {CONF_HOST: LOOPBACK, CONF_PORT: CLOSED_PORT}
    else:
        base |= {
            CONF_URL: CLOSED_URL,
            CONF_EXPECTED_STATUS: "200-299",
            CONF_VERIFY_TLS: True,
        }
    return base | overrides


def tcp_system(**overrides: Any) -> dict[str, Any]:
    return {
        CONF_KIND: "tcp",
        CONF_HOST: LOOPBACK,
        CONF_PORT: CLOSED_PORT,
        **flat_timing(),
    } | overrides


def icmp_system(**overrides: Any) -> dict[str, Any]:
    return {CONF_KIND: "icmp", CONF_HOST: LOOPBACK, **flat_timing()} | overrides


@pytest.fixture
def mock_setup() -> Generator[AsyncMock]:
    """Keep the integration's setup out of the provider flow tests."""
    with (
        patch(
            "custom_components.provider_watch.async_setup_entry", return_value=True
        ) as setup_entry_mock,
        patch("custom_components.provider_watch.async_setup", return_value=True),
    ):
        yield setup_entry_mock


@pytest.fixture
async def loaded_provider(hass: HomeAssistant, socket_enabled: None) -> MockConfigEntry:
    """A set-up provider with an HTTP system "Alarm panel" and a TCP "Gateway"."""
    systems = {
        SYSTEM_ID: http_system(CLOSED_URL, keyword="OK"),
        GATEWAY_ID: tcp_system(),
    }
    return await setup_entry(hass, provider_entry(systems))


@pytest.fixture
async def provider_with_router(
    hass: HomeAssistant, socket_enabled: None
) -> MockConfigEntry:
    """As loaded_provider, and an ICMP system "Router" (slower: it pings)."""
    systems = {
        SYSTEM_ID: http_system(CLOSED_URL),
        GATEWAY_ID: tcp_system(),
        ROUTER_ID: icmp_system(),
    }
    return await setup_entry(hass, provider_entry(systems))


def provider_setups(mock: AsyncMock) -> int:
    """How often the (mocked) setup ran for a provider entry."""
    return sum(
        1
        for call in mock.await_args_list
        if call.args[1].data.get("entry_type") != "internet"
    )


async def start_provider_flow(hass: HomeAssistant) -> dict[str, Any]:
    """Start the provider flow with the internet check already set up."""
    if not internet_entries(hass):
        internet_entry().add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    return dict(result)


async def submit_provider_form(
    hass: HomeAssistant, user_input: dict[str, Any]
) -> dict[str, Any]:
    """Start the provider flow and submit its form once."""
    result = await start_provider_flow(hass)
    return dict(
        await hass.config_entries.flow.async_configure(result["flow_id"], user_input)
    )


async def created(
    hass: HomeAssistant, flow_id: str, user_input: dict[str, Any]
) -> dict[str, Any]:
    """Submit a system form that is accepted: the system is created."""
    result = await configure(hass, flow_id, user_input)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    return result


async def refused_then_created(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    kind: SystemKind,
    bad: dict[str, Any],
    errors: dict[str, str],
    good: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A new system's form refused with the errors, then accepted corrected.

    Returns the refused form (shown again) and the final result.
    """
    form = await submit_system_form(hass, entry, kind, bad)
    assert form["type"] is FlowResultType.FORM
    assert form["errors"] == errors
    return form, await created(hass, form["flow_id"], good)


async def add_system(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    kind: SystemKind,
    user_input: dict[str, Any],
) -> tuple[dict[str, Any], ConfigSubentry]:
    """Add a system through the flow in one go: the result and the new subentry."""
    before = set(entry.subentries)
    result = await submit_system_form(hass, entry, kind, user_input)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    return result, new_subentry(entry, before)


# --- Provider (config entry) flow -------------------------------------------


async def test_provider_user_creates_entry(
    hass: HomeAssistant, mock_setup: AsyncMock
) -> None:
    result = await submit_provider_form(
        hass,
        {
            CONF_NAME: "  Acme Alarm  ",
            CONF_SUPPORT_PHONE: " +1 (555) 0100 ",
            CONF_SUPPORT_URL: " https://support.acme.example/tickets ",
            "account_contact": "   ",
            "feedback_contact": "",
            "notes": "Contract 42\n",
        },
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Acme Alarm"
    assert result["data"] == {
        CONF_NAME: "Acme Alarm",
        CONF_SUPPORT_PHONE: "+1 (555) 0100",
        CONF_SUPPORT_URL: "https://support.acme.example/tickets",
        "notes": "Contract 42",
    }
    entries = provider_entries(hass)
    assert len(entries) == 1
    assert entries[0].title == "Acme Alarm"
    assert entries[0].data == result["data"]
    assert provider_setups(mock_setup) == 1


async def test_provider_user_name_only_and_longest_name(
    hass: HomeAssistant, mock_setup: AsyncMock
) -> None:
    result = await submit_provider_form(hass, {CONF_NAME: "x" * 100})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {CONF_NAME: "x" * 100}


def _bad_provider(field: str, value: str, error: str) -> tuple[dict, dict]:
    return ({CONF_NAME: "Acme", field: value}, {field: error})


@pytest.mark.parametrize(
    ("user_input", "errors"),
    [
        ({CONF_NAME: ""}, {CONF_NAME: "invalid_name"}),
        ({CONF_NAME: "   "}, {CONF_NAME: "invalid_name"}),
        ({CONF_NAME: "x" * 101}, {CONF_NAME: "invalid_name"}),
        _bad_provider(CONF_SUPPORT_PHONE, "call me", "invalid_phone"),
        _bad_provider(CONF_SUPPORT_PHONE, "(-)", "invalid_phone"),
        _bad_provider(CONF_SUPPORT_URL, "ftp://x", "invalid_url"),
        _bad_provider(CONF_SUPPORT_URL, "not a url", "invalid_url"),
        _bad_provider(CONF_SUPPORT_URL, "http://bad host", "invalid_url"),
        _bad_provider(CONF_SUPPORT_URL, "http://[::1", "invalid_url"),
        _bad_provider(CONF_SUPPORT_URL, "http://1.2.3.999/", "invalid_url"),
        (
            {
                CONF_NAME: " ",
                CONF_SUPPORT_PHONE: "call me",
                CONF_SUPPORT_URL: "ftp://x",
            },
            {
                CONF_NAME: "invalid_name",
                CONF_SUPPORT_PHONE: "invalid_phone",
                CONF_SUPPORT_URL: "invalid_url",
            },
        ),
    ],
)
async def test_provider_user_errors_then_fixed(
    hass: HomeAssistant,
    mock_setup: AsyncMock,
    user_input: dict[str, Any],
    errors: dict[str, str],
) -> None:
    result = await submit_provider_form(hass, user_input)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == errors
    # what was typed is offered again
    for key, value in user_input.items():
        assert suggested(result, key) == value
    assert not provider_entries(hass)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_NAME: "Acme",
            CONF_SUPPORT_PHONE: "+1 555 0100",
            CONF_SUPPORT_URL: "https://[::1]:8123/support",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Acme"
    assert provider_setups(mock_setup) == 1


async def test_provider_user_name_exists(
    hass: HomeAssistant, mock_setup: AsyncMock
) -> None:
    provider_entry({}, title="Acme Alarm").add_to_hass(hass)
    result = await submit_provider_form(hass, {CONF_NAME: "  ACME alarm "})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_NAME: "name_exists"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "Acme Alarm North"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Acme Alarm North"
    assert len(provider_entries(hass)) == 2


async def test_provider_user_name_exists_only_checked_when_valid(
    hass: HomeAssistant, mock_setup: AsyncMock
) -> None:
    provider_entry({}, title="Acme Alarm").add_to_hass(hass)
    result = await submit_provider_form(
        hass, {CONF_NAME: "Acme Alarm", CONF_SUPPORT_PHONE: "call me"}
    )
    assert result["errors"] == {CONF_SUPPORT_PHONE: "invalid_phone"}


async def test_provider_user_ignored_entry_does_not_block_name(
    hass: HomeAssistant, mock_setup: AsyncMock
) -> None:
    MockConfigEntry(
        domain=DOMAIN, title="Acme Alarm", source=SOURCE_IGNORE
    ).add_to_hass(hass)
    result = await submit_provider_form(hass, {CONF_NAME: "Acme Alarm"})
    assert result["type"] is FlowResultType.CREATE_ENTRY


# --- Provider reconfigure ---------------------------------------------------


async def test_provider_reconfigure(hass: HomeAssistant, mock_setup: AsyncMock) -> None:
    entry = provider_entry({}, title="Acme Alarm")
    entry.add_to_hass(hass)
    provider_entry({}, title="Beta Security").add_to_hass(hass)

    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {}
    assert suggested(result, CONF_NAME) == "Acme Alarm"
    assert suggested(result, CONF_SUPPORT_PHONE) == "+1 555 0100"
    assert suggested(result, CONF_SUPPORT_URL) is None

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_NAME: " Acme Alarm Monitoring ", CONF_SUPPORT_PHONE: "+1 555 0199"},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.title == "Acme Alarm Monitoring"
    assert entry.data == {
        CONF_NAME: "Acme Alarm Monitoring",
        CONF_SUPPORT_PHONE: "+1 555 0199",
    }
    assert len(provider_entries(hass)) == 2


async def test_provider_reconfigure_name_exists_then_own_name(
    hass: HomeAssistant, mock_setup: AsyncMock
) -> None:
    entry = provider_entry({}, title="Acme Alarm")
    entry.add_to_hass(hass)
    other = provider_entry({}, title="Beta Security")
    other.add_to_hass(hass)

    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "beta SECURITY"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {CONF_NAME: "name_exists"}
    # the form shows what was typed, not the stored data
    assert suggested(result, CONF_NAME) == "beta SECURITY"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "Acme Alarm", CONF_SUPPORT_PHONE: "call me"}
    )
    assert result["errors"] == {CONF_SUPPORT_PHONE: "invalid_phone"}

    # keeping its own name is fine; the phone is cleared, so it is dropped
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_NAME: "Acme Alarm", CONF_SUPPORT_PHONE: " ", "notes": "n"},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.title == "Acme Alarm"
    assert entry.data == {CONF_NAME: "Acme Alarm", "notes": "n"}
    assert other.title == "Beta Security"


# --- System subentry flow ---------------------------------------------------


async def test_system_http_created(
    hass: HomeAssistant, loaded_provider: MockConfigEntry
) -> None:
    entry = loaded_provider
    result, subentry = await add_system(
        hass,
        entry,
        SystemKind.HTTP,
        {
            CONF_NAME: " Status page ",
            CONF_URL: f" {CLOSED_URL} ",
            CONF_EXPECTED_STATUS: "200-299, 301",
            CONF_KEYWORD: " OK ",
            CONF_VERIFY_TLS: True,
            CONF_TIMING: timing(),
        },
    )
    assert result["title"] == "Status page"
    assert subentry.subentry_type == SUBENTRY_SYSTEM
    assert subentry.title == "Status page"
    assert dict(subentry.data) == {
        CONF_KIND: "http",
        CONF_URL: CLOSED_URL,
        CONF_EXPECTED_STATUS: "200-299, 301",
        CONF_KEYWORD: "OK",
        CONF_VERIFY_TLS: True,
        **flat_timing(),
    }
    for key in TIMING_SCHEMA.schema:
        assert type(subentry.data[str(key)]) is int
    # the provider was reloaded with its new system
    assert entry.state is ConfigEntryState.LOADED
    assert subentry.subentry_id in entry.runtime_data.systems


async def test_system_http_defaults(
    hass: HomeAssistant, loaded_provider: MockConfigEntry
) -> None:
    """Fields left out: default status codes and timing, no keyword.

    The timing left empty is not stored: it follows where the system is (a device
    on the home network here), also when a later version changes the defaults.
    """
    _, subentry = await add_system(
        hass,
        loaded_provider,
        SystemKind.HTTP,
        {CONF_NAME: "Status page", CONF_URL: CLOSED_URL, CONF_TIMING: {}},
    )
    assert dict(subentry.data) == {
        CONF_KIND: "http",
        CONF_URL: CLOSED_URL,
        CONF_EXPECTED_STATUS: "200-399",
        CONF_VERIFY_TLS: True,
        CONF_SUCCESSES_BEFORE_ONLINE: 2,
    }
    timing = loaded_provider.runtime_data.systems[subentry.subentry_id].timing
    assert timing.poll_interval == HOME_NETWORK.poll_interval
    assert timing.retry_interval == HOME_NETWORK.retry_interval
    assert (
        timing.thresholds.failures_before_offline
        == HOME_NETWORK.failures_before_offline
    )


async def test_system_tcp_created(
    hass: HomeAssistant, loaded_provider: MockConfigEntry
) -> None:
    entry = loaded_provider
    _, subentry = await add_system(
        hass,
        entry,
        SystemKind.TCP,
        {
            CONF_NAME: "Panel port",
            CONF_HOST: f" {LOOPBACK} ",
            CONF_PORT: 9.0,
            CONF_TIMING: timing(poll_interval=60.0, timeout=3),
        },
    )
    assert subentry.title == "Panel port"
    assert dict(subentry.data) == {
        CONF_KIND: "tcp",
        CONF_HOST: LOOPBACK,
        CONF_PORT: 9,
        **flat_timing(poll_interval=60, timeout=3),
    }
    assert type(subentry.data[CONF_PORT]) is int
    assert type(subentry.data[CONF_POLL_INTERVAL]) is int
    assert entry.state is ConfigEntryState.LOADED


async def test_system_icmp_created(
    hass: HomeAssistant, loaded_provider: MockConfigEntry
) -> None:
    entry = loaded_provider
    _, subentry = await add_system(
        hass,
        entry,
        SystemKind.ICMP,
        {CONF_NAME: "Loopback", CONF_HOST: "localhost", CONF_TIMING: timing()},
    )
    assert subentry.title == "Loopback"
    assert dict(subentry.data) == {
        CONF_KIND: "icmp",
        CONF_HOST: "localhost",
        **flat_timing(),
    }
    assert entry.state is ConfigEntryState.LOADED


@pytest.mark.parametrize("kind", [SystemKind.ICMP, SystemKind.TCP])
@pytest.mark.parametrize(
    "host", ["bad host!", "", "   ", "1.2.3.999", "-bad.example", "a" * 254]
)
async def test_system_invalid_host_then_fixed(
    hass: HomeAssistant, loaded_provider: MockConfigEntry, kind: SystemKind, host: str
) -> None:
    form, _ = await refused_then_created(
        hass,
        loaded_provider,
        kind,
        system_input(kind, host=host),
        {CONF_HOST: "invalid_host"},
        system_input(kind),
    )
    assert form["step_id"] == kind.value
    assert suggested(form, CONF_HOST) == host


@pytest.mark.parametrize("host", ["::1", "192.0.2.10", "alarm-panel.local"])
async def test_system_valid_hosts(
    hass: HomeAssistant, loaded_provider: MockConfigEntry, host: str
) -> None:
    result = await start_system_flow(hass, loaded_provider, SystemKind.TCP)
    with patch("custom_components.provider_watch.async_setup_entry", return_value=True):
        # not probed: only 127.0.0.1 may be reached from tests
        result = await created(
            hass, result["flow_id"], system_input(SystemKind.TCP, host=host)
        )
    assert result["data"][CONF_HOST] == host


@pytest.mark.parametrize("port", [0, 65536, -1])
async def test_system_port_out_of_range_rejected_by_schema(
    hass: HomeAssistant, loaded_provider: MockConfigEntry, port: int
) -> None:
    """The selector's range stops a bad port before the flow's own check."""
    result = await start_system_flow(hass, loaded_provider, SystemKind.TCP)
    with pytest.raises(InvalidData) as err:
        await configure(
            hass, result["flow_id"], system_input(SystemKind.TCP, port=port)
        )
    assert CONF_PORT in err.value.schema_errors
    # the flow is still open and takes a good port
    result = await created(
        hass, result["flow_id"], system_input(SystemKind.TCP, port=443)
    )
    assert result["data"][CONF_PORT] == 443


@pytest.mark.parametrize(
    "data",
    [
        {CONF_PORT: 0},
        {CONF_PORT: 65536},
        {CONF_PORT: 80.5},
        {CONF_PORT: True},
        {CONF_PORT: "80"},
        {},
    ],
)
def test_validate_system_invalid_port(data: dict[str, Any]) -> None:
    """The flow's own port check, for input that got past the selector."""
    errors = validate_system(SystemKind.TCP, {CONF_NAME: "x", CONF_HOST: "h"} | data)
    assert errors == {CONF_PORT: "invalid_port"}


@pytest.mark.parametrize(
    "data",
    [
        {"failures_before_offline": 2.5},
        {"successes_before_online": 0},
        {"failures_before_offline": 21},
    ],
)
def test_validate_system_invalid_threshold(data: dict[str, Any]) -> None:
    """Thresholds are whole counts; a fractional one is refused, not rounded."""
    errors = validate_system(SystemKind.ICMP, {CONF_NAME: "x", CONF_HOST: "h"} | data)
    assert errors == {"base": "invalid_threshold"}


def test_validate_system_whole_float_port_is_fine() -> None:
    errors = validate_system(
        SystemKind.TCP, {CONF_NAME: "x", CONF_HOST: "h", CONF_PORT: 80.0}
    )
    assert errors == {}


@pytest.mark.parametrize(
    "url", ["ftp://x", "not a url", "http://bad host", "http://[::1", "", "http://"]
)
async def test_system_invalid_url_then_fixed(
    hass: HomeAssistant, loaded_provider: MockConfigEntry, url: str
) -> None:
    await refused_then_created(
        hass,
        loaded_provider,
        SystemKind.HTTP,
        system_input(SystemKind.HTTP, url=url),
        {CONF_URL: "invalid_url"},
        system_input(SystemKind.HTTP),
    )


@pytest.mark.parametrize("status", ["abc", "700", "300-200", "", " , ", "99", "200-"])
async def test_system_invalid_status_codes_then_fixed(
    hass: HomeAssistant, loaded_provider: MockConfigEntry, status: str
) -> None:
    _, result = await refused_then_created(
        hass,
        loaded_provider,
        SystemKind.HTTP,
        system_input(SystemKind.HTTP, expected_status=status),
        {CONF_EXPECTED_STATUS: "invalid_status_codes"},
        system_input(SystemKind.HTTP, expected_status="200; 204-206"),
    )
    assert result["data"][CONF_EXPECTED_STATUS] == "200; 204-206"


@pytest.mark.parametrize("kind", POLLED_KINDS)
@pytest.mark.parametrize(
    ("poll_interval", "timeout"), [(30, 30), (10, 60)], ids=["equal", "longer"]
)
async def test_system_timeout_not_below_interval_then_fixed(
    hass: HomeAssistant,
    loaded_provider: MockConfigEntry,
    kind: SystemKind,
    poll_interval: int,
    timeout: int,
) -> None:
    form, result = await refused_then_created(
        hass,
        loaded_provider,
        kind,
        system_input(kind, timing=timing(poll_interval=poll_interval, timeout=timeout)),
        {"base": "timeout_not_below_interval"},
        system_input(kind, timing=timing(poll_interval=poll_interval, timeout=9)),
    )
    assert suggested(form, CONF_TIMEOUT, CONF_TIMING) == timeout
    assert result["data"][CONF_TIMEOUT] == 9


@pytest.mark.parametrize("kind", POLLED_KINDS)
@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
async def test_system_invalid_name_then_fixed(
    hass: HomeAssistant, loaded_provider: MockConfigEntry, kind: SystemKind, name: str
) -> None:
    _, result = await refused_then_created(
        hass,
        loaded_provider,
        kind,
        system_input(kind, name=name),
        {CONF_NAME: "invalid_name"},
        system_input(kind, name="x" * 100),
    )
    assert result["title"] == "x" * 100


@pytest.mark.parametrize("kind", POLLED_KINDS)
async def test_system_name_exists_then_fixed(
    hass: HomeAssistant, loaded_provider: MockConfigEntry, kind: SystemKind
) -> None:
    entry = loaded_provider
    before = set(entry.subentries)
    await refused_then_created(
        hass,
        entry,
        kind,
        system_input(kind, name=" ALARM panel "),
        {CONF_NAME: "name_exists"},
        system_input(kind, name="Alarm panel 2"),
    )
    assert new_subentry(entry, before).title == "Alarm panel 2"


async def test_system_name_of_other_provider_is_free(
    hass: HomeAssistant, loaded_provider: MockConfigEntry
) -> None:
    other = provider_entry({}, title="Beta Security")
    with patch("custom_components.provider_watch.async_setup_entry", return_value=True):
        await setup_entry(hass, other)
        result = await start_system_flow(hass, other, SystemKind.ICMP)
        await created(
            hass, result["flow_id"], system_input(SystemKind.ICMP, name="Alarm panel")
        )


async def test_system_several_errors_at_once(
    hass: HomeAssistant, loaded_provider: MockConfigEntry
) -> None:
    """All field errors together; a taken name is reported only once they are fixed."""
    result = await submit_system_form(
        hass,
        loaded_provider,
        SystemKind.HTTP,
        system_input(
            SystemKind.HTTP,
            name="Alarm panel",
            url="not a url",
            expected_status="abc",
            timing=timing(timeout=30),
        ),
    )
    assert result["errors"] == {
        CONF_URL: "invalid_url",
        CONF_EXPECTED_STATUS: "invalid_status_codes",
        "base": "timeout_not_below_interval",
    }
    result = await configure(
        hass, result["flow_id"], system_input(SystemKind.HTTP, name="Alarm panel")
    )
    assert result["errors"] == {CONF_NAME: "name_exists"}


# --- System reconfigure -----------------------------------------------------


async def test_system_reconfigure_http(
    hass: HomeAssistant, loaded_provider: MockConfigEntry
) -> None:
    entry = loaded_provider
    result = await start_system_reconfigure(hass, entry, SYSTEM_ID)
    assert suggested(result, CONF_NAME) == "Alarm panel"
    assert suggested(result, CONF_URL) == CLOSED_URL
    assert suggested(result, CONF_EXPECTED_STATUS) == "200-299"
    assert suggested(result, CONF_KEYWORD) == "OK"
    assert suggested(result, CONF_VERIFY_TLS) is True
    assert CONF_HOST not in result["data_schema"].schema
    for key, value in {
        CONF_POLL_INTERVAL: 30,
        CONF_TIMEOUT: 2,
        CONF_RETRY_INTERVAL: 5,
        CONF_FAILURES_BEFORE_OFFLINE: 3,
        CONF_SUCCESSES_BEFORE_ONLINE: 2,
    }.items():
        assert suggested(result, key, CONF_TIMING) == value

    result = await configure(
        hass,
        result["flow_id"],
        {
            CONF_NAME: " Alarm web ",
            CONF_URL: "http://127.0.0.1:9/health",
            CONF_EXPECTED_STATUS: "200",
            CONF_KEYWORD: "  ",
            CONF_VERIFY_TLS: False,
            CONF_TIMING: timing(poll_interval=120.0, timeout=20),
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    subentry = entry.subentries[SYSTEM_ID]
    assert subentry.title == "Alarm web"
    assert dict(subentry.data) == {
        CONF_KIND: "http",
        CONF_URL: "http://127.0.0.1:9/health",
        CONF_EXPECTED_STATUS: "200",
        CONF_VERIFY_TLS: False,
        **flat_timing(poll_interval=120, timeout=20),
    }
    assert type(subentry.data[CONF_POLL_INTERVAL]) is int
    assert len(entry.subentries) == 2
    assert entry.state is ConfigEntryState.LOADED


async def test_system_reconfigure_tcp(
    hass: HomeAssistant, loaded_provider: MockConfigEntry
) -> None:
    entry = loaded_provider
    result = await start_system_reconfigure(hass, entry, GATEWAY_ID)
    assert suggested(result, CONF_NAME) == "Gateway"
    assert suggested(result, CONF_HOST) == LOOPBACK
    assert suggested(result, CONF_PORT) == CLOSED_PORT
    assert CONF_URL not in result["data_schema"].schema

    result = await configure(
        hass,
        result["flow_id"],
        {
            CONF_NAME: "Gateway",  # its own name
            CONF_HOST: LOOPBACK,
            CONF_PORT: 7.0,
            CONF_TIMING: timing(),
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    subentry = entry.subentries[GATEWAY_ID]
    assert subentry.title == "Gateway"
    assert subentry.data[CONF_KIND] == "tcp"
    assert subentry.data[CONF_PORT] == 7
    assert type(subentry.data[CONF_PORT]) is int


async def test_system_reconfigure_icmp_name_exists_then_own_name(
    hass: HomeAssistant, provider_with_router: MockConfigEntry
) -> None:
    entry = provider_with_router
    result = await start_system_reconfigure(hass, entry, ROUTER_ID)
    assert suggested(result, CONF_NAME) == "Router"
    assert suggested(result, CONF_HOST) == LOOPBACK
    assert CONF_PORT not in result["data_schema"].schema

    result = await configure(
        hass,
        result["flow_id"],
        system_input(SystemKind.ICMP, name="gateway"),
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {CONF_NAME: "name_exists"}
    # after an error the form shows what was typed
    assert suggested(result, CONF_NAME) == "gateway"

    result = await configure(
        hass,
        result["flow_id"],
        system_input(SystemKind.ICMP, name="Router", host="bad host!"),
    )
    assert result["errors"] == {CONF_HOST: "invalid_host"}

    result = await configure(
        hass,
        result["flow_id"],
        system_input(SystemKind.ICMP, name="ROUTER", timing=timing(timeout=5)),
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    subentry = entry.subentries[ROUTER_ID]
    assert subentry.title == "ROUTER"
    assert dict(subentry.data) == {
        CONF_KIND: "icmp",
        CONF_HOST: LOOPBACK,
        **flat_timing(timeout=5),
    }
    assert entry.subentries[GATEWAY_ID].title == "Gateway"


async def test_system_reconfigure_timeout_error(
    hass: HomeAssistant, loaded_provider: MockConfigEntry
) -> None:
    entry = loaded_provider
    result = await start_system_reconfigure(hass, entry, SYSTEM_ID)
    result = await configure(
        hass,
        result["flow_id"],
        system_input(SystemKind.HTTP, name="Alarm panel", timing=timing(timeout=60)),
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "timeout_not_below_interval"}
    assert entry.subentries[SYSTEM_ID].data[CONF_TIMEOUT] == 2


# --- Translations -----------------------------------------------------------


def test_every_kind_has_its_module_and_steps() -> None:
    """Each stored kind is described in kinds/, in the menu's order, with its steps."""
    assert list(KINDS) == list(SystemKind)
    for kind, spec in KINDS.items():
        assert spec.kind is kind
        assert callable(getattr(SystemSubentryFlow, f"async_step_{kind.value}"))
        if spec.next_step is not None:
            step = f"async_step_{spec.next_step}"
            assert callable(getattr(SystemSubentryFlow, step))


def test_kind_is_polled_or_pushed() -> None:
    """A kind builds a probe or a watcher: not both, not neither."""
    with pytest.raises(TypeError):
        Kind(kind=SystemKind.ICMP, fields={}, validate=lambda _data: {})


def _error_keys_in_code() -> set[str]:
    files = [
        COMPONENT / "config_flow.py",
        COMPONENT / "options_flow.py",
        COMPONENT / "subentry_flow.py",
        COMPONENT / "discovery.py",
        *sorted((COMPONENT / "kinds").glob("*.py")),
    ]
    source = "".join(path.read_text(encoding="utf-8") for path in files)
    assigned = re.findall(r'errors\[[^\]]+\] = "([a-z_]+)"', source)
    literal = re.findall(r'\{CONF_[A-Z_]+: "([a-z_]+)"\}', source)
    return set(assigned) | set(literal)


def test_translations_cover_flows() -> None:
    strings = json.loads(
        (COMPONENT / "translations" / "en.json").read_text(encoding="utf-8")
    )
    config = strings["config"]
    system = strings["config_subentries"][SUBENTRY_SYSTEM]

    # every error the code can return has a message where it is shown
    assert _error_keys_in_code() == PROVIDER_ERRORS | SYSTEM_ERRORS | OPTIONS_ERRORS
    assert set(config["error"]) >= PROVIDER_ERRORS
    assert set(strings["options"]["error"]) >= OPTIONS_ERRORS
    assert set(system["error"]) >= SYSTEM_ERRORS
    assert "reconfigure_successful" in config["abort"]
    assert "reconfigure_successful" in system["abort"]

    # provider steps
    provider_fields = {str(key) for key in PROVIDER_SCHEMA.schema}
    for step in ("user", "reconfigure"):
        assert provider_fields <= set(config["step"][step]["data"]), step

    # system steps: the menu, one form per kind, and reconfigure (all kinds' fields)
    assert set(system["step"]["user"]["menu_options"]) == {k.value for k in SystemKind}
    reconfigure = system["step"]["reconfigure"]
    for kind in SystemKind:
        step = system["step"][kind.value]
        for marker, value in system_schema(kind).schema.items():
            key = str(marker)
            if isinstance(value, section):
                fields = {str(k) for k in value.schema.schema}
                for where in (step, reconfigure):
                    assert where["sections"][key]["name"], (kind, key)
                    assert fields <= set(where["sections"][key]["data"]), (kind, key)
            else:
                assert key in step["data"], (kind, key)
                assert key in reconfigure["data"], (kind, key)
