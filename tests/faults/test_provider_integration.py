"""Fault cases of the provider's own integration (the "device" kind's source).

On the catalogue's bench (bench.py): two phones, the internet check, the frozen
clock; the provider's integration is the test-only pw_test_provider. Each case ends
with `bench.verify` (no traceback, no false or repeated offline, one alert per
outage and phone, the outage records, a clear log line or repair issue).
"""

from collections.abc import Awaitable, Callable
import logging

from freezegun.api import FrozenDateTimeFactory

from homeassistant.config_entries import ConfigEntryState
from homeassistant.helpers import device_registry as dr

from ..provider_integration import (
    GRACE,
    device_id,
    device_system,
    set_cloud,
    setup_ring,
)
from .bench import Bench

DOORBELL = "system_doorbell"
ONLINE = ("on", "online", "none")


async def test_device_deleted(
    make_bench: Callable[..., Awaitable[Bench]], freezer: FrozenDateTimeFactory
) -> None:
    """The watched device is deleted: a repair issue, never an outage."""
    b = await make_bench(freezer)
    ring = await setup_ring(b.hass)
    await b.provider({DOORBELL: device_system(device_id(b.hass, ring))})
    assert b.shown("doorbell") == ONLINE
    dr.async_get(b.hass).async_remove_device(device_id(b.hass, ring))
    await b.advance(GRACE, 60, 3600)
    assert b.shown("doorbell") == ONLINE
    assert f"device_removed_{DOORBELL}" in b.issues()
    b.verify(
        offline=0,
        log="Doorbell is not checked: its device was deleted",
        log_level=logging.WARNING,
    )


async def test_entry_setup_retry(
    make_bench: Callable[..., Awaitable[Bench]], freezer: FrozenDateTimeFactory
) -> None:
    """The provider's integration cannot reach its cloud: offline, its cloud to blame.

    One outage however often the integration retries; back when it is set up again.
    """
    b = await make_bench(freezer)
    ring = await setup_ring(b.hass)
    await b.provider({DOORBELL: device_system(device_id(b.hass, ring))})
    await set_cloud(b.hass, "retry")
    assert ring.state is ConfigEntryState.SETUP_RETRY
    await b.advance(GRACE - 1)
    assert b.shown("doorbell") == ONLINE  # within the grace time
    await b.advance(1)
    assert b.shown("doorbell") == ("off", "offline", "provider_cloud")
    await b.advance(60, 120, 240, 480)  # it retries, and retries
    assert b.shown("doorbell")[2] == "provider_cloud"
    await set_cloud(b.hass, "ok")
    await b.until(lambda: ring.state is ConfigEntryState.LOADED, step=60, limit=900)
    assert b.shown("doorbell") == ONLINE
    for phone in b.phones:
        assert (
            "Ring's integration cannot reach Acme Alarm's cloud"
            in (b.first_alerts(phone)[0]["message"])
        )
    b.verify(
        offline=1,
        online=1,
        log="Ring (pw_test_provider) is in trouble: cloud (setup_retry)",
        log_level=logging.INFO,
    )
