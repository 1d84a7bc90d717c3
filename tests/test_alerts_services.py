"""Phones that go away, the service actions, the buttons, and the options flow."""

from typing import Any

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
import probatio as vol
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.provider_watch.const import DOMAIN
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from testkit.phones import PushGateway
from testkit.simulated import LOCALHOST, SimulatedDevice

from . import alerting
from .alerting import (
    LOCK,
    OFFLINE,
    PANEL,
    FakePhone,
    add_phone,
    mobile_app_entry,
    outage,
    setup_provider,
    system_device,
)
from .helpers import (
    advance,
    http_system,
    internet_entries,
    provider_entry,
    settle,
    setup_entry,
    setup_internet,
)
from .statuspage_server import API, StatusPageServer

gateway = alerting.gateway
app_client = alerting.app_client
second = alerting.second
android = alerting.android
iphone = alerting.iphone


def issue_ids(issue_registry: ir.IssueRegistry) -> set[str]:
    return {
        issue_id for (domain, issue_id) in issue_registry.issues if domain == DOMAIN
    }


async def test_a_test_alert(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    iphone: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    """The smallest smoke test of the phones: a test alert reaches both."""
    await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
    entry = await setup_provider(
        hass, {PANEL: device}, options={"phones": [android.device_id, iphone.device_id]}
    )
    response = await hass.services.async_call(
        DOMAIN, "send_test_alert", {}, blocking=True, return_response=True
    )
    assert response == {"phones": 2}
    test = {
        "title": "Provider Watch test alert",
        "message": (
            "This phone will be alerted when a system Acme Alarm monitors goes offline."
        ),
        "data": {"tag": f"provider-watch-test-{entry.entry_id}"},
    }
    assert android.pushes == [android.body(test)]
    assert iphone.pushes == [iphone.body(test)]


# --- a phone that goes away -----------------------------------------------------------


async def test_removed_phone_raises_a_repair_and_others_are_still_alerted(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    app_client: TestClient,
    gateway: PushGateway,
    android: FakePhone,
    iphone: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    issue_registry: ir.IssueRegistry,
) -> None:
    await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
    await setup_provider(
        hass, {PANEL: device}, options={"phones": [iphone.device_id, android.device_id]}
    )
    assert issue_ids(issue_registry) == set()

    # the iPhone is removed from the Companion app integration
    assert await hass.config_entries.async_remove(mobile_app_entry(hass, iphone))
    await settle(hass)
    missing = f"phone_missing_{iphone.device_id}"
    assert issue_ids(issue_registry) == {missing}  # told now, not at the next outage
    issue = issue_registry.async_get_issue(DOMAIN, missing)
    assert issue is not None
    assert issue.translation_key == "phone_missing"
    assert issue.severity is ir.IssueSeverity.WARNING
    assert not issue.is_fixable

    await outage(hass, freezer, device)
    assert android.titles == [OFFLINE]
    assert iphone.pushes == []
    assert issue_ids(issue_registry) == {missing}

    # the app registers again (same phone): the issue goes, the phone is alerted
    again = await add_phone(hass, app_client, gateway, "Iphone", ios=True)
    assert again.device_id == iphone.device_id
    assert issue_ids(issue_registry) == set()
    await advance(hass, freezer, 30 * 60)
    assert [p["title"] for p in again.pushes] == ["Alarm panel is still offline"]


async def test_phone_without_push_raises_a_repair(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    app_client: TestClient,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A registration without push (no notify service) cannot be alerted."""
    response = await app_client.post(
        "/api/mobile_app/registrations",
        json={
            "device_id": "phone-tablet",
            "app_id": "io.homeassistant.companion.android",
            "app_name": "Home Assistant",
            "app_version": "2026.11.0-full",
            "device_name": "Tablet",
            "manufacturer": "Google",
            "model": "Pixel Tablet",
            "os_name": "Android",
            "os_version": "16",
            "supports_encryption": False,
            "app_data": {},
        },
    )
    assert response.status == 201
    await settle(hass)
    tablet = alerting.phone_device(hass, {"device_name": "Tablet"})
    await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
    await setup_provider(
        hass, {PANEL: device}, options={"phones": [tablet, android.device_id]}
    )
    await outage(hass, freezer, device)
    assert android.titles == [OFFLINE]
    issue = issue_registry.async_get_issue(DOMAIN, f"phone_missing_{tablet}")
    assert issue is not None
    assert issue.translation_placeholders == {"phone": "Tablet"}


async def test_a_device_that_is_no_phone_raises_a_repair(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A stored device id that is not a Companion-app phone (or no device at all)."""
    await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
    entry = await setup_provider(hass, {PANEL: device})
    not_a_phone = system_device(hass, PANEL)
    hass.config_entries.async_update_entry(
        entry, options={"phones": [not_a_phone, "gone-device", android.device_id]}
    )
    await settle(hass)  # the entry reloads
    await outage(hass, freezer, device)
    assert android.titles == [OFFLINE]
    assert issue_ids(issue_registry) == {
        f"phone_missing_{not_a_phone}",
        "phone_missing_gone-device",
    }
    assert issue_registry.async_get_issue(
        DOMAIN, f"phone_missing_{not_a_phone}"
    ).translation_placeholders == {"phone": "Alarm panel"}

    # the phones are fixed in the options: the repairs go with the bad ids
    hass.config_entries.async_update_entry(
        entry, options={"phones": [android.device_id]}
    )
    await settle(hass)
    assert issue_ids(issue_registry) == set()


# --- service actions: validation ------------------------------------------------------


@pytest.fixture
async def targets(
    hass: HomeAssistant,
    android: FakePhone,
    device: SimulatedDevice,
    second: SimulatedDevice,
    upstream: SimulatedDevice,
) -> dict[str, str]:
    """Ids a service call can name, valid or not."""
    internet = await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
    loaded = await setup_provider(
        hass, {PANEL: device}, options={"phones": [android.device_id]}
    )
    unloaded = provider_entry({LOCK: http_system(second.url)}, "Lock Co")
    unloaded.add_to_hass(hass)
    assert await hass.config_entries.async_setup(unloaded.entry_id)
    assert await hass.config_entries.async_unload(unloaded.entry_id)
    provider_device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, loaded.entry_id), loaded.entry_id
    )
    assert provider_device is not None
    return {
        "system": system_device(hass, PANEL),
        "provider": loaded.entry_id,
        "provider_device": provider_device.id,
        "phone_device": android.device_id,
        "phone_entry": mobile_app_entry(hass, android),
        "internet": internet.entry_id,
        "unloaded": unloaded.entry_id,
    }


