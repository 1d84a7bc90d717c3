"""Issue 20: provider API shapes the cloud form could not express, end to end.

Against testkit/provider_api.py, which refuses anything but exactly what real
providers demand: two credential headers at once, a cookie login whose session
expires, a token login, an HTML body, a yyMMddHHmmss check-in, a POST second
endpoint, and gateways nested two lists deep. Each test looks at what the user
sees: the flow's test step, the connectivity sensor, the reauth flow, and how
many requests the provider got.
"""

from collections.abc import AsyncGenerator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from testkit.provider_api import API_KEY, PASSWORD, TOKEN, USER, ProviderApi

from .helpers import (
    advance,
    configure,
    new_subentry,
    provider_entry,
    settle,
    setup_entry,
    start_system_flow,
    start_system_reconfigure,
    state,
    suggested,
)
from .provider_cloud import TOKEN as CLOUD_TOKEN, ProviderCloud

START = datetime(2027, 1, 15, 12, 0, 0, tzinfo=UTC)
STAMP = "%y%m%d%H%M%S"
GATEWAY = "binary_sensor.gateway_connectivity"
PORTAL = "binary_sensor.portal_connectivity"

pytestmark = pytest.mark.usefixtures("internet")


@pytest.fixture
async def api(socket_enabled: None) -> AsyncGenerator[ProviderApi]:
    async with ProviderApi() as server:
        yield server


@pytest.fixture
def clock(freezer: FrozenDateTimeFactory) -> FrozenDateTimeFactory:
    freezer.move_to(START)
    return freezer


@pytest.fixture
async def provider(hass: HomeAssistant, socket_enabled: None) -> MockConfigEntry:
    return await setup_entry(hass, provider_entry({}))


# --- stored systems and forms ------------------------------------------------------

TWO_HEADERS = {
    "auth_type": "bearer",
    "token": TOKEN,
    "headers": "X-Api-Version: 2",
    "secret_headers": f"X-Api-Key: {API_KEY}",
}
NESTED = {
    "filter_path": "$.account.sites[*].gateways",
    "id_key": "serial",
    "id_value": "GW-2",  # not the first gateway, nor on the first list alone
}
COOKIE_LOGIN = {
    "auth_type": "session",
    "username": USER,
    "password": PASSWORD,
    "login_url": "/auth/login",
    "login_method": "POST",
    "login_body": "user=$username&pass=$password",
}
TOKEN_LOGIN = {
    "auth_type": "session",
    "username": USER,
    "password": PASSWORD,
    "login_url": "/auth/token",
    "login_body": '{"user": "$username", "pass": "$password"}',
    "token_path": "$.data.token",
    "token_header": "X-Auth-Token: $token",
}


def system(api: ProviderApi, endpoint: str, **fields: Any) -> dict[str, Any]:
    """A cloud system as the flow stores it, with quick timing."""
    if str(fields.get("login_url", "")).startswith("/"):
        fields["login_url"] = api.url(fields["login_url"])
    return {
        "kind": "cloud",
        "url": api.url(endpoint),
        "method": "GET",
        "verify_tls": True,
        "auth_type": "none",
        "comparison": "truthy",
        "quiet_at_night": False,
        "second_comparison": "truthy",
        "poll_interval": 30,
        "timeout": 2,
        "retry_interval": 5,
        "failures_before_offline": 2,
        "successes_before_online": 1,
    } | fields


def form(api: ProviderApi, path: str, **sections: dict[str, Any]) -> dict[str, Any]:
    """The cloud form as the frontend sends it."""
    return {
        "name": "Gateway",
        "url": api.url(path),
        "method": "GET",
        "verify_tls": True,
        "auth": {"auth_type": "none"},
        "rule": {"comparison": "truthy"},
        "checkin": {"quiet_at_night": False},
        "second_endpoint": {"second_method": "GET", "second_comparison": "truthy"},
        "timing": {
            "poll_interval": 30,
            "timeout": 2,
            "retry_interval": 5,
            "failures_before_offline": 2,
            "successes_before_online": 1,
        },
    } | sections


