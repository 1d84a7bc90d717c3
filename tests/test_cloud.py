"""Cloud API systems end to end: a provider cloud on 127.0.0.1, real Home Assistant.

Each test looks at what the user sees: the connectivity binary sensor, the status and
outage-cause sensors, the offline/online bus events and the reauth flow.
"""

import base64
from collections.abc import AsyncGenerator, Generator
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.provider_watch.const import (
    CONF_AUTH_TYPE,
    CONF_COMPARISON,
    CONF_EXPECTED,
    CONF_FAILURES_BEFORE_OFFLINE,
    CONF_FILTER_PATH,
    CONF_HEADER_NAME,
    CONF_HEADER_VALUE,
    CONF_ID_KEY,
    CONF_ID_VALUE,
    CONF_KIND,
    CONF_METHOD,
    CONF_PASSWORD,
    CONF_PATH,
    CONF_POLL_INTERVAL,
    CONF_QUIET_AT_NIGHT,
    CONF_RETRY_INTERVAL,
    CONF_SECOND_COMPARISON,
    CONF_SUCCESSES_BEFORE_ONLINE,
    CONF_TIMEOUT,
    CONF_TIMEZONE,
    CONF_TOKEN,
    CONF_URL,
    CONF_USERNAME,
    CONF_VERIFY_TLS,
    DOMAIN,
    EVENT_SYSTEM_OFFLINE,
    EVENT_SYSTEM_ONLINE,
)
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import (
    MATCH_ALL,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
)
from homeassistant.core import Event, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import sun
from testkit.simulated import SimulatedDevice

from .helpers import (
    INTERNET,
    advance,
    http_system,
    jump,
    provider_entry,
    settle,
    setup_entry,
)
from .provider_cloud import (
    API_KEY,
    API_KEY_HEADER,
    PASSWORD,
    TOKEN,
    USERNAME,
    ProviderCloud,
)

PANEL = "system_panel"  # title "Panel": device 41 of the provider's list
GATEWAY = "system_gateway"  # title "Gateway": device "42"
PORTAL = "system_portal"  # title "Portal": a plain HTTP system of the same provider
START = datetime(2027, 1, 15, 12, 0, 0, tzinfo=UTC)  # a whole second, in the future

pytestmark = pytest.mark.usefixtures("internet")  # the home's internet check is up


# --- helpers -------------------------------------------------------------------


def cloud_system(url: str, **overrides: Any) -> dict[str, Any]:
    """Subentry data of a cloud system as the flow stores it, with quick timing."""
    return {
        CONF_KIND: "cloud",
        CONF_URL: url,
        CONF_METHOD: "GET",
        CONF_VERIFY_TLS: True,
        CONF_AUTH_TYPE: "bearer",
        CONF_TOKEN: TOKEN,
        CONF_COMPARISON: "truthy",
        CONF_QUIET_AT_NIGHT: False,
        CONF_SECOND_COMPARISON: "truthy",
        CONF_POLL_INTERVAL: 30,
        CONF_TIMEOUT: 2,
        CONF_RETRY_INTERVAL: 5,
        CONF_FAILURES_BEFORE_OFFLINE: 2,
        CONF_SUCCESSES_BEFORE_ONLINE: 1,
    } | overrides


def device_system(
    cloud: ProviderCloud, device_id: str, **overrides: Any
) -> dict[str, Any]:
    """A device picked out of the provider's list by an id typed as text."""
    return cloud_system(
        cloud.url,
        **{CONF_FILTER_PATH: "$.devices", CONF_ID_KEY: "id", CONF_ID_VALUE: device_id}
        | overrides,
    )


def panel_system(cloud: ProviderCloud, **overrides: Any) -> dict[str, Any]:
    """Device 41: online when its "online" is truthy."""
    return device_system(cloud, "41", **{CONF_PATH: "$.online"} | overrides)


def gateway_system(cloud: ProviderCloud, **overrides: Any) -> dict[str, Any]:
    """Device "42": its status must equal "online" (sent as "ONLINE")."""
    rule = {CONF_PATH: "$.status", CONF_COMPARISON: "equals", CONF_EXPECTED: "online"}
    return device_system(cloud, "42", **rule | overrides)


FILTER_KEYS = (CONF_FILTER_PATH, CONF_ID_KEY, CONF_ID_VALUE)


def single_device(data: dict[str, Any], url: str) -> dict[str, Any]:
    """The same rule against an endpoint that answers with one device, unfiltered."""
    return {k: v for k, v in data.items() if k not in FILTER_KEYS} | {CONF_URL: url}


AUTH_SETTINGS: dict[str, dict[str, str]] = {
    "none": {CONF_AUTH_TYPE: "none"},
    "bearer": {CONF_AUTH_TYPE: "bearer", CONF_TOKEN: TOKEN},
    "api_key": {
        CONF_AUTH_TYPE: "api_key",
        CONF_HEADER_NAME: API_KEY_HEADER,
        CONF_HEADER_VALUE: API_KEY,
    },
    "basic": {
        CONF_AUTH_TYPE: "basic",
        CONF_USERNAME: USERNAME,
        CONF_PASSWORD: PASSWORD,
    },
}
SCHEMES = ("bearer", "api_key", "basic")


