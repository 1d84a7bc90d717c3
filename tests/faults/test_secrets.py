"""The fault catalogue's secrets cases (issue 15, items 8 to 12).

Each case runs on the bench (bench.py) like the catalogue's (test_catalogue.py): a
real Home Assistant, the internet check, two phones, the provider's cloud on
127.0.0.1, the freezer; it breaks something and ends with `bench.verify`.
"""

from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
import json
import logging
from pathlib import Path
from typing import Any

import probatio as vol
import pytest

from custom_components.provider_watch.const import DOMAIN, SUBENTRY_SYSTEM
from custom_components.provider_watch.diagnostics import (
    async_get_config_entry_diagnostics,
)
from homeassistant.auth.const import GROUP_ID_ADMIN, GROUP_ID_USER
from homeassistant.components.diagnostics import REDACTED as R
from homeassistant.config_entries import SOURCE_RECONFIGURE
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util

from ..alerting import restart, system_device
from ..helpers import provider_entry, setup_entry
from ..provider_cloud import API_KEY, PASSWORD, TOKEN, ProviderCloud
from .bench import PANEL, Bench, cloud_data
from .servers import FaultyCloud

ONLINE = ("on", "online", "none")
OFFLINE_CLOUD = ("off", "offline", "provider_cloud")
MAINTENANCE = "switch.alarm_panel_maintenance"


@dataclass(frozen=True, kw_only=True)
class Kit:
    """The provider's cloud, a second cloud on another port, the request."""

    cloud: FaultyCloud
    other: ProviderCloud
    tmp_path: Path
    request: pytest.FixtureRequest


type Run = Callable[[Bench, Kit], Awaitable[None]]
CASES: dict[str, Run] = {}


def fault(name: str) -> Callable[[Run], Run]:
    def register(run: Run) -> Run:
        CASES[name] = run
        return run

    return register


def no_credentials(cloud: ProviderCloud) -> bool:
    """Nothing the provider's cloud knows us by reached this cloud."""
    return all(
        "Authorization" not in seen.headers
        and not any(secret in repr(seen.headers) for secret in (TOKEN, API_KEY))
        and PASSWORD not in repr(seen.headers)
        for seen in cloud.requests
    )


# --- item 8: credentials go to their own origin only --------------------------------


@fault("second_endpoint_on_another_origin")
async def second_endpoint_on_another_origin(b: Bench, k: Kit) -> None:
    """The health endpoint is on another port: it never sees the token.

    It breaks (503) and recovers; the system follows it, and through it all the
    other origin got no credentials while the main endpoint got them every time.
    """
    data = cloud_data(
        k.cloud.url, second_url=k.other.health_url, second_path="$.status"
    )
    await b.provider({PANEL: data})
    assert b.shown() == ONLINE
    k.other.status = 503
    await b.advance(30, 5, 5)
    assert b.shown() == OFFLINE_CLOUD
    assert b.offline[0].data["reason"] == "provider API answered HTTP 503"
    k.other.status = 200
    await b.advance(30, 5)
    assert b.shown() == ONLINE
    assert len(k.other.requests) >= 5
    assert no_credentials(k.other), k.other.requests[0].headers
    assert all(
        seen.headers.get("Authorization") == f"Bearer {TOKEN}"
        for seen in k.cloud.requests
    )
    b.verify(
        offline=1,
        online=1,
        log="is offline: provider API answered HTTP 503",
        log_level=logging.WARNING,
    )


# --- item 9: diagnostics redact URLs by their structure ----------------------------

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmYXVsdC00MSJ9.ZmF1bHQtc2lnbmF0dXJlLTk5"
SID = "sid-fault-5d2c8e91ab"
PATH_KEY = "pk-fault-7c3a9e12f0"