async def submit_and_test(
    hass: HomeAssistant, entry: MockConfigEntry, user_input: dict[str, Any]
) -> dict[str, Any]:
    """The cloud form submitted: the test step (a menu)."""
    result = await start_system_flow(hass, entry, "cloud")
    result = await configure(hass, result["flow_id"], user_input)
    assert result["type"] is FlowResultType.MENU, result.get("errors")
    assert result["step_id"] == "cloud_test"
    return result


def reauth_flows(hass: HomeAssistant) -> list[Any]:
    return [
        flow
        for flow in hass.config_entries.flow.async_progress()
        if flow["context"]["source"] == SOURCE_REAUTH
    ]


# --- two credentials, a nested list, a yyMMddHHmmss check-in ------------------------


async def test_two_headers_nested_device_and_digit_checkin(
    hass: HomeAssistant,
    api: ProviderApi,
    provider: MockConfigEntry,
    clock: FrozenDateTimeFactory,
) -> None:
    api.gateway("GW-2").last = START - timedelta(minutes=5)
    user_input = form(
        api,
        "/v2/sites",
        auth=TWO_HEADERS,
        rule={"path": "$.state", "comparison": "equals", "expected": "up"} | NESTED,
        checkin={
            "checkin_path": "$.last",
            "max_age": 900,
            "checkin_format": STAMP,
            "timezone": "UTC",
            "quiet_at_night": False,
        },
    )
    result = await submit_and_test(hass, provider, user_input)
    shown = result["description_placeholders"]
    # exactly what was sent, credentials masked
    assert shown["sent"] == (
        f"```\nGET {api.url('/v2/sites')}\nAccept: application/json\n"
        "X-Api-Version: 2\nAuthorization: ••••\nX-Api-Key: ••••\n```"
    )
    (request,) = api.requests  # the API got both credentials and the version
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["X-Api-Key"] == API_KEY
    assert shown["verdict"] == "online"
    assert shown["value"] == "up, 2027-01-15T11:55:00+00:00"
    assert shown["checkin"] == "2027-01-15T11:55:00+00:00 (5 min ago)"
    assert shown["answer"].startswith('{"account": {"sites": [{"id": "home"')
    assert TOKEN not in repr(shown)
    assert API_KEY not in repr(shown)
    assert result["menu_options"] == ["cloud_save", "cloud_edit"]

    result = await configure(hass, result["flow_id"], {"next_step_id": "cloud_save"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    data = dict(new_subentry(provider, set()).data)
    assert data["secret_headers"] == f"X-Api-Key: {API_KEY}"
    assert data["checkin_format"] == STAMP
    assert "login_url" not in data  # no login: none of its settings is kept
    assert "second_method" not in data
    assert state(hass, GATEWAY) == STATE_ON

    # GW-2 (not the first of its list) goes down: offline
    api.gateway("GW-2").state = "down"
    await advance(hass, clock, 30, 5)
    assert state(hass, GATEWAY) == STATE_OFF
    api.gateway("GW-2").state = "up"
    await advance(hass, clock, 30)
    assert state(hass, GATEWAY) == STATE_ON

    # its digits check-in goes stale (read as yyMMddHHmmss, not as epoch seconds)
    api.gateway("GW-2").last = START
    await advance(hass, clock, 900, 5)
    assert state(hass, GATEWAY) == STATE_OFF
    status = hass.states.get("sensor.gateway_status")
    assert status is not None


async def test_path_matching_several_values_cannot_be_saved(
    hass: HomeAssistant, api: ProviderApi, provider: MockConfigEntry
) -> None:
    user_input = form(
        api,
        "/v2/sites",
        auth=TWO_HEADERS,
        rule={"path": "$.account.sites[*].gateways[*].state", "comparison": "truthy"},
    )
    flow = await start_system_flow(hass, provider, "cloud")
    result = await configure(hass, flow["flow_id"], user_input)
    assert result["menu_options"] == ["cloud_edit"]  # cannot be saved
    assert result["description_placeholders"]["reason"] == (
        "$.account.sites[*].gateways[*].state matches 3 values; "
        "pick your device with a device filter"
    )
    result = await configure(hass, flow["flow_id"], {"next_step_id": "cloud_edit"})
    assert result["errors"] == {"path": "path_ambiguous"}

    # with the device filter (its id found by a path inside each device): saved
    rule = {"path": "$.state", "comparison": "truthy"} | NESTED
    rule["id_key"] = "$.info.serial"
    result = await configure(
        hass, flow["flow_id"], user_input | {"rule": rule, "name": "Gateway"}
    )
    assert result["menu_options"] == ["cloud_save", "cloud_edit"]
    assert result["description_placeholders"]["value"] == "up"


async def test_unreadable_checkin_format_cannot_be_saved(
    hass: HomeAssistant, api: ProviderApi, provider: MockConfigEntry
) -> None:
    user_input = form(
        api,
        "/v2/sites",
        auth=TWO_HEADERS,
        rule={"path": "$.state", "comparison": "truthy"} | NESTED,
        checkin={
            "checkin_path": "$.last",
            "max_age": 900,
            "checkin_format": "%d.%m.%Y %H:%M",
            "quiet_at_night": False,
        },
    )
    flow = await start_system_flow(hass, provider, "cloud")
    result = await configure(hass, flow["flow_id"], user_input)
    assert result["menu_options"] == ["cloud_edit"]
    assert result["description_placeholders"]["checkin"] == "none readable at $.last"
    result = await configure(hass, flow["flow_id"], {"next_step_id": "cloud_edit"})
    assert result["errors"] == {"checkin_format": "checkin_unreadable"}


# --- a cookie login whose session expires -------------------------------------------


async def test_cookie_login_reused_until_refused_then_reauth(
    hass: HomeAssistant, api: ProviderApi, clock: FrozenDateTimeFactory
) -> None:
    portal = system(
        api,
        "/portal/status",
        comparison="contains",
        expected="All systems normal",
        **COOKIE_LOGIN,
    )
    entry = await setup_entry(hass, provider_entry({"system_portal": portal}))
    assert state(hass, PORTAL) == STATE_ON
    (login,) = [r for r in api.requests if r.path == "/auth/login"]
    assert login.body == "user=owner%40example.com&pass=pw-shape-%26%3D%3F%2B+1"
    assert (api.hits("/auth/login"), api.hits("/portal/status")) == (1, 1)

    # the session is reused: one request per poll, no login
    await advance(hass, clock, 30, 30, 30)
    assert (api.hits("/auth/login"), api.hits("/portal/status")) == (1, 4)
    cookies = {r.headers.get("Cookie") for r in api.requests[1:]}
    assert cookies == {f"sid={api.issued[0]}"}

    # the session expires: refused once, one fresh login, the request again
    api.expire()
    await advance(hass, clock, 30)
    assert (api.hits("/auth/login"), api.hits("/portal/status")) == (2, 6)
    assert state(hass, PORTAL) == STATE_ON
    assert api.requests[-1].headers["Cookie"] == f"sid={api.issued[1]}"

    # the body says otherwise (HTML, not JSON: a text rule reads it)
    api.portal_text = "Scheduled maintenance"
    await advance(hass, clock, 30, 5)
    assert state(hass, PORTAL) == STATE_OFF
    assert (api.hits("/auth/login"), api.hits("/portal/status")) == (2, 8)
    api.portal_text = "All systems normal"
    await advance(hass, clock, 30)
    assert state(hass, PORTAL) == STATE_ON

    # the password changes: the login itself is refused, the owner is asked
    api.password = "pw-new-41"  # noqa: S105
    api.expire()
    await advance(hass, clock, 30)
    assert (api.hits("/auth/login"), api.hits("/portal/status")) == (3, 10)
    assert state(hass, PORTAL) == STATE_UNAVAILABLE
    assert hass.states.get("sensor.portal_outage_cause").state == "auth"
    (flow,) = reauth_flows(hass)
    # no login per poll while it is refused
    await advance(hass, clock, 30, 30, 30)
    assert api.hits("/auth/login") == 3

    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"system": "system_portal", "password": "pw-new-41"}
    )
    assert result["reason"] == "reauth_successful"
    await settle(hass)
    assert entry.subentries["system_portal"].data["password"] == "pw-new-41"  # noqa: S105
    assert state(hass, PORTAL) == STATE_ON
    assert api.hits("/auth/login") == 4


