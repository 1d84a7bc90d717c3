"""End to end, the provider's integration already installed (part of scripts/e2e).

The test-only integration pw_test_provider (tests/testing_config/custom_components)
runs in the real `hass` as the provider's own, cloud-connected integration. Over
the REST API: its entry is added -> Provider Watch offers it under "Discovered"
(config_entries/flow/progress) -> the offer is confirmed -> its devices
are systems -> a device's entities go unavailable -> both phones get the offline
push -> the integration's entry goes into setup retry -> both phones hear that its
integration cannot reach its cloud.
"""

import asyncio
import time
from typing import Any

from .provision import HomeAssistantApi

TEST_DOMAIN = "pw_test_provider"
GRACE = 10  # seconds (the default is 5 minutes)


async def wait(what: str, probe: Any, timeout: float, interval: float = 0.5) -> Any:
    """Call `probe()` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := await probe():
            return found
        await asyncio.sleep(interval)
    raise RuntimeError(f"{what}: not within {timeout:.0f} s")


async def device_story(
    api: HomeAssistantApi,
    gateway: Any,
    phone_ids: list[str],
    check: Any,
) -> dict[str, float]:
    """The story; returns its latencies (seconds)."""
    summary: dict[str, float] = {}
    added = time.monotonic()
    ring = await api.config_flow(TEST_DOMAIN, {"name": "Ring"})
    check(ring.get("type") == "create_entry", "the provider's integration is set up")
    ring_id = ring["result"]["entry_id"]

    async def offered() -> dict[str, Any] | None:
        # (the frontend's "Discovered" list: a websocket command in HA 2026.x)
        flows = await api.ws({"type": "config_entries/flow/progress"})
        return next(
            (
                f
                for f in flows
                if f["handler"] == "provider_watch"
                and f["context"].get("source") == "integration_discovery"
                and f["context"].get("unique_id") == f"integration_{ring_id}"
            ),
            None,
        )

    offer = await wait("the discovered flow", offered, 60)
    discovered = time.monotonic()
    summary["discovery_s"] = discovered - added
    placeholders = offer["context"].get("title_placeholders", {})
    check(
        placeholders == {"name": "Ring", "count": "2"},
        f"Discovered: Ring with 2 devices ({placeholders})",
    )
    devices = [
        d["id"]
        for d in await api.ws({"type": "config/device_registry/list"})
        if ring_id in d["config_entries"]
    ]
    confirmed_at = time.monotonic()
    provider = await api.post(
        f"/api/config/config_entries/flow/{offer['flow_id']}",
        {"name": "Ring", "devices": devices},
    )
    check(provider.get("type") == "create_entry", "the offer confirmed: provider Ring")
    entry_id = provider["result"]["entry_id"]
    entries = await api.get("/api/config/config_entries/entry")
    entry = next(e for e in entries if e["entry_id"] == entry_id)
    check(entry["num_subentries"] == 2, "one system per device")

    # quicker than the 5-minute default for the run: each system's grace time
    subentries = await api.ws(
        {"type": "config_entries/subentries/list", "entry_id": entry_id}
    )
    for sub in subentries:
        flow = await api.post(
            "/api/config/config_entries/subentries/flow",
            {"handler": [entry_id, "system"], "subentry_id": sub["subentry_id"]},
        )
        device = next(
            d
            for d in await api.ws({"type": "config/device_registry/list"})
            if d["id"] in devices and (d["name_by_user"] or d["name"]) == sub["title"]
        )
        done = await api.post(
            f"/api/config/config_entries/subentries/flow/{flow['flow_id']}",
            {
                "name": sub["title"],
                "device": device["id"],
                "require_all": False,
                "grace": GRACE,
                "max_silence": 0,
            },
        )
        check(done.get("type") == "abort", f"{sub['title']}: grace {GRACE} s")
    options = await api.options_flow(entry_id, {"phones": phone_ids, "repeat": "1"})
    check(options.get("type") == "create_entry", "Ring alerts both phones")

    async def status(entity_id: str) -> str:
        state = await api.get(f"/api/states/{entity_id}")
        return str(state.get("state"))

    async def online() -> bool:
        return await status("sensor.front_door_status") == "online"

    await wait("Front door online", online, 60)

    # the device's entities go unavailable: both phones hear it
    gone = time.monotonic()
    await api.post(
        f"/api/services/{TEST_DOMAIN}/set_available",
        {"available": False, "device": "Front door"},
    )
    title = "Front door is offline"
    when, android = await gateway.wait_for(
        "e2e:Pixel", lambda p: p.get("title") == title, gone, 120
    )
    _, iphone = await gateway.wait_for(
        "e2e:Iphone", lambda p: p.get("title") == title, gone, 30
    )
    summary["device_offline_push_s"] = when - gone
    summary["discovery_to_offline_push_s"] = when - discovered
    summary["confirm_to_offline_push_s"] = when - confirmed_at
    check(
        "this looks like your system" in android["message"]
        and "this looks like your system" in iphone["message"],
        "both phones: the device itself (its integration runs)",
    )
    back = time.monotonic()
    await api.post(f"/api/services/{TEST_DOMAIN}/set_available", {"available": True})
    await gateway.wait_for(
        "e2e:Pixel", lambda p: p.get("title") == "Front door is back online", back, 60
    )

    # the integration cannot reach its cloud: its setup retries
    retry = time.monotonic()
    await api.post(f"/api/services/{TEST_DOMAIN}/set_cloud", {"mode": "retry"})
    cloud_title = "Ring's cloud is offline"
    when, android = await gateway.wait_for(
        "e2e:Pixel", lambda p: p.get("title") == cloud_title, retry, 120
    )
    _, iphone = await gateway.wait_for(
        "e2e:Iphone", lambda p: p.get("title") == cloud_title, retry, 30
    )
    summary["setup_retry_push_s"] = when - retry
    words = "Ring's integration cannot reach Ring's cloud since"
    check(
        words in android["message"] and words in iphone["message"],
        f"both phones: {android['message']}",
    )
    cause = await status("sensor.front_door_outage_cause")
    check(cause == "provider_cloud", "the cause sensor: the provider's cloud")
    await api.post(f"/api/services/{TEST_DOMAIN}/set_cloud", {"mode": "ok"})
    return summary