@fault("diagnostics_url_secrets")
async def diagnostics_url_secrets(b: Bench, k: Kit) -> None:
    """Secrets in query values (any name) and in a path: never in diagnostics.

    The second endpoint (another origin, its key in the path) breaks and the
    system goes offline; its diagnostics then list the reason, the probes and the
    settings with every URL's structure but none of the secrets.
    """
    k.other.prefix = f"/k/{PATH_KEY}"
    data = cloud_data(
        f"{k.cloud.url}?jwt={JWT}&sid={SID}&page=1",
        second_url=f"{k.other.base}{k.other.prefix}/api/health?sid={SID}",
        second_path="$.status",
    )
    await b.provider({PANEL: data})
    assert b.shown() == ONLINE
    k.other.status = 503
    await b.advance(30, 5, 5)
    assert b.shown() == OFFLINE_CLOUD
    assert b.entry is not None
    found = json.dumps(await async_get_config_entry_diagnostics(b.hass, b.entry))
    for secret in (JWT, SID, PATH_KEY, TOKEN):
        assert secret not in found, secret
    system = json.loads(found)["subentries"][0]["data"]
    assert system["url"] == f"{k.cloud.url}?jwt={R}&sid={R}&page=1"
    assert system["second_url"] == f"{k.other.base}/k/{R}/api/health?sid={R}"
    assert not any(secret in line for line in b.logs.lines() for secret in (JWT, SID))
    b.verify(offline=1, log="is offline: provider API answered HTTP 503")


# --- item 10: reconfigure never sends a stored secret, blank keeps it ---------------


def as_sent(result: Mapping[str, Any]) -> str:
    """A flow result as the flow API sends it to the browser."""
    data = dict(result)
    if (schema := data.get("data_schema")) is not None:
        data["data_schema"] = vol.to_field_list(
            schema, custom_serializer=cv.custom_serializer
        )
    return json.dumps(data, default=repr)


@fault("reconfigure_keeps_secret_unseen")
async def reconfigure_keeps_secret_unseen(b: Bench, k: Kit) -> None:
    """The owner changes the poll interval; the token field is left blank.

    The form and the test step carry no token; the system keeps its token (the
    cloud keeps answering), then an outage is announced once and ends as usual.
    """
    entry = await b.provider({PANEL: cloud_data(k.cloud.url)})
    flows = b.hass.config_entries.subentries
    result = await flows.async_init(
        (entry.entry_id, SUBENTRY_SYSTEM),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": PANEL},
    )
    sent = [as_sent(result)]
    assert TOKEN not in sent[0], "the stored token is sent to the browser"
    form = {
        "name": "Alarm panel",
        "url": k.cloud.url,
        "method": "GET",
        "verify_tls": True,
        "auth": {"auth_type": "bearer"},
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
            "poll_interval": 60,
            "timeout": 2,
            "retry_interval": 5,
            "failures_before_offline": 3,
            "successes_before_online": 2,
        },
    }
    result = await flows.async_configure(result["flow_id"], form)
    sent.append(as_sent(result))
    assert result["step_id"] == "cloud_test", result.get("errors")
    assert result["description_placeholders"]["verdict"] == "online"
    result = await flows.async_configure(
        result["flow_id"], {"next_step_id": "cloud_save"}
    )
    assert result["reason"] == "reconfigure_successful"
    await b.advance(1)
    assert not any(TOKEN in text for text in sent)
    assert entry.subentries[PANEL].data["token"] == TOKEN
    assert entry.subentries[PANEL].data["poll_interval"] == 60
    assert b.shown() == ONLINE
    k.cloud.status = 503
    await b.advance(60, 5, 5)
    assert b.shown() == OFFLINE_CLOUD
    k.cloud.status = 200
    await b.advance(60, 5)
    assert b.shown() == ONLINE
    assert k.cloud.requests[-1].headers["Authorization"] == f"Bearer {TOKEN}"
    b.verify(offline=1, online=1, log="is offline: provider API answered HTTP 503")


# --- item 11: admin-only actions; maintenance that ends by itself -------------------


