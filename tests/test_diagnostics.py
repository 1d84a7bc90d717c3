"""Diagnostics: what support needs, and not one of the planted secrets."""

from datetime import timedelta
import json
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.provider_watch.const import (
    CONF_AUTH_TYPE,
    CONF_BODY,
    CONF_COMPARISON,
    CONF_FAIL_KEYWORD,
    CONF_GRACE,
    CONF_HEADER_NAME,
    CONF_HEADER_VALUE,
    CONF_KIND,
    CONF_LOCAL_ONLY,
    CONF_METHOD,
    CONF_NOTES,
    CONF_PASSWORD,
    CONF_PATH,
    CONF_PERIOD,
    CONF_STATUS_PAGE,
    CONF_SUPPORT_URL,
    CONF_TOKEN,
    CONF_URL,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
    DOMAIN,
    SUBENTRY_SYSTEM,
)
from custom_components.provider_watch.diagnostics import (
    async_get_config_entry_diagnostics,
    scrub_text,
    scrub_url,
)
from custom_components.provider_watch.logic.outages import OutageRecord
from homeassistant.components.diagnostics import REDACTED
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from testkit.simulated import LOCALHOST, SimulatedDevice, free_port

from .helpers import advance, http_system, internet_entry, setup_entry
from .provider_cloud import ProviderCloud
from .statuspage_server import StatusPageServer

# Every secret a provider entry can hold, each one unique so a leak is found.
BEARER = "bearer-S3CRET-7f1e2d9c"
API_KEY = "apikey-S3CRET-99ab01"
USERNAME = "login-S3CRET-owner"
PASSWORD = "basic-pw-S3CRET-42x"  # noqa: S105
WEBHOOK_ID = "5ec2e7" + "ab" * 29
URL_PASSWORD = "url-pass-S3CRET-1"  # noqa: S105
URL_TOKEN = "query-token-S3CRET-2"  # noqa: S105
PAGE_TOKEN = "page-token-S3CRET-3"  # noqa: S105
SUPPORT_SIG = "support-sig-S3CRET-4"
BODY_SECRET = "body-S3CRET-5"  # noqa: S105
NOTES = "customer number S3CRET-6"
INTERNET_PASSWORD = "inet-pass-S3CRET-7"  # noqa: S105
INTERNET_KEY = "inet-key-S3CRET-8"
SECRETS = (
    BEARER,
    API_KEY,
    USERNAME,
    PASSWORD,
    WEBHOOK_ID,
    URL_PASSWORD,
    URL_TOKEN,
    PAGE_TOKEN,
    SUPPORT_SIG,
    BODY_SECRET,
    NOTES,
    INTERNET_PASSWORD,
    INTERNET_KEY,
)


def cloud_system(url: str, auth: dict[str, Any]) -> dict[str, Any]:
    return {
        CONF_KIND: "cloud",
        CONF_URL: url,
        CONF_METHOD: "GET",
        CONF_PATH: "$.devices[0].online",
        CONF_COMPARISON: "truthy",
        "verify_tls": True,
        "poll_interval": 30,
        "timeout": 2,
        "retry_interval": 5,
        "failures_before_offline": 2,
        "successes_before_online": 1,
    } | auth


