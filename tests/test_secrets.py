"""Secrets never leak (issue 7, "security"; issue 20: secret headers and logins).

Known secret strings are planted in every secret-bearing field — a bearer token, an
API-key header value, a basic-auth password, a heartbeat webhook id, and a URL with
user:password@ and ?token= — and a full offline/online cycle runs with DEBUG logging
on for Provider Watch and Home Assistant and two phones registered. Then none of the
secrets may appear in the logs (any level, tracebacks included), bus events, states
and attributes, persistent notifications, repair issues, open flows, pushes to the
phones, the report (its response and files) or the diagnostics.
"""

import base64
from collections.abc import AsyncGenerator, Generator
from dataclasses import dataclass, field
from http import HTTPStatus
import importlib.util
import json
import logging
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    async_get_persistent_notifications,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.provider_watch.const import DOMAIN
from homeassistant.const import MATCH_ALL
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from testkit.phones import PushGateway
from testkit.provider_api import USER as LOGIN_USER, ProviderApi
from testkit.simulated import LOCALHOST, SimulatedDevice

from . import alerting
from .alerting import FakePhone, add_phone
from .faults.bench import Collect
from .helpers import advance, provider_entry, settle, setup_entry, setup_internet
from .provider_cloud import API_KEY_HEADER, USERNAME, ProviderCloud, SeenRequest

gateway = alerting.gateway
app_client = alerting.app_client

TOKEN = "tok-SECRET-7d1f0b9a44c2e1"  # noqa: S105
NEW_TOKEN = "tok-SECRET-rotated-4b8e27"  # noqa: S105
API_KEY = "key-SECRET-55aa0e3c7b19d2"
PASSWORD = "pw-SECRET-c3e8f1a2b7d4e6"  # noqa: S105
WEBHOOK_ID = "5ec7e7d0" * 8  # 64 hex characters, as the flow makes them
URL_USER = "svc-user-SECRET"
URL_PASSWORD = "urlpass-SECRET-91ab"  # noqa: S105
URL_TOKEN = "qtok-SECRET-0f3e5a"  # noqa: S105
# issue 15, item 9: query parameters outside any list of names, and a path
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
    ".eyJzdWIiOiJTRUNSRVQtand0LTQxIn0"
    ".U0VDUkVULXNpZ25hdHVyZS03ZTJh"
)
SID = "sid-SECRET-9b3e71c0d4"
PATH_KEY = "pk-SECRET-2e7b9c41d0a6"
PATH_HEX = "5ec2e7f00d1a4b8c9e3f6a7b"
PATH_UUID = "3f2b8c1e-9a4d-4e7f-8b6a-5c0d1e2f3a4b"
SECRET_HEADER = "hdr-SECRET-8c2e51f9a7"  # noqa: S105
LOGIN_PASSWORD = "login-SECRET-4f0a9c"  # noqa: S105
SECRETS = {
    "bearer token": TOKEN,
    "new bearer token": NEW_TOKEN,
    "API key": API_KEY,
    "password": PASSWORD,
    "webhook id": WEBHOOK_ID,
    "URL user": URL_USER,
    "URL password": URL_PASSWORD,
    "URL token": URL_TOKEN,
    "JWT in a query": JWT,
    "session id in a query": SID,
    "key in a path": PATH_KEY,
    "hex run in a path": PATH_HEX,
    "UUID in a path": PATH_UUID,
    # what goes over the wire for them, too
    "basic header": base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode(),
    "URL basic header": base64.b64encode(
        f"{URL_USER}:{URL_PASSWORD}".encode()
    ).decode(),
    # issue 20: a secret extra header, a login's password
    "secret header": SECRET_HEADER,
    "login password": LOGIN_PASSWORD,
}
HAS_DIAGNOSTICS = (
    importlib.util.find_spec("custom_components.provider_watch.diagnostics") is not None
)