async def test_token_login_and_html_template_in_the_test_step(
    hass: HomeAssistant, api: ProviderApi, provider: MockConfigEntry
) -> None:
    login = {
        key: api.url(value) if key == "login_url" else value
        for key, value in TOKEN_LOGIN.items()
        if key not in ("auth_type", "username", "password")
    } | {"login_method": "POST"}
    user_input = form(
        api,
        "/portal/status",
        auth={"auth_type": "session", "username": USER, "password": PASSWORD},
        login=login,
        rule={
            "comparison": "truthy",
            "value_template": "{{ 'normal' in value and value_json is not defined }}",
        },
    )
    result = await submit_and_test(hass, provider, user_input)
    shown = result["description_placeholders"]
    assert shown["sent"] == (
        f"```\nPOST {api.url('/auth/token')}\nAccept: application/json\n"
        'Content-Type: application/json\n{"user": "owner@example.com", "pass": '
        '"••••"}\n\n'
        f"GET {api.url('/portal/status')}\nAccept: application/json\n"
        "X-Auth-Token: ••••\n```"
    )
    assert shown["verdict"] == "online"
    assert shown["answer"] == (
        "<html><body><h1>Status</h1><p>All systems normal</p></body></html> (not JSON)"
    )
    assert api.requests[-1].headers["X-Auth-Token"] == api.issued[0]
    assert PASSWORD not in repr(shown)
    assert api.issued[0] not in repr(shown)
    result = await configure(hass, result["flow_id"], {"next_step_id": "cloud_save"})
    data = dict(new_subentry(provider, set()).data)
    assert data["token_path"] == "$.data.token"  # noqa: S105
    assert data["login_method"] == "POST"
    assert state(hass, "binary_sensor.gateway_connectivity") == STATE_ON