def with_auth(data: dict[str, Any], auth: str) -> dict[str, Any]:
    """The same system with another authentication scheme."""
    return {k: v for k, v in data.items() if k != CONF_TOKEN} | AUTH_SETTINGS[auth]


def shown(hass: HomeAssistant, system: str) -> dict[str, str]:
    """What the user sees of a system: connectivity, status and outage cause."""
    name = system.removeprefix("system_")
    return {
        "connectivity": hass.states.get(f"binary_sensor.{name}_connectivity").state,
        "status": hass.states.get(f"sensor.{name}_status").state,
        "cause": hass.states.get(f"sensor.{name}_outage_cause").state,
    }


def view(connectivity: str, status: str, cause: str = "none") -> dict[str, str]:
    return {"connectivity": connectivity, "status": status, "cause": cause}


ONLINE = view(STATE_ON, "online")


def offline_events(hass: HomeAssistant) -> list[Event[dict[str, Any]]]:
    return async_capture_events(hass, EVENT_SYSTEM_OFFLINE)


def reauth_flows(hass: HomeAssistant, entry: MockConfigEntry) -> list[Any]:
    return [
        flow
        for flow in hass.config_entries.flow.async_progress()
        if flow["context"]["source"] == SOURCE_REAUTH
        and flow["context"]["entry_id"] == entry.entry_id
    ]


# --- fixtures ------------------------------------------------------------------


@pytest.fixture
def start_clock(freezer: FrozenDateTimeFactory) -> FrozenDateTimeFactory:
    """A frozen clock at a whole second (Retry-After and check-in ages are exact)."""
    freezer.move_to(START)
    return freezer


@pytest.fixture
async def other_cloud(socket_enabled: None) -> AsyncGenerator[ProviderCloud]:
    """A second API on another port (another origin), without authentication."""
    async with ProviderCloud(auth="none") as simulated:
        yield simulated