def secret_provider(
    device: SimulatedDevice, cloud: ProviderCloud, page: StatusPageServer
) -> MockConfigEntry:
    closed = f"http://{LOCALHOST}:{free_port()}/api/devices"
    systems = {
        "system_bearer": cloud_system(
            f"{cloud.base}/api/devices",
            {CONF_AUTH_TYPE: "bearer", CONF_TOKEN: BEARER},
        ),
        "system_api_key": cloud_system(
            closed,
            {
                CONF_AUTH_TYPE: "api_key",
                CONF_HEADER_NAME: "X-API-Key",
                CONF_HEADER_VALUE: API_KEY,
                CONF_METHOD: "POST",
                CONF_BODY: json.dumps({"api_key": BODY_SECRET}),
            },
        ),
        "system_basic": cloud_system(
            closed,
            {
                CONF_AUTH_TYPE: "basic",
                CONF_USERNAME: USERNAME,
                CONF_PASSWORD: PASSWORD,
            },
        ),
        "system_heartbeat": {
            CONF_KIND: "heartbeat",
            CONF_WEBHOOK_ID: WEBHOOK_ID,
            CONF_PERIOD: 300,
            CONF_GRACE: 60,
            CONF_LOCAL_ONLY: True,
            CONF_FAIL_KEYWORD: "fail",
        },
        "system_panel": http_system(
            f"http://admin:{URL_PASSWORD}@{LOCALHOST}:{device.port}/status"
            f"?token={URL_TOKEN}&view=full"
        ),
    }
    return MockConfigEntry(
        domain=DOMAIN,
        title="Acme Alarm",
        data={
            "name": "Acme Alarm",
            CONF_SUPPORT_URL: f"https://support.acme.example/portal?sig={SUPPORT_SIG}",
            CONF_NOTES: NOTES,
        },
        options={CONF_STATUS_PAGE: f"{page.base}/?access_token={PAGE_TOKEN}"},
        subentries_data=[
            ConfigSubentryData(
                data=data,
                subentry_id=system_id,
                subentry_type=SUBENTRY_SYSTEM,
                title=system_id.removeprefix("system_").capitalize(),
                unique_id=None,
            )
            for system_id, data in systems.items()
        ],
    )


def assert_no_secret(data: object) -> None:
    text = json.dumps(data)
    leaked = [secret for secret in SECRETS if secret in text]
    assert leaked == []


async def test_provider_diagnostics_without_secrets(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_storage: dict[str, Any],
    device: SimulatedDevice,
    cloud: ProviderCloud,
    page: StatusPageServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    cloud.token = BEARER
    entry = secret_provider(device, cloud, page)
    # twelve old outages on file; diagnostics show the last ten
    start = dt_util.utcnow() - timedelta(days=20)
    key = f"provider_watch.{entry.entry_id}.history"
    hass_storage[key] = {
        "version": 2,
        "key": key,
        "data": {
            "outages": [
                OutageRecord(
                    id=f"old-{number:02d}",
                    system_id="system_panel",
                    system="Panel",
                    provider="Acme Alarm",
                    start=start + timedelta(hours=number),
                    end=start + timedelta(hours=number, minutes=5),
                    cause="system",
                    detected_reason=f"HTTP 503 from {cloud.base}/?token={URL_TOKEN}",
                ).to_dict()
                for number in range(12)
            ]
        },
    }
    await setup_entry(hass, entry)
    await advance(hass, freezer, *[30] * 24)  # 25 checks of each polled system

    data = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert_no_secret(data)

    settings = data["settings"]
    assert settings["data"][CONF_NOTES] == REDACTED
    assert settings["data"][CONF_SUPPORT_URL] == (
        f"https://support.acme.example/portal?sig={REDACTED}"
    )
    assert settings["options"][CONF_STATUS_PAGE] == (
        f"{page.base}/?access_token={REDACTED}"
    )
    subentries = {s["subentry_id"]: s["data"] for s in data["subentries"]}
    assert subentries["system_bearer"][CONF_TOKEN] == REDACTED
    assert subentries["system_api_key"][CONF_HEADER_VALUE] == REDACTED
    assert subentries["system_api_key"][CONF_HEADER_NAME] == "X-API-Key"
    assert subentries["system_api_key"][CONF_BODY] == REDACTED
    assert subentries["system_basic"][CONF_USERNAME] == REDACTED
    assert subentries["system_basic"][CONF_PASSWORD] == REDACTED
    assert subentries["system_heartbeat"][CONF_WEBHOOK_ID] == REDACTED
    assert subentries["system_panel"][CONF_URL] == (
        f"http://{REDACTED}@{LOCALHOST}:{device.port}/status?token={REDACTED}&view=full"
    )

    systems = data["systems"]
    assert set(systems) == set(subentries)
    panel = systems["system_panel"]
    assert panel["machine"]["state"] == "online"
    assert panel["kind"] == "http"
    assert len(panel["probes"]) == 20  # the last 20 of 25
    assert {p["outcome"] for p in panel["probes"]} == {"up"}
    assert systems["system_bearer"]["machine"]["state"] == "online"
    basic = systems["system_basic"]
    assert basic["machine"]["state"] == "offline"
    assert basic["cause"] == "unknown"  # no internet check to tell
    assert basic["probes"][-1]["outcome"] == "down"
    # pushed verdicts are kept too: no heartbeat came in 6 minutes
    (missed,) = systems["system_heartbeat"]["probes"]
    assert (missed["outcome"], missed["reason"]) == ("down", "no heartbeat for 6 min")
    assert data["status_page"] == {
        "problem": False,
        "incident": None,
        "unknown_reason": None,
        "components_down": [],
    }
    history = data["history"]
    assert history["writable"] is True
    last = history["last_outages"]
    assert len(last) == 10
    # newest first: the outages of today (the two unreachable clouds and the
    # silent heartbeat), then the newest of the old ones
    assert {r["system_id"] for r in last[:3]} == {
        "system_api_key",
        "system_basic",
        "system_heartbeat",
    }
    assert [r["id"] for r in last[3:]] == [f"old-{n:02d}" for n in range(11, 4, -1)]
    assert last[-1]["detected"]["reason"] == (
        f"HTTP 503 from {cloud.base}/?token={REDACTED}"
    )


async def test_internet_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    upstream: SimulatedDevice,
) -> None:
    target = (
        f"http://probe:{INTERNET_PASSWORD}@{LOCALHOST}:{upstream.port}/"
        f"?key={INTERNET_KEY}"
    )
    entry = await setup_entry(
        hass, internet_entry(f"{LOCALHOST}:{upstream.port}", target)
    )
    data = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert_no_secret(data)
    scrubbed = f"http://{REDACTED}@{LOCALHOST}:{upstream.port}/?key={REDACTED}"
    assert data["targets"] == [f"{LOCALHOST}:{upstream.port}", scrubbed]
    assert data["settings"]["options"]["targets"][1] == scrubbed
    assert data["up"] is True
    assert data["reachable"] == data["targets"]
    assert data["machine"]["state"] == "online"