@fault("maintenance_until_outage_after_restart")
async def maintenance_until_outage_after_restart(b: Bench, k: Kit) -> None:
    """A user who is not an administrator cannot start maintenance; an admin
    starts it for an hour; the cloud fails inside it, Home Assistant restarts,
    and at the end time maintenance ends by itself: the outage is alerted then,
    once per phone."""
    await b.provider({PANEL: cloud_data(k.cloud.url)})
    user = await b.hass.auth.async_create_user(
        "Sam", group_ids=[GROUP_ID_USER], local_only=False
    )
    admin = await b.hass.auth.async_create_user("Alex", group_ids=[GROUP_ID_ADMIN])
    data = {
        "device_id": system_device(b.hass, PANEL),
        "end_time": (dt_util.utcnow() + timedelta(hours=1)).isoformat(),
    }
    with pytest.raises(Unauthorized):
        await b.hass.services.async_call(
            DOMAIN, "start_maintenance", data, blocking=True, context=Context(user.id)
        )
    await b.hass.services.async_call(
        DOMAIN, "start_maintenance", data, blocking=True, context=Context(admin.id)
    )
    await b.advance(1)
    assert b.hass.states.get(MAINTENANCE).state == "on"
    k.cloud.status = 503
    await b.advance(30, 5, 5)
    assert b.shown() == OFFLINE_CLOUD
    await b.advance(*[600] * 3)
    assert [b.first_alerts(phone) for phone in b.phones] == [[], []]
    await restart(b.hass)
    await b.advance(*[600] * 2)
    assert b.hass.states.get(MAINTENANCE).state == "on"
    await b.advance(600)  # the end time
    assert b.hass.states.get(MAINTENANCE).state == "off"
    assert [len(b.first_alerts(phone)) for phone in b.phones] == [1, 1]
    k.cloud.status = 200
    await b.advance(30, 5)
    assert b.shown() == ONLINE
    b.verify(
        offline=1,
        online=1,
        log="Maintenance ended at its end time",
        log_level=logging.INFO,
    )


# --- item 12: report files that cannot collide; dates a report cannot use ---------


@fault("report_name_collision_and_extreme_dates")
async def report_name_collision_and_extreme_dates(b: Bench, k: Kit) -> None:
    """ "Acme Alarm" and "Acme-Alarm" report the same day; one had an outage.

    Each report is its own file and tells its own provider's outage; extreme
    months and days are a clear error and write nothing.
    """
    b.hass.config.config_dir = str(k.tmp_path)
    acme = await b.provider({PANEL: cloud_data(k.cloud.url)})
    other = await setup_entry(
        b.hass,
        provider_entry(
            {"system_gate": cloud_data(k.other.url, auth_type="none")},
            title="Acme-Alarm",
        ),
    )
    k.cloud.status = 503
    await b.advance(30, 5, 5)
    assert b.shown() == OFFLINE_CLOUD
    k.cloud.status = 200
    await b.advance(30, 5)
    assert b.shown() == ONLINE

    async def report(entry_id: str, **period: str) -> dict[str, Any]:
        response = await b.hass.services.async_call(
            DOMAIN,
            "generate_report",
            {"config_entry_id": entry_id, **period},
            blocking=True,
            return_response=True,
        )
        assert isinstance(response, dict)
        return response

    mine, theirs = await report(acme.entry_id), await report(other.entry_id)
    assert mine["files"]["markdown"] != theirs["files"]["markdown"]
    assert [len(mine["outages"]), len(theirs["outages"])] == [1, 0]
    assert mine["provider"]["name"] == "Acme Alarm"
    assert theirs["provider"]["name"] == "Acme-Alarm"
    for period in (
        {"period": "calendar_month", "month": "0000-01"},
        {"period": "calendar_month", "month": "9999-12"},
        {"period": "custom", "start": "0001-01-01", "end": "0001-01-01"},
    ):
        with pytest.raises(ServiceValidationError):
            await report(acme.entry_id, **period)
    await b.advance(1)
    reports = k.tmp_path / DOMAIN / "reports"
    written = await b.hass.async_add_executor_job(list, reports.iterdir())
    # two providers' .html, .md and .csv: six files, none overwriting another
    assert len(written) == 6
    b.verify(offline=1, online=1, log="Wrote the report for Acme-Alarm")


# --- the test -------------------------------------------------------------------------


@pytest.fixture
async def other_cloud(socket_enabled: None) -> AsyncGenerator[ProviderCloud]:
    """A second provider API on another port (another origin), without auth."""
    async with ProviderCloud(auth="none") as cloud:
        yield cloud


@pytest.mark.parametrize("case", list(CASES))
async def test_secrets_fault(
    case: str,
    request: pytest.FixtureRequest,
    make_bench: Callable[..., Awaitable[Bench]],
    faulty_cloud: FaultyCloud,
    other_cloud: ProviderCloud,
    tmp_path: Path,
    hass: HomeAssistant,
) -> None:
    bench = await make_bench(request.getfixturevalue("freezer"))
    kit = Kit(cloud=faulty_cloud, other=other_cloud, tmp_path=tmp_path, request=request)
    await CASES[case](bench, kit)