@pytest.fixture
def log_text() -> Generator[list[str]]:
    """Every log record at DEBUG and above, formatted, for the whole test.

    A handler of our own (not caplog), so it also works with `-p no:logging`.
    """
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Collect(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield lines
    root.removeHandler(handler)
    root.setLevel(old_level)


# --- online, and offline with a cause ------------------------------------------


async def test_devices_online_via_filter(
    hass: HomeAssistant, cloud: ProviderCloud
) -> None:
    await setup_entry(
        hass,
        provider_entry({PANEL: panel_system(cloud), GATEWAY: gateway_system(cloud)}),
    )
    assert shown(hass, PANEL) == ONLINE
    assert shown(hass, GATEWAY) == ONLINE
    assert float(hass.states.get("sensor.panel_response_time").state) >= 0
    assert hass.states.get("sensor.panel_last_seen_online").state != STATE_UNKNOWN
    # both systems read the same list; the bearer token was sent each time
    assert cloud.hits() == 2
    assert {r.headers["Authorization"] for r in cloud.requests} == {f"Bearer {TOKEN}"}
    assert {r.headers["Accept"] for r in cloud.requests} == {"application/json"}


async def test_device_offline_while_cloud_answers_is_the_system(
    hass: HomeAssistant,
    cloud: ProviderCloud,
    freezer: FrozenDateTimeFactory,
) -> None:
    offline = offline_events(hass)
    online = async_capture_events(hass, EVENT_SYSTEM_ONLINE)
    await setup_entry(
        hass,
        provider_entry({PANEL: panel_system(cloud), GATEWAY: gateway_system(cloud)}),
    )
    cloud.panel_online = False
    cloud.gateway_status = "OFFLINE"
    await advance(hass, freezer, 30)
    assert shown(hass, PANEL) == view(STATE_ON, "pending")
    await advance(hass, freezer, 5)
    assert shown(hass, PANEL) == view(STATE_OFF, "offline", "system")
    assert shown(hass, GATEWAY) == view(STATE_OFF, "offline", "system")
    reasons = {event.data["system"]: event.data for event in offline}
    assert reasons["Panel"]["cause"] == "system"
    assert reasons["Panel"]["reason"] == "value at $.online of device 41 is false"
    assert reasons["Panel"]["kind"] == "cloud"
    assert reasons["Gateway"]["cause"] == "system"
    assert reasons["Gateway"]["reason"] == (
        'value at $.status of device 42 is "OFFLINE", not "online"'
    )

    assert hass.states.get("event.panel_status_change").attributes["reason"] == (
        "value at $.online of device 41 is false"
    )

    cloud.panel_online = True
    cloud.gateway_status = "Online"
    await advance(hass, freezer, 30)
    assert shown(hass, PANEL) == ONLINE
    assert shown(hass, GATEWAY) == ONLINE
    assert len(offline) == 2
    assert len(online) == 2


async def test_device_missing_from_list(
    hass: HomeAssistant,
    cloud: ProviderCloud,
    freezer: FrozenDateTimeFactory,
) -> None:
    offline = offline_events(hass)
    await setup_entry(hass, provider_entry({PANEL: panel_system(cloud)}))
    cloud.include_panel = False
    await advance(hass, freezer, 30, 5)
    assert shown(hass, PANEL) == view(STATE_OFF, "offline", "system")
    assert offline[0].data["reason"] == "device 41 not in the provider's list"


@pytest.mark.parametrize(
    ("breakage", "reason"),
    [
        ("503", "provider API answered HTTP 503"),
        ("500", "provider API answered HTTP 500"),
        ("stopped", "provider API unreachable: connection refused"),
    ],
)
async def test_provider_api_down_is_the_provider_cloud(
    hass: HomeAssistant,
    cloud: ProviderCloud,
    freezer: FrozenDateTimeFactory,
    breakage: str,
    reason: str,
) -> None:
    offline = offline_events(hass)
    online = async_capture_events(hass, EVENT_SYSTEM_ONLINE)
    await setup_entry(hass, provider_entry({PANEL: panel_system(cloud)}))
    assert shown(hass, PANEL) == ONLINE
    if breakage == "stopped":
        await cloud.stop()
    else:
        cloud.status = int(breakage)
    await advance(hass, freezer, 30, 5)
    assert shown(hass, PANEL) == view(STATE_OFF, "offline", "provider_cloud")
    assert len(offline) == 1
    assert offline[0].data["cause"] == "provider_cloud"
    assert offline[0].data["reason"] == reason
    assert hass.states.get(INTERNET).state == STATE_ON

    if breakage == "stopped":
        await cloud.start()
    cloud.status = 200
    await advance(hass, freezer, 30)
    assert shown(hass, PANEL) == ONLINE
    assert len(online) == 1


async def test_slow_api_times_out_as_provider_cloud(
    hass: HomeAssistant, cloud: ProviderCloud
) -> None:
    """Real time: the probe waits out its own 1 s timeout."""
    offline = offline_events(hass)
    cloud.hang = True
    await setup_entry(
        hass,
        provider_entry(
            {PANEL: panel_system(cloud, timeout=1, failures_before_offline=1)}
        ),
    )
    assert shown(hass, PANEL) == view(STATE_OFF, "offline", "provider_cloud")
    assert offline[0].data["reason"] == "provider API unreachable: timeout after 1 s"


async def test_cause_follows_the_internet_without_new_events(
    hass: HomeAssistant,
    cloud: ProviderCloud,
    internet: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Panel: its device is offline; Gateway: its own endpoint fails with 503."""
    offline = offline_events(hass)
    gateway = single_device(gateway_system(cloud), cloud.device_url(42))
    await setup_entry(
        hass, provider_entry({PANEL: panel_system(cloud), GATEWAY: gateway})
    )
    assert shown(hass, GATEWAY) == ONLINE
    cloud.panel_online = False
    cloud.status_for["/api/devices/42"] = 503
    await advance(hass, freezer, 30, 5)
    assert shown(hass, PANEL) == view(STATE_OFF, "offline", "system")
    assert shown(hass, GATEWAY) == view(STATE_OFF, "offline", "provider_cloud")
    assert len(offline) == 2

    # the internet goes: after its 2 failed checks every outage is blamed on it
    await internet.stop()
    await advance(hass, freezer, 30)
    assert hass.states.get(INTERNET).state == STATE_ON  # one failure: suspect
    assert shown(hass, PANEL)["cause"] == "system"
    await advance(hass, freezer, 5)
    assert hass.states.get(INTERNET).state == STATE_OFF
    assert shown(hass, PANEL) == view(STATE_OFF, "offline", "internet")
    assert shown(hass, GATEWAY) == view(STATE_OFF, "offline", "internet")

    # the internet is back, the systems are still down: each gets its own cause again
    await internet.start()
    await advance(hass, freezer, 30)
    assert hass.states.get(INTERNET).state == STATE_ON
    assert shown(hass, PANEL) == view(STATE_OFF, "offline", "system")
    assert shown(hass, GATEWAY) == view(STATE_OFF, "offline", "provider_cloud")
    assert len(offline) == 2  # the cause changed, nothing was announced again


async def test_outage_starting_while_internet_down_is_the_internet(
    hass: HomeAssistant,
    cloud: ProviderCloud,
    internet: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
) -> None:
    offline = offline_events(hass)
    await setup_entry(hass, provider_entry({PANEL: panel_system(cloud)}))
    await internet.stop()
    await advance(hass, freezer, 30, 5)
    assert hass.states.get(INTERNET).state == STATE_OFF
    assert shown(hass, PANEL) == ONLINE  # the internet check alone changes nothing

    await cloud.stop()
    await advance(hass, freezer, 30, 5)
    assert shown(hass, PANEL) == view(STATE_OFF, "offline", "internet")
    assert offline[0].data["cause"] == "internet"
    assert offline[0].data["reason"] == "provider API unreachable: connection refused"

    await internet.start()
    await advance(hass, freezer, 30)
    assert shown(hass, PANEL) == view(STATE_OFF, "offline", "provider_cloud")
    assert len(offline) == 1


async def test_all_cloud_systems_failing_alike_blame_the_provider(
    hass: HomeAssistant,
    cloud: ProviderCloud,
    other_cloud: ProviderCloud,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Both cloud systems fail the same way; a plain HTTP sibling follows them."""
    offline = offline_events(hass)
    portal = http_system(
        other_cloud.health_url, failures_before_offline=2, successes_before_online=1
    )
    await setup_entry(
        hass,
        provider_entry(
            {
                PANEL: panel_system(cloud),
                GATEWAY: gateway_system(cloud),
                PORTAL: portal,
            }
        ),
    )
    assert shown(hass, PORTAL) == ONLINE
    cloud.status = 503
    await advance(hass, freezer, 30, 5)
    assert shown(hass, PANEL) == view(STATE_OFF, "offline", "provider_cloud")
    assert shown(hass, GATEWAY) == view(STATE_OFF, "offline", "provider_cloud")
    assert {event.data["reason"] for event in offline} == {
        "provider API answered HTTP 503"
    }

    # the HTTP system goes down while every cloud system fails alike
    await other_cloud.stop()
    await advance(hass, freezer, 30, 5)
    assert shown(hass, PORTAL) == view(STATE_OFF, "offline", "provider_cloud")
    assert offline[-1].data["system"] == "Portal"
    assert offline[-1].data["cause"] == "provider_cloud"

    # the cloud recovers, the HTTP system does not: now it is the system itself
    cloud.status = 200
    await advance(hass, freezer, 30)
    assert shown(hass, PANEL) == ONLINE
    assert shown(hass, GATEWAY) == ONLINE
    assert shown(hass, PORTAL) == view(STATE_OFF, "offline", "system")
    assert len(offline) == 3


# --- credentials ---------------------------------------------------------------


@pytest.mark.parametrize("reject_status", [401, 403])
async def test_revoked_token_asks_for_new_credentials(
    hass: HomeAssistant,
    cloud: ProviderCloud,
    other_cloud: ProviderCloud,
    freezer: FrozenDateTimeFactory,
    reject_status: int,
) -> None:
    offline = offline_events(hass)
    gateway = with_auth(gateway_system(other_cloud), "none")
    entry = await setup_entry(
        hass, provider_entry({PANEL: panel_system(cloud), GATEWAY: gateway})
    )
    assert shown(hass, PANEL) == ONLINE
    assert reauth_flows(hass, entry) == []

    cloud.reject_status = reject_status
    cloud.revoke()
    new_token = cloud.token
    await advance(hass, freezer, 30)
    assert shown(hass, PANEL) == view(STATE_UNAVAILABLE, STATE_UNAVAILABLE, "auth")
    assert hass.states.get("sensor.panel_last_seen_online").state == STATE_UNAVAILABLE
    assert shown(hass, GATEWAY) == ONLINE  # the other system is not affected
    assert offline == []  # rejected credentials are no outage
    (flow,) = reauth_flows(hass, entry)
    assert flow["step_id"] == "reauth_confirm"

    # no more requests with the rejected token until the user acts
    hits = cloud.hits()
    await advance(hass, freezer, 30, 30, 30)
    assert cloud.hits() == hits
    assert shown(hass, PANEL)["cause"] == "auth"

    # the form insists on a credential
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"system": PANEL}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "missing_credentials"}
    assert result["description_placeholders"]["provider"] == "Acme Alarm"

    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"system": PANEL, "token": f"  {new_token} "}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await settle(hass)
    assert entry.subentries[PANEL].data[CONF_TOKEN] == new_token
    assert dict(entry.subentries[GATEWAY].data) == gateway
    assert entry.state is ConfigEntryState.LOADED
    assert shown(hass, PANEL) == ONLINE  # reloaded and checked with the new token
    assert cloud.requests[-1].headers["Authorization"] == f"Bearer {new_token}"
    assert reauth_flows(hass, entry) == []
    assert offline == []