def cloud_system(url: str, **auth: Any) -> dict[str, Any]:
    """Device 41 of a provider's list, with the given authentication."""
    return {
        "kind": "cloud",
        "url": url,
        "method": "GET",
        "verify_tls": True,
        "filter_path": "$.devices",
        "id_key": "id",
        "id_value": "41",
        "path": "$.online",
        "comparison": "truthy",
        "quiet_at_night": False,
        "second_comparison": "truthy",
        "poll_interval": 30,
        "timeout": 2,
        "retry_interval": 5,
        "failures_before_offline": 2,
        "successes_before_online": 1,
        "auth_type": "none",
    } | auth


@dataclass
class Clouds:
    """One provider API per authentication scheme, each with our secret."""

    bearer: ProviderCloud = field(default_factory=lambda: ProviderCloud("bearer"))
    api_key: ProviderCloud = field(default_factory=lambda: ProviderCloud("api_key"))
    basic: ProviderCloud = field(default_factory=lambda: ProviderCloud("basic"))
    in_url: ProviderCloud = field(default_factory=lambda: ProviderCloud("none"))

    def __post_init__(self) -> None:
        self.bearer.token = TOKEN
        self.api_key.api_key = API_KEY
        self.basic.password = PASSWORD

    @property
    def all(self) -> tuple[ProviderCloud, ...]:
        return (self.bearer, self.api_key, self.basic, self.in_url)

    def url_with_credentials(self) -> str:
        base = f"{URL_USER}:{URL_PASSWORD}@{LOCALHOST}:{self.in_url.port}"
        return f"http://{base}/api/devices?token={URL_TOKEN}&site=home"

    def url_with_query_secrets(self) -> str:
        """The API-key system's list, with a JWT and a session id in its query."""
        return f"{self.api_key.url}?jwt={JWT}&sid={SID}&page=1"

    def second_url(self) -> str:
        """The bearer system's second endpoint: another origin, a key in its path."""
        self.in_url.prefix = f"/k/{PATH_KEY}/{PATH_HEX}/{PATH_UUID}"
        return f"{self.in_url.base}{self.in_url.prefix}/api/health?sid={SID}"


@pytest.fixture
async def clouds(socket_enabled: None) -> AsyncGenerator[Clouds]:
    servers = Clouds()
    for server in servers.all:
        await server.start()
    yield servers
    for server in servers.all:
        await server.stop()


@pytest.fixture
async def shapes(socket_enabled: None) -> AsyncGenerator[ProviderApi]:
    """An API that wants a secret header, and a login (issue 20)."""
    async with ProviderApi() as server:
        server.token, server.api_key, server.password = (
            TOKEN,
            SECRET_HEADER,
            LOGIN_PASSWORD,
        )
        yield server


def shape_systems(api: ProviderApi) -> dict[str, dict[str, Any]]:
    """Two credential headers at once; a cookie login to an HTML page."""
    headers = cloud_system(
        api.url("/v2/sites"),
        auth_type="bearer",
        token=TOKEN,
        headers="X-Api-Version: 2",
        secret_headers=f"X-Api-Key: {SECRET_HEADER}",
        filter_path="$.account.sites[*].gateways",
        id_key="serial",
        id_value="GW-2",
        path="$.state",
    )
    device = ("filter_path", "id_key", "id_value", "path")
    login = {
        key: value
        for key, value in cloud_system(api.url("/portal/status")).items()
        if key not in device
    } | {
        "auth_type": "session",
        "username": LOGIN_USER,
        "password": LOGIN_PASSWORD,
        "login_url": api.url("/auth/login"),
        "login_method": "POST",
        "login_body": "user=$username&pass=$password",
        "comparison": "contains",
        "expected": "normal",
    }
    return {"system_headers": headers, "system_login": login}


@pytest.fixture
def everything_logged() -> Generator[Collect]:
    """DEBUG for Provider Watch and Home Assistant; every record kept."""
    handler = Collect()
    loggers = [
        logging.getLogger(),
        logging.getLogger("custom_components.provider_watch"),
        logging.getLogger("homeassistant"),
    ]
    levels = [logger.level for logger in loggers]
    loggers[0].addHandler(handler)
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    yield handler
    loggers[0].removeHandler(handler)
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


