"""Detection latency in a real Home Assistant, in real time, on 127.0.0.1.

N HTTP systems with the default timing (no timing keys in their data) poll a device
server in this process; each is switched off (HTTP 503) at its own random moment within
one poll interval, so the outages fall at random phases of the poll cycles. Measured per
outage: switch-off -> the `provider_watch_system_offline` bus event, and switch-off ->
the push that HA's `mobile_app` posts to a fake push relay for a registered phone.
"""

import asyncio
import contextlib
from dataclasses import dataclass, field
import logging
from pathlib import Path
import random
import secrets
import tempfile
import time
from typing import Any

from aiohttp import web

from testkit.phones import ANDROID
from testkit.simulated import LocalServer

from .benchkit import (
    HOST,
    POLL,
    home_assistant,
    http_data,
    internet_entry,
    provider_entries,
    setup_domain,
)

PER_PROVIDER = 50
PHONE = "Bench phone"


class Devices(LocalServer):
    """`/device/<name>` answers 200 until switched off, then 503."""

    def __init__(self) -> None:
        super().__init__()
        self.off_at: dict[str, float] = {}

    def add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_get("/device/{name}", self._device)

    async def _device(self, request: web.Request) -> web.Response:
        if request.match_info["name"] in self.off_at:
            return web.Response(status=503, text="down")
        return web.Response(text="system OK")

    def switch_off(self, name: str) -> None:
        self.off_at[name] = time.monotonic()


@dataclass
class Relay(LocalServer):
    """The push relay: records when a push naming a system arrived."""

    names: list[str] = field(default_factory=list)
    pushed_at: dict[str, float] = field(default_factory=dict)
    all_in: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        super().__init__()

    def add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_post("/push", self._push)

    async def _push(self, request: web.Request) -> web.Response:
        now = time.monotonic()
        body = await request.json()
        text = f"{body.get('title', '')} {body.get('message', '')}"
        for name in self.names:
            if name in text:
                self.pushed_at.setdefault(name, now)
        if len(self.pushed_at) == len(self.names):
            self.all_in.set()
        return web.json_response({}, status=201)


async def register_phone(hass: Any, relay: Relay) -> str:
    """A Companion-app registration (as POST /api/mobile_app/registrations makes it).

    Returns the phone's device id for the providers' alert options.
    """
    from homeassistant.helpers import device_registry as dr  # noqa: PLC0415
    from homeassistant.setup import async_setup_component  # noqa: PLC0415

    if not await async_setup_component(hass, "mobile_app", {}):
        raise RuntimeError("mobile_app did not set up")
    user = await hass.auth.async_create_user("Bench owner")
    device_id = "bench-phone"
    data = ANDROID | {
        "device_id": device_id,
        "device_name": PHONE,
        "app_data": {"push_url": f"{relay.base}/push", "push_token": "bench:token"},
        "webhook_id": secrets.token_hex(),
        "user_id": user.id,
    }
    await hass.config_entries.flow.async_init(
        "mobile_app", data=data, context={"source": "registration"}
    )
    await hass.async_block_till_done()
    entry = hass.config_entries.async_entries("mobile_app")[0]
    device = dr.async_get(hass).async_get_device_by_identifier(
        ("mobile_app", device_id), entry.entry_id
    )
    if device is None:
        raise RuntimeError("the phone did not register")
    return device.id


async def measure(n: int, seed: int = 8_0061) -> dict[str, Any]:
    """N outages in one real-time run; latencies in seconds per outage."""
    from custom_components.provider_watch.const import (  # noqa: PLC0415
        EVENT_SYSTEM_OFFLINE,
    )

    rng = random.Random(seed)
    # N "is offline" warnings would bury the table
    logging.getLogger("custom_components.provider_watch").setLevel(logging.ERROR)
    names = [f"Latency{i:04d}" for i in range(n)]
    devices, relay = Devices(), Relay(names=names)
    offline_at: dict[str, float] = {}
    await devices.start()
    await relay.start()
    try:
        with tempfile.TemporaryDirectory(prefix="pw-bench-") as tmp:
            async with home_assistant(Path(tmp)) as hass:
                phone = await register_phone(hass, relay)
                internet_entry(f"{HOST}:{devices.port}").add_to_hass(hass)
                systems = [http_data(f"{devices.base}/device/{name}") for name in names]
                for number, entry in enumerate(
                    provider_entries(systems, per_entry=PER_PROVIDER, prefix="lat")
                ):
                    entry.add_to_hass(hass)
                    hass.config_entries.async_update_entry(
                        entry, options={"phones": [phone]}
                    )
                    for sub_number, subentry in enumerate(entry.subentries.values()):
                        hass.config_entries.async_update_subentry(
                            entry,
                            subentry,
                            title=names[number * PER_PROVIDER + sub_number],
                        )

                def on_offline(event: Any) -> None:
                    offline_at.setdefault(
                        str(event.data.get("system")), time.monotonic()
                    )

                hass.bus.async_listen(EVENT_SYSTEM_OFFLINE, on_offline)
                await setup_domain(hass)
                await asyncio.sleep(POLL + 5)  # every system checked and online
                loop = asyncio.get_running_loop()
                for name in names:  # random phases of the poll cycle
                    loop.call_later(rng.uniform(0, POLL), devices.switch_off, name)
                with contextlib.suppress(TimeoutError):  # bounded
                    await asyncio.wait_for(relay.all_in.wait(), POLL + 180)
                await hass.async_stop(force=True)
    finally:
        await relay.stop()
        await devices.stop()
    to_event = [offline_at[x] - devices.off_at[x] for x in names if x in offline_at]
    to_push = [relay.pushed_at[x] - devices.off_at[x] for x in relay.pushed_at]
    return {
        "outages": n,
        "offline_events": len(to_event),
        "pushes": len(to_push),
        "to_event": to_event,
        "to_push": to_push,
    }