async def test_wrong_password_in_the_test_step(
    hass: HomeAssistant, api: ProviderApi, provider: MockConfigEntry
) -> None:
    user_input = form(
        api,
        "/portal/status",
        auth={"auth_type": "session", "username": USER, "password": "nope"},
        login={"login_url": api.url("/auth/login"), "login_method": "POST"}
        | {"login_body": "user=$username&pass=$password"},
        rule={"comparison": "not_contains", "expected": "maintenance"},
    )
    result = await submit_and_test(hass, provider, user_input)
    assert result["description_placeholders"]["reason"] == "login refused (HTTP 401)"
    assert result["description_placeholders"]["status"] == "401"
    assert api.hits("/portal/status") == 0


# --- a POST second endpoint, combined with the first by the template ----------------


async def test_post_second_endpoint_combined_by_the_template(
    hass: HomeAssistant, api: ProviderApi, clock: FrozenDateTimeFactory
) -> None:
    both = system(
        api,
        "/v2/sites",
        **TWO_HEADERS,
        second_url=api.url("/v2/alarms"),
        second_method="POST",
        second_body='{"query": "alarms"}',
        value_template=(
            "{{ value_json.account.sites[1].gateways[0].state == 'up'"
            " and second_json.alarms.active == 0 }}"
        ),
    )
    await setup_entry(hass, provider_entry({"system_gateway": both}))
    assert state(hass, GATEWAY) == STATE_ON
    await advance(hass, clock, 30, 30)
    # one request per endpoint per poll
    assert (api.hits("/v2/sites"), api.hits("/v2/alarms")) == (3, 3)
    posted = [r for r in api.requests if r.path == "/v2/alarms"]
    assert {(r.method, r.body) for r in posted} == {("POST", '{"query": "alarms"}')}

    api.active_alarms = 1
    await advance(hass, clock, 30, 5)
    assert state(hass, GATEWAY) == STATE_OFF
    assert hass.states.get("sensor.gateway_outage_cause").state == "system"