def leaks(where: str, text: str) -> list[str]:
    """Which secrets a text holds."""
    return [f"{name} in {where}" for name, value in SECRETS.items() if value in text]


# Home Assistant's HTTP server and webhook component log the path of every request
# at DEBUG (and the web server's access log at INFO), and a webhook's path is its
# id: that is Home Assistant's own logging, which Provider Watch cannot change.
HA_REQUEST_LOGGERS = (
    "aiohttp.access",
    "homeassistant.components.http.auth",
    "homeassistant.helpers.http",
    "homeassistant.components.webhook",
)


def log_text(handler: Collect, *, request_logs: bool = False) -> str:
    """Every record, formatted, with its traceback (HA's request lines apart)."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(
        formatter.format(record)
        for record in handler.records
        if (record.name in HA_REQUEST_LOGGERS) is request_logs
    )


def dumps(value: Any) -> str:
    return json.dumps(value, default=repr, ensure_ascii=False)


async def generated(
    hass: HomeAssistant, entry_id: str, folder: Path
) -> tuple[Any, list[str], list[Any]]:
    """The report (its response and files) and, when there, the diagnostics."""
    report = await hass.services.async_call(
        DOMAIN,
        "generate_report",
        {"config_entry_id": entry_id},
        blocking=True,
        return_response=True,
    )
    files = [
        path.read_text(encoding="utf-8")
        for path in (folder / DOMAIN / "reports").iterdir()
    ]
    assert files
    diagnostics: list[Any] = []
    if HAS_DIAGNOSTICS:
        from custom_components.provider_watch import (  # noqa: PLC0415
            diagnostics as module,
        )

        diagnostics = [
            await module.async_get_config_entry_diagnostics(hass, config_entry)
            for config_entry in hass.config_entries.async_entries(DOMAIN)
        ]
        assert len(diagnostics) == 2  # the provider and the internet check
    return report, files, diagnostics


async def test_no_secret_leaks_anywhere(  # noqa: PLR0915
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    app_client: TestClient,
    gateway: PushGateway,
    upstream: SimulatedDevice,
    clouds: Clouds,
    shapes: ProviderApi,
    everything_logged: Collect,
    tmp_path: Path,
) -> None:
    hass.config.config_dir = str(tmp_path)  # the report's files go here
    events: list[Event[Any]] = []
    hass.bus.async_listen(MATCH_ALL, events.append)
    phones: list[FakePhone] = [
        await add_phone(hass, app_client, gateway, "Pixel"),
        await add_phone(hass, app_client, gateway, "Iphone", ios=True),
    ]
    await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
    entry = await setup_entry(
        hass,
        provider_entry(
            {
                "system_bearer": cloud_system(
                    clouds.bearer.url,
                    auth_type="bearer",
                    token=TOKEN,
                    second_url=clouds.second_url(),
                    second_path="$.status",
                ),
                "system_api_key": cloud_system(
                    clouds.url_with_query_secrets(),
                    auth_type="api_key",
                    header_name=API_KEY_HEADER,
                    header_value=API_KEY,
                ),
                "system_basic": cloud_system(
                    clouds.basic.url,
                    auth_type="basic",
                    username=USERNAME,
                    password=PASSWORD,
                ),
                "system_in_url": cloud_system(clouds.url_with_credentials()),
                **shape_systems(shapes),
                "system_heartbeat": {
                    "kind": "heartbeat",
                    "webhook_id": WEBHOOK_ID,
                    "period": 300,
                    "grace": 60,
                    "local_only": True,
                    "fail_keyword": "fail",
                },
            },
            options={"phones": [phone.device_id for phone in phones], "repeat": "30"},
        ),
    )
    # every system answers (the secrets are really used)
    assert clouds.bearer.requests[-1].headers["Authorization"] == f"Bearer {TOKEN}"
    assert clouds.api_key.requests[-1].headers[API_KEY_HEADER] == API_KEY
    health = [r for r in clouds.in_url.requests if r.path.endswith("/api/health")]
    devices = [r for r in clouds.in_url.requests if r.path == "/api/devices"]
    assert len(health) == 1
    assert "Authorization" not in health[0].headers  # item 8: another origin
    assert devices[-1].headers["Authorization"].startswith("Basic ")
    names = ("bearer", "api_key", "basic", "in_url")
    for name in (*names, "headers", "login"):
        state = hass.states.get(f"binary_sensor.{name}_connectivity")
        assert state is not None
        assert state.state == "on", name
    assert shapes.requests[-1].headers["Cookie"] == f"sid={shapes.issued[0]}"
    beat = await app_client.post(f"/api/webhook/{WEBHOOK_ID}", data="ok")
    assert beat.status == 200

    # offline: three devices say so, one API is down, the heartbeat reports a fault
    for cloud in (clouds.bearer, clouds.api_key, clouds.basic):
        cloud.panel_online = False
    await clouds.in_url.stop()
    report = {"status": "fail"}  # a form: status=fail
    beat = await app_client.post(f"/api/webhook/{WEBHOOK_ID}", data=report)
    assert beat.status == 200
    await advance(hass, freezer, 30, 5, 5)
    # the heartbeat's report again, a minimum spacing (30 s) later: confirmed
    beat = await app_client.post(f"/api/webhook/{WEBHOOK_ID}", data=report)
    assert beat.status == 200
    await settle(hass)
    for name in (*names, "heartbeat"):
        state = hass.states.get(f"binary_sensor.{name}_connectivity")
        assert state is not None
        assert state.state == "off", name
    await advance(hass, freezer, 30 * 60)  # a reminder
    assert all(len(phone.pushes) >= 2 for phone in phones)

    # a rejected token: the reauth flow
    clouds.bearer.revoke()
    await advance(hass, freezer, 30)
    assert hass.config_entries.flow.async_progress()

    # online again
    clouds.bearer.token = NEW_TOKEN
    for cloud in (clouds.bearer, clouds.api_key, clouds.basic):
        cloud.panel_online = True
    await clouds.in_url.start()
    for flow in hass.config_entries.flow.async_progress():
        await hass.config_entries.flow.async_configure(
            flow["flow_id"], {"system": "system_bearer", "token": NEW_TOKEN}
        )
    await settle(hass)
    beat = await app_client.post(f"/api/webhook/{WEBHOOK_ID}?status=ok")
    assert beat.status == 200
    await advance(hass, freezer, 30, 5, 30)
    for name in (*names, "heartbeat"):
        state = hass.states.get(f"binary_sensor.{name}_connectivity")
        assert state is not None
        assert state.state == "on", name

    report, files, diagnostics = await generated(hass, entry.entry_id, tmp_path)
    await settle(hass)

    found = [
        *leaks("logs", log_text(everything_logged)),
        *leaks("bus events", dumps([(e.event_type, e.data) for e in events])),
        *leaks(
            "states",
            dumps(
                [(s.entity_id, s.state, s.attributes) for s in hass.states.async_all()]
            ),
        ),
        *leaks(
            "persistent notifications",
            dumps(async_get_persistent_notifications(hass)),
        ),
        *leaks(
            "repair issues",
            dumps(
                [
                    (issue.issue_id, issue.translation_placeholders)
                    for issue in ir.async_get(hass).issues.values()
                ]
            ),
        ),
        *leaks("open flows", dumps(hass.config_entries.flow.async_progress())),
        *leaks("pushes", dumps(gateway.pushes)),
        *leaks("report", dumps(report)),
        *leaks("report files", "\n".join(files)),
        *leaks("diagnostics", dumps(diagnostics)),
    ]
    assert found == []
    # nor the session ids the login got
    everything = "\n".join(
        [
            log_text(everything_logged),
            dumps([(e.event_type, e.data) for e in events]),
            dumps(async_get_persistent_notifications(hass)),
            dumps(diagnostics),
            dumps(report),
        ]
    )
    assert shapes.issued
    assert [sid for sid in shapes.issued if sid in everything] == []
    # the webhook id is in Home Assistant's own request lines, and only there
    assert leaks("", log_text(everything_logged, request_logs=True)) == [
        "webhook id in "
    ]


async def test_diagnostics_are_checked(
    hass: HomeAssistant,
    upstream: SimulatedDevice,
    clouds: Clouds,
    shapes: ProviderApi,
    tmp_path: Path,
) -> None:
    """The leak test's diagnostics check has teeth.

    The diagnostics `generated` hands it are those of both entries, loaded; they
    carry every secret-bearing field (redacted, so the check looks at them); and the
    same `leaks` finds every planted secret in the settings they come from.
    """
    from homeassistant.components.diagnostics import REDACTED  # noqa: PLC0415

    hass.config.config_dir = str(tmp_path)  # the report's files go here
    await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
    systems = {
        "system_bearer": cloud_system(
            clouds.bearer.url, auth_type="bearer", token=TOKEN
        ),
        "system_api_key": cloud_system(
            clouds.api_key.url,
            auth_type="api_key",
            header_name=API_KEY_HEADER,
            header_value=API_KEY,
        ),
        "system_basic": cloud_system(
            clouds.basic.url, auth_type="basic", username=USERNAME, password=PASSWORD
        ),
        "system_in_url": cloud_system(clouds.url_with_credentials()),
        **shape_systems(shapes),
        "system_heartbeat": {
            "kind": "heartbeat",
            "webhook_id": WEBHOOK_ID,
            "period": 300,
            "grace": 60,
            "local_only": True,
            "fail_keyword": "fail",
        },
    }
    entry = await setup_entry(hass, provider_entry(systems))
    _report, _files, diagnostics = await generated(hass, entry.entry_id, tmp_path)

    stored = dumps([dict(subentry.data) for subentry in entry.subentries.values()])
    assert leaks("settings", stored) == [
        f"{name} in settings"
        for name in (
            "bearer token",
            "API key",
            "password",
            "webhook id",
            "URL user",
            "URL password",
            "URL token",
            "secret header",
            "login password",
        )
    ]
    assert leaks("diagnostics", dumps(diagnostics)) == []
    (provider,) = [d for d in diagnostics if "systems" in d]
    assert set(provider["systems"]) == set(systems)  # loaded: states and checks
    assert provider["systems"]["system_bearer"]["probes"][-1]["outcome"] == "up"
    data = {s["subentry_id"]: s["data"] for s in provider["subentries"]}
    assert data["system_bearer"]["token"] == REDACTED
    assert data["system_api_key"]["header_value"] == REDACTED
    assert data["system_basic"]["password"] == REDACTED
    assert data["system_heartbeat"]["webhook_id"] == REDACTED
    assert data["system_headers"]["secret_headers"] == REDACTED
    assert data["system_headers"]["headers"] == "X-Api-Version: 2"  # not secret
    assert data["system_login"]["password"] == REDACTED
    assert data["system_login"]["login_body"] == REDACTED
    port = clouds.in_url.port
    assert data["system_in_url"]["url"] == (
        f"http://{REDACTED}@{LOCALHOST}:{port}/api/devices?token={REDACTED}&site=home"
    )


# --- issue 15, item 8: the second endpoint on another origin ----------------------


def carries(request: SeenRequest, cloud: ProviderCloud) -> list[str]:
    """Which of a cloud's credentials a request carried."""
    text = repr(request.headers)
    basic = base64.b64encode(f"{cloud.username}:{cloud.password}".encode()).decode()
    found = [
        name
        for name, value in (
            ("token", cloud.token),
            ("API key", cloud.api_key),
            ("password", cloud.password),
            ("basic header", basic),
        )
        if value in text
    ]
    if "Authorization" in request.headers:
        found.append("Authorization header")
    if API_KEY_HEADER.lower() in (name.lower() for name in request.headers):
        found.append("API key header")
    return found