@pytest.mark.parametrize(
    ("service", "data", "key", "placeholders"),
    [
        ("acknowledge", {"device_id": "nope"}, "unknown_system", {"device_id": "nope"}),
        ("acknowledge", {"device_id": "{provider_device}"}, "unknown_system", None),
        (
            "snooze",
            {"duration": 60, "device_id": ["{phone_device}"]},
            "unknown_system",
            None,
        ),
        ("start_maintenance", {"device_id": ["{system}", "x"]}, "unknown_system", None),
        (
            "acknowledge",
            {"config_entry_id": "nope"},
            "unknown_provider",
            {"entry_id": "nope"},
        ),
        ("acknowledge", {"config_entry_id": "{phone_entry}"}, "unknown_provider", None),
        ("acknowledge", {"config_entry_id": "{internet}"}, "unknown_provider", None),
        (
            "snooze",
            {"duration": 60, "config_entry_id": "{unloaded}"},
            "unknown_provider",
            None,
        ),
        (
            "end_maintenance",
            {"config_entry_id": ["{internet}"]},
            "unknown_provider",
            None,
        ),
        ("send_test_alert", {"config_entry_id": "nope"}, "unknown_provider", None),
        (
            "send_test_alert",
            {"config_entry_id": "{internet}"},
            "unknown_provider",
            None,
        ),
        ("snooze", {"duration": {"days": 7, "seconds": 1}}, "snooze_too_long", None),
        ("start_maintenance", {}, "maintenance_needs_target", None),
        ("end_maintenance", {"device_id": []}, "maintenance_needs_target", None),
    ],
)
async def test_service_validation_errors(
    hass: HomeAssistant,
    targets: dict[str, str],
    service: str,
    data: dict[str, Any],
    key: str,
    placeholders: dict[str, str] | None,
) -> None:
    def fill(value: Any) -> Any:
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value.format(**targets) if isinstance(value, str) else value

    call = {k: fill(v) for k, v in data.items()}
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            service,
            call,
            blocking=True,
            return_response=service in ("acknowledge", "snooze", "send_test_alert"),
        )
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == key
    if placeholders is not None:
        assert err.value.translation_placeholders == placeholders
    assert "{" not in str(err.value)  # the message is translated and filled in