async def test_second_endpoint_with_its_own_rule(
    hass: HomeAssistant, api: ProviderApi, clock: FrozenDateTimeFactory
) -> None:
    both = system(
        api,
        "/v2/sites",
        **TWO_HEADERS | NESTED,
        path="$.state",
        second_url=api.url("/v2/alarms"),
        second_method="POST",
        second_body='{"query": "alarms"}',
        second_path="$.alarms.active",
        second_comparison="equals",
        second_expected="0",
    )
    await setup_entry(hass, provider_entry({"system_gateway": both}))
    assert state(hass, GATEWAY) == STATE_ON
    api.active_alarms = 2
    await advance(hass, clock, 30, 5)
    assert state(hass, GATEWAY) == STATE_OFF


# --- older systems, reconfigure, the form's checks ---------------------------------


async def test_older_stored_system_keeps_working(
    hass: HomeAssistant, cloud: ProviderCloud
) -> None:
    """Stored before issue 20: no new field; a second URL without a path unused."""
    old = {
        "kind": "cloud",
        "url": cloud.url,
        "method": "GET",
        "verify_tls": True,
        "auth_type": "bearer",
        "token": CLOUD_TOKEN,
        "path": "$.devices[0].online",
        "comparison": "truthy",
        "quiet_at_night": False,
        "second_url": cloud.health_url,
        "second_comparison": "truthy",
        "poll_interval": 30,
        "timeout": 2,
        "retry_interval": 5,
        "failures_before_offline": 2,
        "successes_before_online": 1,
    }
    await setup_entry(hass, provider_entry({"system_panel": old}))
    assert state(hass, "binary_sensor.panel_connectivity") == STATE_ON
    assert (cloud.hits(), cloud.hits("/api/health")) == (1, 0)


async def test_reconfigure_keeps_secret_headers_unseen(
    hass: HomeAssistant, api: ProviderApi
) -> None:
    stored = system(api, "/v2/sites", **TWO_HEADERS | NESTED, path="$.state")
    entry = await setup_entry(hass, provider_entry({"system_gateway": stored}))
    result = await start_system_reconfigure(hass, entry, "system_gateway")
    assert suggested(result, "secret_headers", "auth") is None  # never sent back
    assert suggested(result, "headers", "auth") == "X-Api-Version: 2"
    user_input = form(
        api,
        "/v2/sites",
        auth={"auth_type": "bearer", "headers": "X-Api-Version: 2"},
        rule={"path": "$.state", "comparison": "truthy"} | NESTED,
    )
    result = await configure(hass, result["flow_id"], user_input)
    assert result["description_placeholders"]["verdict"] == "online"
    await configure(hass, result["flow_id"], {"next_step_id": "cloud_save"})
    data = entry.subentries["system_gateway"].data
    assert data["secret_headers"] == f"X-Api-Key: {API_KEY}"
    assert data["token"] == TOKEN


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"auth": {"auth_type": "none", "headers": "X-Api-Version 2"}}, "headers"),
        ({"auth": {"auth_type": "none", "headers": "Host: evil"}}, "headers"),
        (
            {"auth": {"auth_type": "none", "secret_headers": "X-Key: a\nX-Key: b"}},
            {"secret_headers": "duplicate_header"},
        ),
        (
            {
                "auth": {"auth_type": "bearer", "token": "t"}
                | {"headers": "authorization: x"}
            },
            {"headers": "duplicate_header"},
        ),
        (
            {"auth": {"auth_type": "session", "username": "u"}},
            {"login_url": "invalid_url"},
        ),
        (
            {
                "auth": {"auth_type": "session", "username": "u"},
                "login": {"login_url": "http://127.0.0.1:9/l", "login_body": "u=1"},
            },
            {"login_body": "login_without_password"},
        ),
        (
            {
                "auth": {"auth_type": "session", "username": "u"},
                "login": {"login_url": "http://127.0.0.1:9/l", "login_method": "GET"},
            },
            {"login_url": "login_without_password"},
        ),
        (
            {
                "auth": {"auth_type": "session", "username": "u"},
                "login": {
                    "login_url": "http://127.0.0.1:9/l",
                    "token_path": "data.token",
                    "token_header": "X-Token",
                },
            },
            {"token_path": "invalid_path", "token_header": "invalid_token_header"},
        ),
        (
            {
                "checkin": {
                    "checkin_path": "$.t",
                    "max_age": 60,
                    "checkin_format": "yyMMdd",
                }
            },
            {"checkin_format": "invalid_time_format"},
        ),
        (
            {"checkin": {"checkin_path": "$.t", "max_age": 60, "checkin_format": "%Q"}},
            {"checkin_format": "invalid_time_format"},
        ),
        ({"rule": {"comparison": "contains"}}, {"expected": "expected_required"}),
        (
            {
                "rule": {
                    "path": "$.a",
                    "filter_path": "$.d",
                    "id_key": "$[",
                    "id_value": "1",
                }
            },
            {"id_key": "invalid_path"},
        ),
        (
            {"second_endpoint": {"second_url": "http://127.0.0.1:9/a"}},
            {"second_path": "invalid_path"},
        ),
    ],
)
async def test_new_fields_are_checked(
    hass: HomeAssistant,
    api: ProviderApi,
    provider: MockConfigEntry,
    change: dict[str, Any],
    errors: dict[str, str] | str,
) -> None:
    if isinstance(errors, str):
        errors = {errors: "invalid_headers"}
    user_input = form(api, "/v2/sites", rule={"path": "$.a", "comparison": "truthy"})
    for key, value in change.items():
        base = user_input.get(key, {})
        user_input[key] = base | value if key != "rule" else value
    flow = await start_system_flow(hass, provider, "cloud")
    result = await configure(hass, flow["flow_id"], user_input)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert api.requests == []  # nothing is sent before the form is right