@pytest.mark.parametrize("auth", ["bearer", "api_key", "basic"])
async def test_second_endpoint_on_another_origin_gets_no_credentials(
    hass: HomeAssistant, socket_enabled: None, auth: str
) -> None:
    """Two provider clouds on 127.0.0.1, on two ports: two origins.

    The main endpoint's credentials go to the main endpoint's origin only; the
    second endpoint, on the other port, is asked without any of them.
    """
    credentials = {
        "bearer": {"token": TOKEN},
        "api_key": {"header_name": API_KEY_HEADER, "header_value": API_KEY},
        "basic": {"username": USERNAME, "password": PASSWORD},
    }[auth]
    async with ProviderCloud(auth) as main, ProviderCloud("none") as other:
        main.token, main.api_key, main.password = TOKEN, API_KEY, PASSWORD
        other.token, other.api_key, other.password = TOKEN, API_KEY, PASSWORD
        assert main.port != other.port
        system = cloud_system(main.url, auth_type=auth, **credentials) | {
            "second_url": other.health_url,
            "second_path": "$.status",
        }
        await setup_entry(hass, provider_entry({"system_panel": system}))
        state = hass.states.get("binary_sensor.panel_connectivity")
        assert state is not None
        assert state.state == "on"
        assert main.requests
        assert all(carries(seen, main) for seen in main.requests)
        assert other.hits("/api/health") == 1
        assert [carries(seen, other) for seen in other.requests] == [[]]


