"""The "cloud" kind of the system subentry flow, against a provider cloud on 127.0.0.1.

form (nested sections) -> test menu (one real request, what the rule sees) -> save,
or back to the form filled in; every validation error; reconfigure.
"""

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.provider_watch.const import (
    CONF_AUTH,
    CONF_CHECKIN,
    CONF_LOGIN,
    CONF_NAME,
    CONF_RULE,
    CONF_SECOND,
    CONF_SELF_HEAL,
    CONF_TIMING,
    SystemKind,
)
from custom_components.provider_watch.examples import EXAMPLES
from custom_components.provider_watch.kinds import kind_of
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData, section
from testkit.simulated import free_port

from .helpers import (
    configure,
    new_subentry,
    provider_entry,
    setup_entry,
    start_system_flow,
    start_system_reconfigure,
    suggested,
)
from .provider_cloud import (
    API_KEY,
    API_KEY_HEADER,
    PASSWORD,
    TOKEN,
    USERNAME,
    ProviderCloud,
)

PANEL = "system_panel"

# --- helpers -------------------------------------------------------------------


def timing(**overrides: Any) -> dict[str, Any]:
    """The timing section as the form sends it (numbers come as floats)."""
    return {
        "poll_interval": 60.0,
        "timeout": 5.0,
        "retry_interval": 10.0,
        "failures_before_offline": 3.0,
        "successes_before_online": 1.0,
    } | overrides


RULE = {
    "path": "$.online",
    "comparison": "truthy",
    "filter_path": "$.devices",
    "id_key": "id",
    "id_value": "41",
}
CHECKIN_OFF = {"quiet_at_night": False}
SECOND_OFF = {"second_comparison": "truthy"}


def cloud_input(url: str, **sections: dict[str, Any]) -> dict[str, Any]:
    """A valid submission of the cloud form; `sections` replace whole sections.

    The default: bearer token, device 41 picked out of the list, online when truthy.
    """
    form: dict[str, Any] = {
        CONF_NAME: "Panel",
        "url": url,
        "method": "GET",
        "verify_tls": True,
        CONF_AUTH: {"auth_type": "bearer", "token": TOKEN},
        CONF_RULE: RULE,
        CONF_CHECKIN: CHECKIN_OFF,
        CONF_SECOND: SECOND_OFF,
        CONF_TIMING: timing(),
    }
    return form | sections


def stored(url: str, **overrides: Any) -> dict[str, Any]:
    """What the subentry holds for cloud_input(url): flat, whole numbers as ints."""
    return {
        "kind": "cloud",
        "url": url,
        "method": "GET",
        "verify_tls": True,
        "auth_type": "bearer",
        "token": TOKEN,
        "path": "$.online",
        "comparison": "truthy",
        "filter_path": "$.devices",
        "id_key": "id",
        "id_value": "41",
        "quiet_at_night": False,
        "second_comparison": "truthy",
        "poll_interval": 60,
        "timeout": 5,
        "retry_interval": 10,
        "failures_before_offline": 3,
        "successes_before_online": 1,
    } | overrides