async def test_wrong_token_from_the_start(
    hass: HomeAssistant, cloud: ProviderCloud
) -> None:
    typo = panel_system(cloud) | {CONF_TOKEN: "tok-typo"}
    entry = await setup_entry(hass, provider_entry({PANEL: typo}))
    assert shown(hass, PANEL) == view(STATE_UNAVAILABLE, STATE_UNAVAILABLE, "auth")
    assert len(reauth_flows(hass, entry)) == 1


# --- rate limits ---------------------------------------------------------------


@pytest.mark.parametrize("as_date", [False, True], ids=["seconds", "http_date"])
async def test_rate_limited_waits_for_retry_after(
    hass: HomeAssistant,
    cloud: ProviderCloud,
    start_clock: FrozenDateTimeFactory,
    as_date: bool,
) -> None:
    offline = offline_events(hass)
    await setup_entry(hass, provider_entry({PANEL: panel_system(cloud)}))
    assert cloud.hits() == 1
    cloud.status = 429
    cloud.retry_after = (
        format_datetime(START + timedelta(seconds=150), usegmt=True)
        if as_date
        else "120"
    )
    await advance(hass, start_clock, 30)  # the regular check is told to wait 120 s
    assert cloud.hits() == 2
    assert shown(hass, PANEL) == ONLINE  # no evidence either way: nothing changes

    for seconds in (30, 30, 30, 25):  # the usual 30 s checks are skipped
        await advance(hass, start_clock, seconds)
        assert cloud.hits() == 2
    cloud.status = 200
    await advance(hass, start_clock, 5)  # 120 s after the 429
    assert cloud.hits() == 3
    await advance(hass, start_clock, 30)  # back to the regular interval
    assert cloud.hits() == 4
    assert shown(hass, PANEL) == ONLINE
    assert offline == []