# --- what else a login or a header may meet -----------------------------------------


@pytest.mark.parametrize(
    ("login", "reason"),
    [
        # a JSON login without a token path: the session would be a cookie
        (
            {
                "login_url": "/auth/token",
                "login_body": '{"user": "$username", "pass": "$password"}',
            },
            "the login's answer set no cookie",
        ),
        (
            {
                "login_url": "/auth/token",
                "login_body": '{"user": "$username", "pass": "$password"}',
                "token_path": "$.token",
            },
            "the login's answer has no token at $.token",
        ),
        # a GET login, the credentials in its URL: this provider wants a POST
        (
            {
                "login_url": "/auth/login?u=$username&p=$password",
                "login_method": "GET",
            },
            "provider API answered HTTP 400",
        ),
    ],
)
async def test_login_without_a_session_in_the_test_step(
    hass: HomeAssistant,
    api: ProviderApi,
    provider: MockConfigEntry,
    login: dict[str, str],
    reason: str,
) -> None:
    login = login | {"login_url": api.url(login["login_url"])}
    user_input = form(
        api,
        "/portal/status",
        auth={"auth_type": "session", "username": USER, "password": PASSWORD},
        login={"login_method": "POST"} | login,
        rule={"comparison": "contains", "expected": "normal"},
    )
    result = await submit_and_test(hass, provider, user_input)
    assert result["description_placeholders"]["reason"] == reason
    assert api.hits("/portal/status") == 0  # no request without a session
    (sent,) = [r for r in api.requests if r.path.startswith("/auth/")]
    if login.get("login_method") == "GET":
        assert sent.method == "GET"
        assert sent.body == ""
        assert sent.path == "/auth/login"
        assert dict(parse_qsl(sent.query)) == {"u": USER, "p": PASSWORD}
        shown = result["description_placeholders"]["sent"]
        assert "p=**REDACTED**" in shown  # the password in the URL is masked