@pytest.mark.parametrize(
    ("service", "data"),
    [
        ("snooze", {}),
        ("snooze", {"duration": "soon"}),
        ("snooze", {"duration": "-00:10:00"}),
        ("snooze", {"duration": {"hours": "many"}}),
        ("acknowledge", {"device_id": {"id": 1}}),
        ("acknowledge", {"config_entry_id": [None]}),
        ("acknowledge", {"system": "x"}),
        ("start_maintenance", {"device_id": [["nested"]]}),
        ("send_test_alert", {"device_id": "x"}),
    ],
)
async def test_service_schema_errors(
    hass: HomeAssistant, targets: dict[str, str], service: str, data: dict[str, Any]
) -> None:
    with pytest.raises(vol.Invalid):
        await hass.services.async_call(DOMAIN, service, data, blocking=True)


async def test_service_responses_count(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    targets: dict[str, str],
    android: FakePhone,
    device: SimulatedDevice,
) -> None:
    async def call(service: str, data: dict[str, Any]) -> Any:
        return await hass.services.async_call(
            DOMAIN, service, data, blocking=True, return_response=True
        )

    # no open alert yet
    assert await call("acknowledge", {}) == {"acknowledged": 0}
    assert await call("snooze", {"duration": "01:00:00"}) == {"snoozed": 0}
    await outage(hass, freezer, device)
    assert await call("snooze", {"duration": {"days": 7}}) == {"snoozed": 1}
    assert await call("acknowledge", {"config_entry_id": targets["provider"]}) == {
        "acknowledged": 1
    }
    # the maintenance actions answer nothing
    assert (
        await hass.services.async_call(
            DOMAIN,
            "start_maintenance",
            {"device_id": targets["system"]},
            blocking=True,
        )
        is None
    )


# --- test alerts ----------------------------------------------------------------------


async def test_send_test_alert_to_every_phone_of_every_provider(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    app_client: TestClient,
    gateway: PushGateway,
    android: FakePhone,
    iphone: FakePhone,
    device: SimulatedDevice,
    second: SimulatedDevice,
    upstream: SimulatedDevice,
    issue_registry: ir.IssueRegistry,
) -> None:
    tablet = await add_phone(hass, app_client, gateway, "Tablet")
    await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
    acme = await setup_provider(
        hass,
        {PANEL: device},
        options={
            "phones": [android.device_id, iphone.device_id],
            "escalation_phones": [tablet.device_id, android.device_id],
        },
    )
    lock = await setup_provider(
        hass,
        {LOCK: second},
        title="Lock Co",
        options={"phones": [android.device_id, "gone-phone"]},
    )

    async def send(data: dict[str, Any]) -> Any:
        await advance(hass, freezer, 30)  # one test alert per provider every 30 s
        response = await hass.services.async_call(
            DOMAIN, "send_test_alert", data, blocking=True, return_response=True
        )
        await settle(hass)
        return response

    # every provider (not the internet check), each of its phones once
    assert await send({}) == {"phones": 4}
    assert sorted(p["data"]["tag"] for p in android.pushes) == sorted(
        [f"provider-watch-test-{acme.entry_id}", f"provider-watch-test-{lock.entry_id}"]
    )
    assert [p["data"]["tag"] for p in iphone.pushes] == [
        f"provider-watch-test-{acme.entry_id}"
    ]
    assert [p["title"] for p in tablet.pushes] == ["Provider Watch test alert"]
    assert "phone_missing_gone-phone" in issue_ids(issue_registry)

    # one provider
    assert await send({"config_entry_id": lock.entry_id}) == {"phones": 1}
    assert len(android.pushes) == 3
    assert await send({"config_entry_id": [acme.entry_id, lock.entry_id]}) == {
        "phones": 4
    }

    # the provider's button
    await advance(hass, freezer, 30)
    await hass.services.async_call(
        "button",
        "press",
        {"entity_id": "button.lock_co_send_test_alert"},
        blocking=True,
    )
    await settle(hass)
    assert len(android.pushes) == 6
    assert len(iphone.pushes) == 2