async def test_rate_limited_while_offline_stays_offline(
    hass: HomeAssistant,
    cloud: ProviderCloud,
    freezer: FrozenDateTimeFactory,
) -> None:
    online = async_capture_events(hass, EVENT_SYSTEM_ONLINE)
    await setup_entry(hass, provider_entry({PANEL: panel_system(cloud)}))
    cloud.panel_online = False
    await advance(hass, freezer, 30, 5)
    assert shown(hass, PANEL) == view(STATE_OFF, "offline", "system")
    cloud.status = 429
    cloud.retry_after = "60"
    await advance(hass, freezer, 30)
    assert shown(hass, PANEL) == view(STATE_OFF, "offline", "system")
    assert online == []


# --- answers that cannot tell ----------------------------------------------------


async def test_html_answer_is_no_evidence(
    hass: HomeAssistant,
    cloud: ProviderCloud,
    freezer: FrozenDateTimeFactory,
) -> None:
    offline = offline_events(hass)
    await setup_entry(hass, provider_entry({PANEL: panel_system(cloud)}))
    cloud.html = True
    await advance(hass, freezer, 30, 30, 30, 30)
    assert shown(hass, PANEL) == ONLINE
    assert offline == []


@pytest.mark.parametrize(
    ("shape", "rule"),
    [
        (
            "bare_array",
            {CONF_FILTER_PATH: "$", CONF_ID_KEY: "id", CONF_ID_VALUE: "41"},
        ),
        (
            "dotted",
            {
                CONF_PATH: "$['is.online']",
                CONF_FILTER_PATH: "$['account.devices']",
                CONF_ID_KEY: "device.id",
                CONF_ID_VALUE: "41",
            },
        ),
        ("single_device", {}),
    ],
)
async def test_answer_shapes(
    hass: HomeAssistant,
    cloud: ProviderCloud,
    freezer: FrozenDateTimeFactory,
    shape: str,
    rule: dict[str, str],
) -> None:
    """A bare list at the root, keys with dots, one device per URL."""
    system = panel_system(cloud, **rule)
    if shape == "single_device":
        system = single_device(system, cloud.device_url(41))
    else:
        cloud.shape = shape
    await setup_entry(hass, provider_entry({PANEL: system}))
    assert shown(hass, PANEL) == ONLINE
    cloud.panel_online = "disconnected"
    await advance(hass, freezer, 30, 5)
    assert shown(hass, PANEL) == view(STATE_OFF, "offline", "system")


async def test_post_with_json_body_and_api_key(
    hass: HomeAssistant, socket_enabled: None
) -> None:
    async with ProviderCloud(auth="api_key") as cloud:
        system = with_auth(
            panel_system(cloud, method="POST", body='{"ids": [41]}'), "api_key"
        )
        await setup_entry(hass, provider_entry({PANEL: system}))
        assert shown(hass, PANEL) == ONLINE
        (request,) = cloud.requests
        assert request.method == "POST"
        assert request.body == '{"ids": [41]}'
        assert request.headers["Content-Type"] == "application/json"
        assert request.headers[API_KEY_HEADER] == API_KEY
        assert "Authorization" not in request.headers


# --- last check-in -------------------------------------------------------------


async def test_frozen_checkin_is_offline(
    hass: HomeAssistant,
    cloud: ProviderCloud,
    start_clock: FrozenDateTimeFactory,
) -> None:
    """The API answers "online", but the device has not checked in for an hour."""
    offline = offline_events(hass)
    system = panel_system(cloud, checkin_path="$.last_seen", max_age=600)
    cloud.panel_last_seen = START - timedelta(minutes=5)
    await setup_entry(hass, provider_entry({PANEL: system}))
    assert shown(hass, PANEL) == ONLINE

    cloud.panel_last_seen = START - timedelta(hours=1)
    await advance(hass, start_clock, 30, 5)
    assert shown(hass, PANEL) == view(STATE_OFF, "offline", "system")
    assert offline[0].data["reason"] == "last check-in 1 h ago"

    cloud.panel_last_seen = None  # checks in now
    await advance(hass, start_clock, 30)
    assert shown(hass, PANEL) == ONLINE