async def test_entries_that_are_not_loaded(
    hass: HomeAssistant,
    device: SimulatedDevice,
    cloud: ProviderCloud,
    page: StatusPageServer,
) -> None:
    provider = secret_provider(device, cloud, page)
    provider.add_to_hass(hass)
    data = await async_get_config_entry_diagnostics(hass, provider)
    assert set(data) == {"settings", "subentries"}
    assert data["settings"]["state"] == "not_loaded"
    assert_no_secret(data)
    internet = internet_entry(f"http://u:{INTERNET_PASSWORD}@{LOCALHOST}:9/")
    internet.add_to_hass(hass)
    data = await async_get_config_entry_diagnostics(hass, internet)
    assert set(data) == {"settings"}
    assert_no_secret(data)


def test_scrubbing() -> None:
    assert scrub_url(
        "https://x.example/a?apiKey=1&x-api-key=2&page=3#access_token=4"
    ) == (
        f"https://x.example/a?apiKey={REDACTED}&x-api-key={REDACTED}&page=3"
        f"#access_token={REDACTED}"
    )
    assert scrub_url("https://x.example/cb?Signature=a&authSig=b&code=c") == (
        f"https://x.example/cb?Signature={REDACTED}&authSig={REDACTED}&code={REDACTED}"
    )
    assert scrub_url("http://[::1") == REDACTED  # not even a URL
    text = f"GET https://u:p@api.example/v1?token=t failed: {BEARER} refused"
    assert scrub_text(text, [BEARER]) == (
        f"GET https://{REDACTED}@api.example/v1?token={REDACTED} failed: "
        f"{REDACTED} refused"
    )