async def test_send_test_alert_without_phones(
    hass: HomeAssistant, device: SimulatedDevice, upstream: SimulatedDevice
) -> None:
    await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
    await setup_provider(hass, {PANEL: device})
    response = await hass.services.async_call(
        DOMAIN, "send_test_alert", {}, blocking=True, return_response=True
    )
    assert response == {"phones": 0}


# --- options flow ---------------------------------------------------------------------


ALERT_OPTIONS = {
    "phones",
    "repeat",
    "critical",
    "escalation_phones",
    "escalate_after",
    "quiet_start",
    "quiet_end",
    "critical_ignores_quiet",
    "status_page",
    "contract",  # a section: monthly fee, currency, renewal date (test_cost.py)
}


async def open_options(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    assert result["errors"] == {}
    return dict(result)


async def submit(
    hass: HomeAssistant, flow_id: str, user_input: dict[str, Any]
) -> dict[str, Any]:
    result = await hass.config_entries.options.async_configure(flow_id, user_input)
    await settle(hass)
    return dict(result)


@pytest.fixture
async def provider(
    hass: HomeAssistant, device: SimulatedDevice, upstream: SimulatedDevice
) -> MockConfigEntry:
    await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
    return await setup_provider(hass, {PANEL: device})


async def test_options_form_fields_and_phone_selectors(
    hass: HomeAssistant, provider: MockConfigEntry
) -> None:
    result = await open_options(hass, provider)
    fields = {str(key): value for key, value in result["data_schema"].schema.items()}
    assert set(fields) == ALERT_OPTIONS
    for key in ("phones", "escalation_phones"):
        assert fields[key].serialize() == {
            "selector": {"device": {"integration": "mobile_app", "multiple": True}}
        }
    assert fields["quiet_start"].serialize() == {"selector": {"time": {}}}
    assert fields["escalate_after"].config["max"] == 10_080


async def test_options_every_field_saved_and_entry_reloaded(
    hass: HomeAssistant,
    provider: MockConfigEntry,
    android: FakePhone,
    iphone: FakePhone,
) -> None:
    runtime = provider.runtime_data
    result = await open_options(hass, provider)
    result = await submit(
        hass,
        result["flow_id"],
        {
            "phones": [android.device_id],
            "repeat": " 15, 60 ",
            "critical": True,
            "escalation_phones": [iphone.device_id],
            "escalate_after": 20.0,
            "quiet_start": "22:00:00",
            "quiet_end": "06:30:00",
            "critical_ignores_quiet": False,
            "status_page": "",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert provider.options == {
        "phones": [android.device_id],
        "repeat": "15, 60",
        "critical": True,
        "escalation_phones": [iphone.device_id],
        "escalate_after": 20,
        "quiet_start": "22:00:00",
        "quiet_end": "06:30:00",
        "critical_ignores_quiet": False,
    }
    assert provider.state is ConfigEntryState.LOADED
    assert provider.runtime_data is not runtime  # reloaded

    # opened again, the form shows what was saved
    result = await open_options(hass, provider)
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }
    assert suggested == provider.options


@pytest.mark.parametrize(
    ("user_input", "errors"),
    [
        ({"repeat": "abc"}, {"repeat": "invalid_repeat"}),
        ({"repeat": "0"}, {"repeat": "invalid_repeat"}),
        ({"repeat": "30, 20000"}, {"repeat": "invalid_repeat"}),
        ({"repeat": "30,,60"}, {"repeat": "invalid_repeat"}),
        ({"quiet_start": "22:00:00"}, {"base": "quiet_hours_incomplete"}),
        ({"quiet_end": "07:00:00"}, {"base": "quiet_hours_incomplete"}),
        (
            {"escalate_after": 15.5, "escalation_phones": ["{iphone}"]},
            {"escalate_after": "invalid_duration"},
        ),
        ({"escalate_after": 15}, {"escalation_phones": "escalation_needs_phones"}),
        (
            {"repeat": "-5", "quiet_start": "22:00:00", "escalate_after": 5},
            {
                "repeat": "invalid_repeat",
                "base": "quiet_hours_incomplete",
                "escalation_phones": "escalation_needs_phones",
            },
        ),
    ],
)
async def test_options_errors_then_fixed(
    hass: HomeAssistant,
    provider: MockConfigEntry,
    android: FakePhone,
    iphone: FakePhone,
    user_input: dict[str, Any],
    errors: dict[str, str],
) -> None:
    def fill(value: Any) -> Any:
        if isinstance(value, list):
            return [v.format(iphone=iphone.device_id) for v in value]
        return value

    filled = {k: fill(v) for k, v in user_input.items()}
    result = await open_options(hass, provider)
    result = await submit(
        hass, result["flow_id"], {"phones": [android.device_id]} | filled
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert provider.options == {}

    # once fixed, the options are saved
    result = await submit(
        hass,
        result["flow_id"],
        {
            "phones": [android.device_id],
            "repeat": "30",
            "escalation_phones": [iphone.device_id],
            "escalate_after": 15,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert provider.options["escalate_after"] == 15


@pytest.mark.parametrize(
    "user_input",
    [{"escalate_after": -1}, {"escalate_after": 10_081}, {"phones": "one"}],
)
async def test_options_out_of_range_rejected_by_schema(
    hass: HomeAssistant, provider: MockConfigEntry, user_input: dict[str, Any]
) -> None:
    result = await open_options(hass, provider)
    with pytest.raises(InvalidData):
        await hass.config_entries.options.async_configure(result["flow_id"], user_input)


async def test_options_zero_escalation_and_cleared_fields_are_not_kept(
    hass: HomeAssistant, provider: MockConfigEntry, android: FakePhone
) -> None:
    result = await open_options(hass, provider)
    result = await submit(
        hass,
        result["flow_id"],
        {
            "phones": [android.device_id],
            "escalation_phones": [],
            "escalate_after": 0,
            "repeat": "  ",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    # a blank repeat is kept on purpose ("no reminders"); the rest is dropped
    assert provider.options == {"phones": [android.device_id], "repeat": ""}


async def test_options_with_status_page_keeps_alert_settings(
    hass: HomeAssistant,
    provider: MockConfigEntry,
    android: FakePhone,
    page: StatusPageServer,
) -> None:
    result = await open_options(hass, provider)
    result = await submit(
        hass,
        result["flow_id"],
        {"phones": [android.device_id], "repeat": "45", "status_page": page.base},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "components"
    result = await submit(hass, result["flow_id"], {"status_components": [API]})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert provider.options == {
        "phones": [android.device_id],
        "repeat": "45",
        "status_page": page.base,
        "status_components": [API],
    }


async def test_options_blank_repeat_means_no_reminders(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    provider: MockConfigEntry,
    android: FakePhone,
    device: SimulatedDevice,
) -> None:
    result = await open_options(hass, provider)
    result = await submit(
        hass, result["flow_id"], {"phones": [android.device_id], "repeat": ""}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await outage(hass, freezer, device)
    await advance(hass, freezer, *[30 * 60] * 8)
    assert android.titles == [OFFLINE]


async def test_internet_entry_has_no_alert_options(
    hass: HomeAssistant, provider: MockConfigEntry
) -> None:
    (internet,) = internet_entries(hass)
    result = await hass.config_entries.options.async_init(internet.entry_id)
    # the targets and the outbound heartbeat: no phones, no repeats
    assert {str(k) for k in result["data_schema"].schema} == {
        "targets",
        "outbound_url",
        "outbound_interval",
        "outbound_method",
        "outbound_fail_url",
    }


async def test_provider_without_options_uses_defaults(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    """An entry whose options were never saved: default repeats, no phones."""
    await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
    await setup_entry(
        hass,
        provider_entry({PANEL: http_system(device.url)}),
    )
    await outage(hass, freezer, device)
    assert android.pushes == []