async def start_cloud_flow(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    """Open the add-system menu, pick "cloud"; the flow id."""
    result = await start_system_flow(hass, entry, "cloud")
    # the rule section is open, the others are collapsed
    sections = {
        str(marker): value.options["collapsed"]
        for marker, value in result["data_schema"].schema.items()
        if isinstance(value, section)
    }
    assert sections == {
        CONF_AUTH: True,
        CONF_LOGIN: True,
        CONF_RULE: False,
        CONF_CHECKIN: True,
        CONF_SECOND: True,
        CONF_TIMING: True,
        CONF_SELF_HEAL: True,
    }
    return str(result["flow_id"])


async def pick(hass: HomeAssistant, flow_id: str, option: str) -> dict[str, Any]:
    return await configure(hass, flow_id, {"next_step_id": option})


VERDICT = ("status", "value", "verdict", "reason")


def verdict_shown(result: dict[str, Any]) -> dict[str, str]:
    """The status, the value found, the verdict and its reason."""
    return {key: everything_shown(result)[key] for key in VERDICT}


def everything_shown(result: dict[str, Any]) -> dict[str, str]:
    """Every placeholder: also what was sent, the answer and the check-in."""
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "cloud_test"
    assert result["menu_options"] == ["cloud_save", "cloud_edit"]
    shown = dict(result["description_placeholders"])
    assert set(EXAMPLES) <= set(shown)  # (the example addresses every form passes)
    return {key: value for key, value in shown.items() if key not in EXAMPLES}


# --- fixtures ------------------------------------------------------------------


@pytest.fixture
async def provider(hass: HomeAssistant, socket_enabled: None) -> MockConfigEntry:
    """A loaded provider without systems."""
    return await setup_entry(hass, provider_entry({}))


# --- add a cloud system --------------------------------------------------------


async def test_cloud_system_tested_then_saved(
    hass: HomeAssistant, cloud: ProviderCloud, provider: MockConfigEntry
) -> None:
    flow_id = await start_cloud_flow(hass, provider)
    assert cloud.requests == []
    result = await configure(hass, flow_id, cloud_input(cloud.url))
    assert verdict_shown(result) == {
        "status": "200",
        "value": "true",
        "verdict": "online",
        "reason": "-",
    }
    (request,) = cloud.requests  # the test step sent exactly one real request
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    shown = everything_shown(result)
    assert shown["sent"] == (
        f"```\nGET {cloud.url}\nAccept: application/json\nAuthorization: ••••\n```"
    )
    assert shown["answer"].startswith('{"devices": [{"id": 41, ')
    assert shown["checkin"] == "-"
    assert provider.subentries == {}  # nothing saved yet

    result = await pick(hass, flow_id, "cloud_save")
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Panel"
    subentry = new_subentry(provider, set())
    assert subentry.title == "Panel"
    assert dict(subentry.data) == stored(cloud.url)
    for key in ("poll_interval", "timeout", "failures_before_offline"):
        assert type(subentry.data[key]) is int
    # the provider reloads with its new system, which is online
    assert provider.state is ConfigEntryState.LOADED
    assert hass.states.get("binary_sensor.panel_connectivity").state == STATE_ON


def every_section(cloud: ProviderCloud, **auth: str) -> dict[str, Any]:
    """The cloud form with every section filled in; an API key (auth: changes)."""
    return cloud_input(
        cloud.url,
        auth={
            "auth_type": "api_key",
            "header_name": API_KEY_HEADER,
            "header_value": API_KEY,
        }
        | auth,
        rule={
            "path": "$.status",
            "comparison": "in_list",
            "expected": "online, armed",
            "filter_path": "$.devices",
            "id_key": "id",
            "id_value": "42",
            "value_template": "{{ value_json.count >= 1 }}",
        },
        checkin={
            "checkin_path": "$.lastCheckin",
            "max_age": 900.0,
            "timezone": "Europe/Berlin",
            "quiet_at_night": True,
        },
        second_endpoint={
            "second_url": cloud.health_url,
            "second_path": "$.status",
            "second_comparison": "equals",
            "second_expected": "ok",
        },
    ) | {"method": "POST", "body": '{"ids": [42]}', "verify_tls": False}


async def test_every_section_stored_flat(
    hass: HomeAssistant, cloud: ProviderCloud, provider: MockConfigEntry
) -> None:
    flow_id = await start_cloud_flow(hass, provider)
    untidy = every_section(cloud, header_name=f" {API_KEY_HEADER} ", username="  ")
    result = await configure(hass, flow_id, untidy)
    placeholders = verdict_shown(result)
    assert placeholders["verdict"] == "unknown"  # the cloud still wanted a token
    assert placeholders["reason"] == "credentials rejected (HTTP 401)"
    assert placeholders["status"] == "401"

    # back to the form, with everything as it was typed (tidied)
    result = await pick(hass, flow_id, "cloud_edit")
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "cloud"
    assert suggested(result, CONF_NAME) == "Panel"
    assert suggested(result, "method") == "POST"
    assert suggested(result, "body") == '{"ids": [42]}'
    assert suggested(result, "verify_tls") is False
    assert suggested(result, "header_name", CONF_AUTH) == API_KEY_HEADER
    assert suggested(result, "header_value", CONF_AUTH) == API_KEY
    assert suggested(result, "username", CONF_AUTH) is None
    assert suggested(result, "expected", CONF_RULE) == "online, armed"
    assert suggested(result, "max_age", CONF_CHECKIN) == 900
    assert suggested(result, "second_url", CONF_SECOND) == cloud.health_url
    assert suggested(result, "poll_interval", CONF_TIMING) == 60

    # the same input again: now the cloud takes the key
    cloud.auth = "api_key"
    result = await configure(hass, flow_id, every_section(cloud))
    placeholders = verdict_shown(result)
    assert placeholders["verdict"] == "online"
    assert placeholders["status"] == "200"
    assert placeholders["value"].startswith("ONLINE, True, ok")
    assert API_KEY not in repr(placeholders)
    post = cloud.requests[-2]
    assert (post.method, post.path, post.body) == (
        "POST",
        "/api/devices",
        '{"ids": [42]}',
    )
    assert cloud.requests[-1].path == "/api/health"

    result = await pick(hass, flow_id, "cloud_save")
    assert result["type"] is FlowResultType.CREATE_ENTRY
    data = dict(new_subentry(provider, set()).data)
    assert data == {
        "kind": "cloud",
        "url": cloud.url,
        "method": "POST",
        "body": '{"ids": [42]}',
        "verify_tls": False,
        "auth_type": "api_key",
        "header_name": API_KEY_HEADER,
        "header_value": API_KEY,
        "path": "$.status",
        "comparison": "in_list",
        "expected": "online, armed",
        "filter_path": "$.devices",
        "id_key": "id",
        "id_value": "42",
        "value_template": "{{ value_json.count >= 1 }}",
        "checkin_path": "$.lastCheckin",
        "max_age": 900,
        "timezone": "Europe/Berlin",
        "quiet_at_night": True,
        "second_url": cloud.health_url,
        "second_method": "GET",
        "second_path": "$.status",
        "second_comparison": "equals",
        "second_expected": "ok",
        "poll_interval": 60,
        "timeout": 5,
        "retry_interval": 10,
        "failures_before_offline": 3,
        "successes_before_online": 1,
    }
    assert type(data["max_age"]) is int


@pytest.mark.parametrize(
    ("auth", "scheme"),
    [
        ({"auth_type": "basic", "username": USERNAME, "password": PASSWORD}, "basic"),
        ({"auth_type": "none"}, "none"),
    ],
)
async def test_other_authentications(
    hass: HomeAssistant,
    cloud: ProviderCloud,
    provider: MockConfigEntry,
    auth: dict[str, str],
    scheme: str,
) -> None:
    cloud.auth = scheme
    flow_id = await start_cloud_flow(hass, provider)
    result = await configure(hass, flow_id, cloud_input(cloud.url, auth=auth))
    assert verdict_shown(result)["verdict"] == "online"
    result = await pick(hass, flow_id, "cloud_save")
    data = new_subentry(provider, set()).data
    assert data["auth_type"] == scheme
    assert "token" not in data


# --- what the test step shows ---------------------------------------------------


@pytest.mark.parametrize(
    ("breakage", "status", "value", "verdict", "reason"),
    [
        (
            "device_offline",
            "200",
            "false",
            "offline",
            "value at $.online of device 41 is false",
        ),
        ("missing", "200", "null", "offline", "device 41 not in the provider's list"),
        ("503", "503", "-", "offline", "provider API answered HTTP 503"),
        ("429", "429", "-", "unknown", "rate limited (HTTP 429)"),
        ("401", "401", "-", "unknown", "credentials rejected (HTTP 401)"),
        # (a rule that needs JSON cannot tell; a text rule could, see
        # test_cloud_shapes.py)
        ("html", "200", "null", "unknown", "provider API did not send valid JSON"),
        ("huge", "200", "-", "unknown", "provider API answer is larger than 1 MiB"),
        (
            "stopped",
            "-",
            "-",
            "offline",
            "provider API unreachable: connection refused",
        ),
        ("slow", "-", "-", "offline", "provider API unreachable: timeout after 1 s"),
        ("no_list", "200", "null", "unknown", "value not found at $.devices"),
    ],
)
async def test_test_step_shows_what_the_rule_sees(
    hass: HomeAssistant,
    cloud: ProviderCloud,
    provider: MockConfigEntry,
    breakage: str,
    status: str,
    value: str,
    verdict: str,
    reason: str,
) -> None:
    match breakage:
        case "device_offline":
            cloud.panel_online = False
        case "missing":
            cloud.include_panel = False
        case "503" | "429":
            cloud.status = int(breakage)
        case "401":
            cloud.revoke()
        case "html":
            cloud.html = True
        case "huge":
            cloud.huge = True
        case "stopped":
            await cloud.stop()
        case "slow":
            cloud.hang = True
        case "no_list":
            cloud.shape = "bare_array"
    flow_id = await start_cloud_flow(hass, provider)
    result = await configure(
        hass, flow_id, cloud_input(cloud.url, timing=timing(timeout=1.0))
    )
    assert verdict_shown(result) == {
        "status": status,
        "value": value,
        "verdict": verdict,
        "reason": reason,
    }
    # saving is still allowed: the user decides
    result = await pick(hass, flow_id, "cloud_save")
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_test_step_value_with_checkin_and_template(
    hass: HomeAssistant, cloud: ProviderCloud, provider: MockConfigEntry
) -> None:
    cloud.panel_last_seen = "2020-01-01T00:00:00Z"
    flow_id = await start_cloud_flow(hass, provider)
    result = await configure(
        hass,
        flow_id,
        cloud_input(
            cloud.url,
            checkin={
                "checkin_path": "$.last_seen",
                "max_age": 600,
                "quiet_at_night": False,
            },
        ),
    )
    placeholders = verdict_shown(result)
    assert placeholders["value"] == "true, 2020-01-01T00:00:00+00:00"
    assert placeholders["verdict"] == "offline"
    assert placeholders["reason"].startswith("last check-in ")

    result = await pick(hass, flow_id, "cloud_edit")
    result = await configure(
        hass,
        flow_id,
        cloud_input(
            cloud.url,
            rule={"value_template": "{{ value_json.devices | length }}"},
        ),
    )
    assert verdict_shown(result) == {
        "status": "200",
        "value": "2",
        "verdict": "online",
        "reason": "-",
    }


# --- validation ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"url": "not a url"}, {"url": "invalid_url"}),
        ({"url": "ftp://127.0.0.1/api"}, {"url": "invalid_url"}),
        ({CONF_AUTH: {"auth_type": "bearer"}}, {"base": "missing_credentials"}),
        (
            {CONF_AUTH: {"auth_type": "bearer", "token": "   "}},
            {"base": "missing_credentials"},
        ),
        (
            {CONF_AUTH: {"auth_type": "api_key", "header_name": API_KEY_HEADER}},
            {"base": "missing_credentials"},
        ),
        (
            {CONF_AUTH: {"auth_type": "api_key", "header_value": API_KEY}},
            {"base": "missing_credentials"},
        ),
        (
            {CONF_AUTH: {"auth_type": "basic", "password": PASSWORD}},
            {"base": "missing_credentials"},
        ),
        ({CONF_RULE: RULE | {"path": "online"}}, {"path": "invalid_path"}),
        ({CONF_RULE: RULE | {"path": "$.devices["}}, {"path": "invalid_path"}),
        (
            {CONF_RULE: RULE | {"filter_path": "devices"}},
            {"filter_path": "invalid_path"},
        ),
        (
            {CONF_RULE: {"comparison": "truthy"}},
            {"base": "no_rule"},
        ),
        (
            {CONF_RULE: RULE | {"comparison": "equals"}},
            {"expected": "expected_required"},
        ),
        (
            {CONF_RULE: RULE | {"comparison": "in_list", "expected": " "}},
            {"expected": "expected_required"},
        ),
        (
            {
                CONF_RULE: {
                    "path": "$.devices[0].online",
                    "comparison": "truthy",
                    "id_key": "id",
                }
            },
            {"base": "incomplete_filter"},
        ),
        (
            {CONF_CHECKIN: {"checkin_path": "$.last_seen", "quiet_at_night": False}},
            {"max_age": "invalid_duration"},
        ),
        (
            {
                CONF_CHECKIN: {
                    "checkin_path": "$.last_seen",
                    "max_age": 0,
                    "quiet_at_night": False,
                }
            },
            {"max_age": "invalid_duration"},
        ),
        (
            {
                CONF_CHECKIN: {
                    "checkin_path": "$.",
                    "max_age": 600,
                    "quiet_at_night": False,
                }
            },
            {"checkin_path": "invalid_path"},
        ),
        (
            {CONF_CHECKIN: {"timezone": "Mars/Olympus_Mons", "quiet_at_night": False}},
            {"timezone": "invalid_timezone"},
        ),
        (
            {
                CONF_SECOND: {
                    "second_url": "health",
                    "second_path": "$.status",
                    "second_comparison": "truthy",
                }
            },
            {"second_url": "invalid_url"},
        ),
        (
            {
                CONF_SECOND: {
                    "second_url": "http://127.0.0.1:9/health",
                    "second_comparison": "truthy",
                }
            },
            {"second_path": "invalid_path"},
        ),
        (
            {
                CONF_SECOND: {
                    "second_url": "http://127.0.0.1:9/health",
                    "second_path": "status",
                    "second_comparison": "truthy",
                }
            },
            {"second_path": "invalid_path"},
        ),
        (  # a second comparison other than truthy needs its expected value
            {
                CONF_SECOND: {
                    "second_url": "http://127.0.0.1:9/health",
                    "second_path": "$.status",
                    "second_comparison": "equals",
                }
            },
            {"second_expected": "expected_required"},
        ),
        (  # a second path needs the second URL
            {CONF_SECOND: {"second_path": "$.status", "second_comparison": "truthy"}},
            {"second_url": "invalid_url"},
        ),
        (
            {CONF_TIMING: timing(timeout=60.0, poll_interval=60.0)},
            {"base": "timeout_not_below_interval"},
        ),
        ({CONF_NAME: "  "}, {CONF_NAME: "invalid_name"}),
    ],
)
async def test_validation_errors(
    hass: HomeAssistant,
    cloud: ProviderCloud,
    provider: MockConfigEntry,
    change: dict[str, Any],
    errors: dict[str, str],
) -> None:
    flow_id = await start_cloud_flow(hass, provider)
    bad = cloud_input(cloud.url) | change
    result = await configure(hass, flow_id, bad)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "cloud"
    assert result["errors"] == errors
    assert cloud.requests == []  # nothing is fetched before the form is valid
    # what was typed is kept
    assert suggested(result, "url") == bad["url"]
    # fixed: on to the test step
    result = await configure(hass, flow_id, cloud_input(cloud.url))
    assert verdict_shown(result)["verdict"] == "online"