# --- issue 15, item 9: URLs redacted by their structure ---------------------------

R = "**REDACTED**"


@pytest.mark.parametrize(
    ("url", "scrubbed"),
    [
        # nothing secret: the URL as it is
        (
            "https://api.example:8443/api/v2/devices/41/status?page=3&view=full",
            "https://api.example:8443/api/v2/devices/41/status?page=3&view=full",
        ),
        # every query value outside a short plain one, whatever its name
        (
            f"https://a.example/d?jwt={JWT}&sid={SID}",
            f"https://a.example/d?jwt={R}&sid={R}",
        ),
        (
            "https://a.example/d?sid=ab12&x=some-longer-value",
            f"https://a.example/d?sid={R}&x={R}",
        ),
        (f"https://a.example/d?{SID}", f"https://a.example/d?{R}"),
        (
            f"https://a.example/cb#state={SID}&page=2",
            f"https://a.example/cb#state={R}&page=2",
        ),
        # path segments that look like secrets; the path's shape stays
        (f"https://a.example/k/{PATH_KEY}/health", f"https://a.example/k/{R}/health"),
        (f"https://a.example/hook/{PATH_HEX}", f"https://a.example/hook/{R}"),
        (f"https://a.example/u/{PATH_UUID}/x", f"https://a.example/u/{R}/x"),
        (f"https://a.example/t/{JWT}", f"https://a.example/t/{R}"),
        (
            "https://a.example/b/QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
            f"https://a.example/b/{R}",
        ),
        ("https://a.example/acct/4711234567/x", f"https://a.example/acct/{R}/x"),
        ("https://a.example/s;token=abc/x", f"https://a.example/{R}/x"),
        (f"https://a.example/{PATH_KEY.upper()}", f"https://a.example/{R}"),
        # words, dates and small ids are not secrets
        (
            "https://a.example/api/customer-notifications/2026-10-01/GetDeviceStatus/7",
            "https://a.example/api/customer-notifications/2026-10-01/GetDeviceStatus/7",
        ),
    ],
)
def test_urls_are_redacted_by_their_structure(url: str, scrubbed: str) -> None:
    from custom_components.provider_watch.diagnostics import (  # noqa: PLC0415
        scrub_url,
    )

    assert scrub_url(url) == scrubbed
    assert leaks("", scrub_url(url)) == []


