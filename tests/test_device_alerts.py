"""The alert of a device system says when the provider's integration is the cause."""

from freezegun.api import FrozenDateTimeFactory
import pytest

from homeassistant.core import HomeAssistant
from testkit.simulated import LOCALHOST, SimulatedDevice

from . import alerting
from .alerting import FakePhone, local_hhmm, wait_for
from .helpers import provider_entry, setup_entry, setup_internet, state
from .provider_integration import (
    FRONT,
    device_id,
    device_system,
    set_available,
    set_cloud,
    setup_ring,
)

gateway = alerting.gateway
app_client = alerting.app_client
android = alerting.android
iphone = alerting.iphone

STATUS = "sensor.doorbell_status"


@pytest.fixture(autouse=True)
def _sockets(socket_enabled: None) -> None:
    """The integration checks the ICMP mode once at setup (a local socket)."""


async def test_both_phones_hear_the_integration_cannot_reach_its_cloud(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    upstream: SimulatedDevice,
    android: FakePhone,
    iphone: FakePhone,
) -> None:
    await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
    ring = await setup_ring(hass)
    await setup_entry(
        hass,
        provider_entry(
            {"system_doorbell": device_system(device_id(hass, ring))},
            title="Ring",
            options={"phones": [android.device_id, iphone.device_id]},
        ),
    )
    started = alerting.dt_util.utcnow()
    await set_cloud(hass, "retry")
    await wait_for(hass, freezer, lambda: bool(android.pushes and iphone.pushes))
    assert state(hass, STATUS) == "offline"
    for phone in (android, iphone):
        (push,) = phone.pushes
        assert push["title"] == "Ring's cloud is offline"
        assert (
            f"Ring's integration cannot reach Ring's cloud since {local_hhmm(started)}"
            " — affected: Doorbell." in push["message"]
        )


async def test_the_device_alone_offline_is_not_blamed_on_the_integration(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    upstream: SimulatedDevice,
    android: FakePhone,
) -> None:
    await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
    ring = await setup_ring(hass)
    await setup_entry(
        hass,
        provider_entry(
            {"system_doorbell": device_system(device_id(hass, ring))},
            title="Ring",
            options={"phones": [android.device_id]},
        ),
    )
    await set_available(hass, FRONT, available=False)
    await wait_for(hass, freezer, lambda: bool(android.pushes))
    (push,) = android.pushes
    assert "integration" not in push["message"]
    assert "this looks like your system" in push["message"]