@pytest.mark.parametrize(
    ("timezone", "expected"),
    [
        ("Pacific/Honolulu", ONLINE),  # 10:00 in Honolulu is 20:00 UTC: 5 min old
        (None, view(STATE_OFF, "offline", "system")),  # 10:00 in HA's zone (UTC-8)
    ],
)
async def test_naive_checkin_read_in_the_configured_zone(
    hass: HomeAssistant,
    cloud: ProviderCloud,
    freezer: FrozenDateTimeFactory,
    timezone: str | None,
    expected: dict[str, str],
) -> None:
    freezer.move_to(datetime(2027, 1, 15, 20, 5, tzinfo=UTC))
    assert hass.config.time_zone == "US/Pacific"
    offline = offline_events(hass)
    cloud.panel_last_seen = "2027-01-15T10:00:00"  # no zone
    extra = {CONF_TIMEZONE: timezone} if timezone else {}
    system = panel_system(
        cloud,
        checkin_path="$.last_seen",
        max_age=600,
        failures_before_offline=1,
        **extra,
    )
    await setup_entry(hass, provider_entry({PANEL: system}))
    assert shown(hass, PANEL) == expected
    if timezone is None:
        assert offline[0].data["reason"] == "last check-in 2 h 5 min ago"


async def test_unknown_stored_timezone_reads_naive_times_as_utc(
    hass: HomeAssistant,
    cloud: ProviderCloud,
    start_clock: FrozenDateTimeFactory,
) -> None:
    """A zone that vanished from the tz database: fall back to UTC, not crash."""
    cloud.panel_last_seen = (START - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S")
    system = panel_system(
        cloud,
        checkin_path="$.last_seen",
        max_age=600,
        timezone="Atlantis/Capital",
        failures_before_offline=1,
    )
    await setup_entry(hass, provider_entry({PANEL: system}))
    assert shown(hass, PANEL) == ONLINE  # 5 min old in UTC (in UTC-8 it would be 8 h)


async def test_epoch_milliseconds_checkin(
    hass: HomeAssistant,
    cloud: ProviderCloud,
    start_clock: FrozenDateTimeFactory,
) -> None:
    offline = offline_events(hass)
    system = gateway_system(
        cloud, checkin_path="$.lastCheckin", max_age=900, failures_before_offline=1
    )
    cloud.gateway_checkin_ms = int((START - timedelta(minutes=14)).timestamp() * 1000)
    await setup_entry(hass, provider_entry({GATEWAY: system}))
    assert shown(hass, GATEWAY) == ONLINE
    cloud.gateway_checkin_ms = int((START - timedelta(hours=2)).timestamp() * 1000)
    await advance(hass, start_clock, 30)
    assert shown(hass, GATEWAY) == view(STATE_OFF, "offline", "system")
    assert offline[0].data["reason"] == "last check-in 2 h ago"


@pytest.mark.parametrize(
    ("quiet", "at_night", "reason"),
    [
        (True, ONLINE, "last check-in 19 h ago"),  # announced by day
        (False, view(STATE_OFF, "offline", "system"), "last check-in 8 h ago"),
    ],
    ids=["quiet_at_night", "not_quiet"],
)
async def test_quiet_at_night(
    hass: HomeAssistant,
    cloud: ProviderCloud,
    freezer: FrozenDateTimeFactory,
    quiet: bool,
    at_night: dict[str, str],
    reason: str,
) -> None:
    """A solar gateway stops checking in at night; in Berlin at 2 am the sun is down."""
    hass.config.latitude = 52.52
    hass.config.longitude = 13.405
    night = datetime(2027, 1, 15, 1, 0, tzinfo=UTC)
    freezer.move_to(night)
    assert not sun.is_up(hass)
    offline = offline_events(hass)
    system = gateway_system(
        cloud,
        checkin_path="$.lastCheckin",
        max_age=3600,
        quiet_at_night=quiet,
        failures_before_offline=1,
    )
    cloud.gateway_checkin_ms = int((night - timedelta(hours=8)).timestamp() * 1000)
    await setup_entry(hass, provider_entry({GATEWAY: system}))
    assert shown(hass, GATEWAY) == at_night
    await advance(hass, freezer, 30)
    assert shown(hass, GATEWAY) == at_night

    # the next day, still no check-in: by day that is an outage
    await jump(hass, freezer, datetime(2027, 1, 15, 12, 0, tzinfo=UTC))
    assert sun.is_up(hass)
    assert shown(hass, GATEWAY) == view(STATE_OFF, "offline", "system")
    assert len(offline) == 1
    assert offline[0].data["reason"] == reason


# --- template rule -------------------------------------------------------------

TEMPLATE = (
    "{{ value_json.devices | selectattr('id','eq',41) "
    "| map(attribute='online') | first }}"
)


def template_system(cloud: ProviderCloud, template: str) -> dict[str, Any]:
    return cloud_system(cloud.url, value_template=template)


@pytest.mark.parametrize(
    ("panel_online", "reason"),
    [
        (False, "template says False"),
        # JSON null renders as "None": offline, as a simple rule reads null
        (None, "template says None"),
    ],
    ids=["false", "null"],
)
async def test_template_rule(
    hass: HomeAssistant,
    cloud: ProviderCloud,
    freezer: FrozenDateTimeFactory,
    panel_online: bool | None,
    reason: str,
) -> None:
    offline = offline_events(hass)
    await setup_entry(hass, provider_entry({PANEL: template_system(cloud, TEMPLATE)}))
    assert shown(hass, PANEL) == ONLINE
    cloud.panel_online = panel_online
    await advance(hass, freezer, 30, 5)
    assert shown(hass, PANEL) == view(STATE_OFF, "offline", "system")
    assert offline[0].data["reason"] == reason


async def test_template_with_path_both_must_agree(
    hass: HomeAssistant,
    cloud: ProviderCloud,
    freezer: FrozenDateTimeFactory,
) -> None:
    offline = offline_events(hass)
    system = gateway_system(
        cloud,
        value_template="{{ value_json.count >= 2 }}",
    )
    await setup_entry(hass, provider_entry({GATEWAY: system}))
    assert shown(hass, GATEWAY) == ONLINE
    cloud.include_panel = False  # count is 1 now, the gateway itself is fine
    await advance(hass, freezer, 30, 5)
    assert shown(hass, GATEWAY) == view(STATE_OFF, "offline", "system")
    assert offline[0].data["reason"] == "template says False"


async def test_template_error_from_the_start_is_unknown(
    hass: HomeAssistant,
    cloud: ProviderCloud,
    freezer: FrozenDateTimeFactory,
) -> None:
    offline = offline_events(hass)
    template = "{{ value_json.devices[7].online }}"  # raises: there is no element 7
    await setup_entry(hass, provider_entry({PANEL: template_system(cloud, template)}))
    await advance(hass, freezer, 30, 30, 30)
    assert shown(hass, PANEL) == view(STATE_UNKNOWN, STATE_UNKNOWN)
    assert offline == []


@pytest.mark.parametrize(
    "template",
    [
        "{{ 1 / (value_json.count - 1) > 0 }}",  # ZeroDivisionError with one device
        "{{ value_json.devices[1].status == 'ONLINE' }}",  # no element 1 any more
        # devices[0] is now the gateway, which has no "online": a missing key
        # renders as nothing (Home Assistant only warns), so it cannot tell; the
        # simple rule reads a missing value the same way ("value not found")
        "{{ value_json.devices[0].online }}",
    ],
    ids=["division", "index", "missing value"],
)
async def test_template_error_keeps_the_state(
    hass: HomeAssistant,
    cloud: ProviderCloud,
    freezer: FrozenDateTimeFactory,
    template: str,
) -> None:
    """Once the answer (one device left) breaks the template: no evidence, no change."""
    offline = offline_events(hass)
    await setup_entry(hass, provider_entry({PANEL: template_system(cloud, template)}))
    assert shown(hass, PANEL) == ONLINE
    cloud.include_panel = False
    await advance(hass, freezer, 30, 30, 30)
    assert shown(hass, PANEL) == ONLINE
    assert offline == []


# --- second endpoint -----------------------------------------------------------


async def test_second_endpoint_must_agree(
    hass: HomeAssistant,
    cloud: ProviderCloud,
    freezer: FrozenDateTimeFactory,
) -> None:
    offline = offline_events(hass)
    online = async_capture_events(hass, EVENT_SYSTEM_ONLINE)
    system = panel_system(
        cloud,
        second_url=cloud.health_url,
        second_path="$.status",
        second_comparison="in_list",
        second_expected="ok, degraded",
    )
    await setup_entry(hass, provider_entry({PANEL: system}))
    assert shown(hass, PANEL) == ONLINE
    assert cloud.hits("/api/health") == 1
    health = next(r for r in cloud.requests if r.path == "/api/health")
    assert health.headers["Authorization"] == f"Bearer {TOKEN}"  # same credentials

    cloud.health = "maintenance"
    await advance(hass, freezer, 30, 5)
    assert shown(hass, PANEL) == view(STATE_OFF, "offline", "system")
    assert offline[0].data["reason"] == (
        'value at $.status is "maintenance", not one of ok, degraded'
    )

    cloud.health = "degraded"
    await advance(hass, freezer, 30)
    assert shown(hass, PANEL) == ONLINE

    # the health endpoint itself failing is the provider's cloud
    cloud.status_for["/api/health"] = 503
    await advance(hass, freezer, 30, 5)
    assert shown(hass, PANEL) == view(STATE_OFF, "offline", "provider_cloud")
    assert offline[-1].data["reason"] == "provider API answered HTTP 503"
    assert len(online) == 1

    # the main endpoint says offline: the health endpoint alone is not enough
    cloud.status_for.clear()
    cloud.panel_online = False
    await advance(hass, freezer, 30)
    assert shown(hass, PANEL) == view(STATE_OFF, "offline", "system")


# --- redirects and secrets -----------------------------------------------------


SECRETS = (TOKEN, API_KEY, PASSWORD)


def carries_secret(headers: dict[str, str]) -> bool:
    text = repr(headers)
    basic = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
    return any(secret in text for secret in (*SECRETS, basic)) or (
        "Authorization" in headers
    )


@pytest.mark.parametrize("auth", SCHEMES)
async def test_redirect_keeps_credentials_on_the_same_origin(
    hass: HomeAssistant, socket_enabled: None, auth: str
) -> None:
    async with ProviderCloud(auth=auth) as cloud:
        cloud.redirect_to = cloud.device_url(41)
        system = single_device(with_auth(panel_system(cloud), auth), cloud.url)
        await setup_entry(hass, provider_entry({PANEL: system}))
        assert shown(hass, PANEL) == ONLINE
        assert [r.path for r in cloud.requests] == ["/api/devices", "/api/devices/41"]
        assert all(carries_secret(r.headers) for r in cloud.requests)


@pytest.mark.parametrize("auth", SCHEMES)
async def test_redirect_to_another_origin_gets_no_credentials(
    hass: HomeAssistant,
    other_cloud: ProviderCloud,
    socket_enabled: None,
    auth: str,
) -> None:
    """The provider's API (or whoever controls it) points somewhere else."""
    async with ProviderCloud(auth=auth) as cloud:
        cloud.redirect_to = other_cloud.url
        await setup_entry(
            hass,
            provider_entry({PANEL: with_auth(panel_system(cloud), auth)}),
        )
        assert shown(hass, PANEL) == ONLINE  # the other host answered the list
        assert carries_secret(cloud.requests[0].headers)
        (forwarded,) = other_cloud.requests
        assert not carries_secret(forwarded.headers), forwarded.headers


async def test_redirect_loop(
    hass: HomeAssistant,
    cloud: ProviderCloud,
    freezer: FrozenDateTimeFactory,
) -> None:
    offline = offline_events(hass)
    cloud.redirect_to = cloud.url
    await setup_entry(hass, provider_entry({PANEL: panel_system(cloud)}))
    assert cloud.hits() == 11  # the request and 10 redirects
    await advance(hass, freezer, 5)
    assert shown(hass, PANEL) == view(STATE_OFF, "offline", "provider_cloud")
    assert offline[0].data["reason"] == "provider API unreachable: too many redirects"


async def test_post_redirected_with_303_continues_as_get(
    hass: HomeAssistant, cloud: ProviderCloud
) -> None:
    cloud.redirect_to = cloud.device_url(41)
    cloud.redirect_status = 303
    system = single_device(panel_system(cloud, method="POST", body="ids=41"), cloud.url)
    await setup_entry(hass, provider_entry({PANEL: system}))
    assert shown(hass, PANEL) == ONLINE
    first, second = cloud.requests
    assert (first.method, first.body) == ("POST", "ids=41")
    assert first.headers["Content-Type"] == "text/plain"
    assert (second.method, second.body) == ("GET", "")


async def test_secrets_never_logged_nor_in_events(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    log_text: list[str],
    socket_enabled: None,
) -> None:
    """A whole cycle at DEBUG: online, outage, back, credentials revoked, reauth."""
    events = async_capture_events(hass, MATCH_ALL)
    async with AsyncExitStack() as stack:
        clouds = {
            auth: await stack.enter_async_context(ProviderCloud(auth=auth))
            for auth in SCHEMES
        }
        systems = {
            f"system_{auth}": with_auth(panel_system(cloud), auth)
            for auth, cloud in clouds.items()
        }
        entry = await setup_entry(hass, provider_entry(systems))
        for auth in SCHEMES:
            assert shown(hass, f"system_{auth}") == ONLINE

        for cloud in clouds.values():
            cloud.status = 503
        await advance(hass, freezer, 30, 5)
        for cloud in clouds.values():
            cloud.status = 200
        await advance(hass, freezer, 30)

        for cloud in clouds.values():
            cloud.revoke()
        new_secrets = {
            "bearer": clouds["bearer"].token,
            "api_key": clouds["api_key"].api_key,
            "basic": clouds["basic"].password,
        }
        await advance(hass, freezer, 30)
        for auth in SCHEMES:
            assert shown(hass, f"system_{auth}")["cause"] == "auth"

        # one reauth flow at a time; each reload re-checks and asks for the next one
        field = {"bearer": "token", "api_key": "header_value", "basic": "password"}
        for auth in SCHEMES:
            (flow,) = reauth_flows(hass, entry)
            result = await hass.config_entries.flow.async_configure(
                flow["flow_id"],
                {"system": f"system_{auth}", field[auth]: new_secrets[auth]},
            )
            assert result["reason"] == "reauth_successful"
            await settle(hass)
            assert shown(hass, f"system_{auth}") == ONLINE
        assert reauth_flows(hass, entry) == []

    assert any(event.event_type == EVENT_SYSTEM_OFFLINE for event in events)
    assert any(" DEBUG " in line for line in log_text)  # really at DEBUG
    assert any("Authentication failed" in line for line in log_text)
    assert any(DOMAIN in line for line in log_text)
    basic = {
        base64.b64encode(f"{USERNAME}:{password}".encode()).decode()
        for password in (PASSWORD, new_secrets["basic"])
    }
    secrets = {*SECRETS, *new_secrets.values(), *basic}
    logged = "\n".join(log_text)
    published = repr([event.data for event in events])
    states = repr(
        [(state.state, state.attributes) for state in hass.states.async_all()]
    )
    for secret in secrets:
        assert secret not in logged
        assert secret not in published
        assert secret not in states