# --- issue 15, item 10: the reconfigure form never sends a stored secret ------------

CREDENTIALS = {
    "bearer": ({}, "token", TOKEN),
    "api_key": ({"header_name": API_KEY_HEADER}, "header_value", API_KEY),
    "basic": ({"username": USERNAME}, "password", PASSWORD),
}


def reconfigure_input(url: str, auth: str, **shown: Any) -> dict[str, Any]:
    """The reconfigure form as a browser sends it back, the secret left blank."""
    return {
        "name": "Panel",
        "url": url,
        "method": "GET",
        "verify_tls": True,
        "auth": {"auth_type": auth} | shown,
        "rule": {
            "path": "$.online",
            "comparison": "truthy",
            "filter_path": "$.devices",
            "id_key": "id",
            "id_value": "41",
        },
        "checkin": {"quiet_at_night": False},
        "second_endpoint": {"second_comparison": "truthy"},
        "timing": {
            "poll_interval": 30,
            "timeout": 2,
            "retry_interval": 5,
            "failures_before_offline": 2,
            "successes_before_online": 1,
        },
    }


@pytest.mark.parametrize("auth", list(CREDENTIALS))
async def test_reconfigure_never_sends_a_stored_secret(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    socket_enabled: None,
    auth: str,
) -> None:
    """Through the flow API, as the browser sees it: the secret field stays empty.

    The form, the test step, the form again (from the test step) and an error:
    the stored token, API key or password is in none of the answers. Left blank,
    it is kept (the test step's fetch used it, and it is still stored).
    """
    assert await async_setup_component(hass, "config", {})
    shown, key, secret = CREDENTIALS[auth]
    async with ProviderCloud(auth) as cloud:
        cloud.token, cloud.api_key, cloud.password = TOKEN, API_KEY, PASSWORD
        system = cloud_system(cloud.url, auth_type=auth, **shown, **{key: secret})
        entry = await setup_entry(hass, provider_entry({"system_panel": system}))
        client = await hass_client()
        answers: list[str] = []

        async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
            response = await client.post(path, json=body)
            answers.append(await response.text())
            assert response.status == HTTPStatus.OK, answers[-1]
            result: dict[str, Any] = json.loads(answers[-1])
            return result

        flows = "/api/config/config_entries/subentries/flow"
        reconfigure = {
            "handler": [entry.entry_id, "system"],
            "subentry_id": "system_panel",
        }
        result = await post(flows, reconfigure)
        assert result["step_id"] == "reconfigure"
        assert leaks("the form", answers[0]) == []
        flow = f"{flows}/{result['flow_id']}"
        form = reconfigure_input(cloud.url, auth, **shown)

        result = await post(flow, form | {"url": "not a url"})
        assert result["errors"] == {"url": "invalid_url"}
        result = await post(flow, form)
        assert result["step_id"] == "cloud_test"
        assert result["description_placeholders"]["verdict"] == "online"
        result = await post(flow, {"next_step_id": "cloud_edit"})
        assert result["step_id"] == "reconfigure"
        result = await post(flow, form)
        result = await post(flow, {"next_step_id": "cloud_save"})
        assert result["reason"] == "reconfigure_successful"

        assert entry.subentries["system_panel"].data[key] == secret  # kept
        assert [leaks(f"answer {i}", text) for i, text in enumerate(answers)] == [
            [] for _ in answers
        ]
        # a new secret typed in replaces the stored one
        result = await post(
            flows,
            {"handler": [entry.entry_id, "system"], "subentry_id": "system_panel"},
        )
        flow = f"{flows}/{result['flow_id']}"
        cloud.token, cloud.api_key, cloud.password = (NEW_TOKEN,) * 3
        result = await post(
            flow, reconfigure_input(cloud.url, auth, **shown, **{key: NEW_TOKEN})
        )
        assert result["description_placeholders"]["verdict"] == "online"
        await post(flow, {"next_step_id": "cloud_save"})
        assert entry.subentries["system_panel"].data[key] == NEW_TOKEN


def test_reconfigure_says_blank_keeps_the_secret() -> None:
    strings = json.loads(
        (
            Path(__file__).parents[1]
            / "custom_components/provider_watch/translations/en.json"
        ).read_text(encoding="utf-8")
    )
    step = strings["config_subentries"]["system"]["step"]["reconfigure"]
    described = step["sections"]["auth"]["data_description"]
    for key in ("token", "header_value", "password"):
        assert "Leave blank to keep" in described[key], key