async def test_secret_headers_alone_are_asked_for_again(
    hass: HomeAssistant, cloud: ProviderCloud, clock: FrozenDateTimeFactory
) -> None:
    """A system whose only credential is a secret header: reauth asks for it."""
    cloud.auth = "api_key"
    panel = {
        "kind": "cloud",
        "url": cloud.url,
        "method": "GET",
        "verify_tls": True,
        "auth_type": "none",
        "secret_headers": f"X-API-Key: {cloud.api_key}",
        "path": "$.devices[0].online",
        "comparison": "truthy",
        "quiet_at_night": False,
        "second_comparison": "truthy",
        "poll_interval": 30,
        "timeout": 2,
        "retry_interval": 5,
        "failures_before_offline": 2,
        "successes_before_online": 1,
    }
    entry = await setup_entry(hass, provider_entry({"system_panel": panel}))
    assert state(hass, "binary_sensor.panel_connectivity") == STATE_ON
    cloud.revoke()
    await advance(hass, clock, 30)
    (flow,) = reauth_flows(hass)
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"system": "system_panel", "secret_headers": "no colon"}
    )
    assert result["errors"] == {"secret_headers": "invalid_headers"}
    new = f"X-API-Key: {cloud.api_key}"
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"system": "system_panel", "secret_headers": new}
    )
    assert result["reason"] == "reauth_successful"
    await settle(hass)
    assert entry.subentries["system_panel"].data["secret_headers"] == new
    assert state(hass, "binary_sensor.panel_connectivity") == STATE_ON


async def test_two_login_systems_share_one_cookieless_session(
    hass: HomeAssistant, api: ProviderApi
) -> None:
    """Two systems log in on their own; each sends only its own session."""
    portal = system(
        api, "/portal/status", comparison="contains", expected="normal", **COOKIE_LOGIN
    )
    token = system(
        api,
        "/portal/status",
        comparison="not_contains",
        expected="maint",
        **TOKEN_LOGIN,
    )
    await setup_entry(
        hass, provider_entry({"system_portal": portal, "system_token": token})
    )
    assert state(hass, PORTAL) == STATE_ON
    assert state(hass, "binary_sensor.token_connectivity") == STATE_ON
    status = [r for r in api.requests if r.path == "/portal/status"]
    assert len(status) == 2
    (sid,) = [secret for secret in api.issued if secret.startswith("sid")]
    (tok,) = [secret for secret in api.issued if secret.startswith("stok")]
    sent = {(r.headers.get("Cookie"), r.headers.get("X-Auth-Token")) for r in status}
    assert sent == {(f"sid={sid}", None), (None, tok)}


async def test_session_refused_right_after_login_is_rejected_credentials(
    hass: HomeAssistant, api: ProviderApi, clock: FrozenDateTimeFactory
) -> None:
    """The login works but the API refuses its session: no login loop, reauth."""
    sites = system(api, "/v2/sites", path="$.account", **COOKIE_LOGIN)
    await setup_entry(hass, provider_entry({"system_gateway": sites}))
    assert state(hass, GATEWAY) == STATE_UNAVAILABLE
    assert hass.states.get("sensor.gateway_outage_cause").state == "auth"
    assert (api.hits("/auth/login"), api.hits("/v2/sites")) == (1, 1)
    assert len(reauth_flows(hass)) == 1


async def test_checkin_path_on_an_html_answer(
    hass: HomeAssistant, api: ProviderApi, provider: MockConfigEntry
) -> None:
    user_input = form(
        api,
        "/portal/status",
        auth={"auth_type": "session", "username": USER, "password": PASSWORD},
        login={"login_url": api.url("/auth/login"), "login_method": "POST"}
        | {"login_body": "user=$username&pass=$password"},
        rule={"comparison": "contains", "expected": "normal"},
        checkin={"checkin_path": "$.last", "max_age": 60, "quiet_at_night": False},
    )
    result = await submit_and_test(hass, provider, user_input)
    shown = result["description_placeholders"]
    assert shown["checkin"] == "none readable at $.last"
    assert shown["reason"] == "no check-in time in response"
    assert shown["verdict"] == "unknown"