async def test_broken_template_refused_by_the_form(
    hass: HomeAssistant, cloud: ProviderCloud, provider: MockConfigEntry
) -> None:
    """The template selector rejects bad syntax before the flow's own check runs."""
    flow_id = await start_cloud_flow(hass, provider)
    broken = cloud_input(cloud.url, rule={"value_template": "{{ value_json.online "})
    with pytest.raises(InvalidData) as err:
        await configure(hass, flow_id, broken)
    assert err.value.path == [CONF_RULE, "value_template"]
    assert cloud.requests == []
    result = await configure(
        hass,
        flow_id,
        cloud_input(cloud.url, rule={"value_template": "{{ value_json.count > 0 }}"}),
    )
    assert verdict_shown(result)["verdict"] == "online"


async def test_template_that_does_not_compile_is_an_error(hass: HomeAssistant) -> None:
    """Behind the selector, the cloud kind's own check: the template must compile."""
    check = kind_of(SystemKind.CLOUD).hass_errors
    assert check is not None
    broken = {"value_template": "{{ value_json.online "}
    assert check(hass, broken) == {"value_template": "invalid_template"}
    assert check(hass, {"value_template": "{{ value_json.online }}"}) == {}
    assert check(hass, {}) == {}


async def test_name_exists(
    hass: HomeAssistant, cloud: ProviderCloud, provider: MockConfigEntry
) -> None:
    flow_id = await start_cloud_flow(hass, provider)
    await configure(hass, flow_id, cloud_input(cloud.url))
    await pick(hass, flow_id, "cloud_save")
    flow_id = await start_cloud_flow(hass, provider)
    result = await configure(
        hass, flow_id, cloud_input(cloud.url) | {CONF_NAME: "panel "}
    )
    assert result["errors"] == {CONF_NAME: "name_exists"}


