"""One alert for one provider-cloud outage, naming every system it takes down.

The systems of a provider rarely fall at the same second: the alert goes out with
the first, and the others join it. The phone's notification (replaced quietly) and
the persistent notification always name every affected system — on the phone up to
three by name and "and N more" after that, in the persistent notification all of
them; a reminder names them as they are then.
"""

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory

from custom_components.provider_watch.const import (
    CONF_AUTH_TYPE,
    CONF_COMPARISON,
    CONF_EXPECTED,
    CONF_FAILURES_BEFORE_OFFLINE,
    CONF_FILTER_PATH,
    CONF_ID_KEY,
    CONF_ID_VALUE,
    CONF_KIND,
    CONF_METHOD,
    CONF_PATH,
    CONF_POLL_INTERVAL,
    CONF_QUIET_AT_NIGHT,
    CONF_RETRY_INTERVAL,
    CONF_SECOND_COMPARISON,
    CONF_SUCCESSES_BEFORE_ONLINE,
    CONF_TIMEOUT,
    CONF_TOKEN,
    CONF_URL,
    CONF_VERIFY_TLS,
)
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from testkit.simulated import LOCALHOST, SimulatedDevice

from . import alerting
from .alerting import (
    MINUTE,
    FakePhone,
    ack_snooze,
    alert_id_of,
    local_hhmm,
    notes,
)
from .helpers import advance, provider_entry, setup_entry, setup_internet
from .provider_cloud import TOKEN, ProviderCloud

gateway = alerting.gateway
app_client = alerting.app_client
android = alerting.android
iphone = alerting.iphone

TITLE = "Acme Alarm's cloud is offline"
STILL = "Acme Alarm's cloud is still offline"
CAUSE = "Acme Alarm's cloud is not answering — affected: "


def cloud_device(cloud: ProviderCloud, device: str, failures: int) -> dict[str, Any]:
    """A device of the provider's list; offline after `failures` failed checks."""
    rule = (
        {CONF_PATH: "$.online", CONF_COMPARISON: "truthy"}
        if device == "41"
        else {CONF_PATH: "$.status", CONF_COMPARISON: "equals", CONF_EXPECTED: "online"}
    )
    return {
        CONF_KIND: "cloud",
        CONF_URL: cloud.url,
        CONF_METHOD: "GET",
        CONF_VERIFY_TLS: True,
        CONF_AUTH_TYPE: "bearer",
        CONF_TOKEN: TOKEN,
        CONF_FILTER_PATH: "$.devices",
        CONF_ID_KEY: "id",
        CONF_ID_VALUE: device,
        CONF_QUIET_AT_NIGHT: False,
        CONF_SECOND_COMPARISON: "truthy",
        CONF_POLL_INTERVAL: 30,
        CONF_TIMEOUT: 2,
        CONF_RETRY_INTERVAL: 5,
        CONF_FAILURES_BEFORE_OFFLINE: failures,
        CONF_SUCCESSES_BEFORE_ONLINE: 1,
    } | rule


async def cloud_provider(
    hass: HomeAssistant,
    cloud: ProviderCloud,
    upstream: SimulatedDevice,
    systems: dict[str, tuple[str, int]],
    *phones: FakePhone,
) -> None:
    """The internet check and Acme Alarm with these cloud systems, set up."""
    await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
    entry = provider_entry(
        {
            system_id: cloud_device(cloud, device, failures)
            for system_id, (device, failures) in systems.items()
        },
        options={"phones": [phone.device_id for phone in phones], "repeat": "30"},
    )
    await setup_entry(hass, entry)


def message_of(note: dict[str, Any]) -> str:
    return str(note["message"])


async def test_every_system_of_a_cloud_outage_is_named_as_it_joins(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    iphone: FakePhone,
    cloud: ProviderCloud,
    upstream: SimulatedDevice,
) -> None:
    await cloud_provider(
        hass,
        cloud,
        upstream,
        {
            # one failed check takes the panel down, two the gateway, three the lock
            "system_alarm_panel": ("41", 1),
            "system_solar_gateway": ("42", 2),
            "system_door_lock": ("41", 3),
        },
        android,
        iphone,
    )
    cloud.status = 503
    start = dt_util.utcnow() + timedelta(seconds=30)
    await advance(hass, freezer, 30)
    for phone in (android, iphone):
        [first] = phone.pushes
        assert first["title"] == TITLE
        assert first["message"].endswith(f"{CAUSE}Alarm panel.")
    alert_id = alert_id_of(android.pushes[0])

    await advance(hass, freezer, 5)  # the gateway joins
    await advance(hass, freezer, 5)  # and the door lock
    for phone in (android, iphone):
        first, *updates = phone.pushes
        assert len(updates) == 2
        assert [u["data"]["tag"] for u in updates] == [first["data"]["tag"]] * 2
        assert updates[0]["message"].endswith(f"{CAUSE}Alarm panel, Solar gateway.")
        update = updates[-1]
        assert update["title"] == STILL
        assert update["message"] == (
            f"Offline since {local_hhmm(start)} (10 s). "
            f"{CAUSE}Alarm panel, Door lock, Solar gateway."
        )
        # it replaces the alert without a sound, and can still be acknowledged
        assert update["data"]["actions"][:2] == ack_snooze(alert_id)
        if phone.ios:
            assert update["data"]["push"] == {"interruption-level": "passive"}
        else:
            assert update["data"]["alert_once"] is True
    [note] = notes(hass).values()
    assert note["title"] == STILL
    assert message_of(note).endswith(f"{CAUSE}Alarm panel, Door lock, Solar gateway.")

    # the reminder names them all too
    await advance(hass, freezer, 30 * MINUTE)
    reminder = android.pushes[-1]
    assert reminder["title"] == STILL
    assert reminder["message"].endswith(
        f"{CAUSE}Alarm panel, Door lock, Solar gateway."
    )
    assert len(android.pushes) == 4


async def test_many_systems_are_counted_on_the_phone_and_listed_in_full(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    cloud: ProviderCloud,
    upstream: SimulatedDevice,
) -> None:
    names = ["Alarm panel", "Door lock", "Garage", "Leak sensor", "Solar gateway"]
    await cloud_provider(
        hass,
        cloud,
        upstream,
        {
            f"system_{name.lower().replace(' ', '_')}": ("41", 1)
            for name in sorted(names)
        },
        android,
    )
    cloud.status = 503
    await advance(hass, freezer, 30)
    push = android.pushes[-1]  # the first alert, or the update that followed it
    assert {p["data"]["tag"] for p in android.pushes} == {push["data"]["tag"]}
    assert push["message"].endswith(f"{CAUSE}Alarm panel, Door lock and 3 more.")
    [note] = notes(hass).values()
    assert message_of(note).endswith(f"{CAUSE}{', '.join(names)}.")