# --- reconfigure ---------------------------------------------------------------


async def test_reconfigure_cloud_system(
    hass: HomeAssistant, cloud: ProviderCloud, socket_enabled: None
) -> None:
    entry = await setup_entry(hass, provider_entry({PANEL: stored(cloud.url)}))
    assert hass.states.get("binary_sensor.panel_connectivity").state == STATE_ON
    result = await start_system_reconfigure(hass, entry, PANEL)
    assert suggested(result, CONF_NAME) == "Panel"
    assert suggested(result, "url") == cloud.url
    assert suggested(result, "token", CONF_AUTH) is None  # never sent back
    assert suggested(result, "id_value", CONF_RULE) == "41"
    assert suggested(result, "failures_before_offline", CONF_TIMING) == 3
    flow_id = result["flow_id"]

    # an error first: the form stays the reconfigure form
    result = await configure(
        hass,
        flow_id,
        cloud_input(cloud.url, rule={"comparison": "equals", "path": "$.x"}),
    )
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {"expected": "expected_required"}

    changed = cloud_input(
        cloud.device_url(42),
        rule={"path": "$.status", "comparison": "equals", "expected": "online"},
    ) | {CONF_NAME: "Gateway"}
    result = await configure(hass, flow_id, changed)
    assert verdict_shown(result)["value"] == "ONLINE"

    # back to the (reconfigure) form, filled in with what was tested
    result = await pick(hass, flow_id, "cloud_edit")
    assert result["step_id"] == "reconfigure"
    assert suggested(result, CONF_NAME) == "Gateway"
    assert suggested(result, "url") == cloud.device_url(42)
    assert suggested(result, "filter_path", CONF_RULE) is None

    result = await configure(hass, flow_id, changed)
    result = await pick(hass, flow_id, "cloud_save")
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    subentry = entry.subentries[PANEL]
    assert subentry.title == "Gateway"
    expected = stored(
        cloud.device_url(42), path="$.status", comparison="equals", expected="online"
    )
    for key in ("filter_path", "id_key", "id_value"):
        expected.pop(key)
    assert dict(subentry.data) == expected
    assert entry.state is ConfigEntryState.LOADED
    # same subentry id, so the same entity ids; the system was re-checked
    assert hass.states.get("binary_sensor.panel_connectivity").state == STATE_ON
    assert cloud.requests[-1].path == "/api/devices/42"


async def test_unreachable_port_is_offline_in_the_test_step(
    hass: HomeAssistant, provider: MockConfigEntry
) -> None:
    flow_id = await start_cloud_flow(hass, provider)
    result = await configure(
        hass, flow_id, cloud_input(f"http://127.0.0.1:{free_port()}/api/devices")
    )
    assert verdict_shown(result)["reason"] == (
        "provider API unreachable: connection refused"
    )
