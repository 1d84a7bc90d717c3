"""What the benchmarks share: an in-process Home Assistant and Provider Watch entries.

Used by bench.py, bench_latency.py, bench_memory.py, bench_profile.py and
bench_whatif.py; imports none of them (the benchmarks import this, never each other in
a circle).
"""

import asyncio
from collections.abc import Callable
import contextlib
import json
from pathlib import Path
from typing import Any
from unittest.mock import patch

from custom_components.provider_watch.logic.timing import HOME_NETWORK
from testkit.simulated import LOCALHOST, free_port

REPO = Path(__file__).resolve().parents[2]
HOST = LOCALHOST  # every server of the benchmarks listens here only
# every system of the benchmarks is on 127.0.0.1: the home network's defaults apply
# (logic/timing.py; the arithmetic: docs/timing.md)
POLL = float(HOME_NETWORK.poll_interval)


@contextlib.asynccontextmanager
async def home_assistant(config_dir: Path) -> Any:
    """A real HomeAssistant core (HA's test harness setup, real time, real network)."""
    from aiohttp.resolver import AsyncResolver  # noqa: PLC0415
    from pytest_homeassistant_custom_component.common import (  # noqa: PLC0415
        async_test_home_assistant,
    )

    from homeassistant import loader  # noqa: PLC0415
    from homeassistant.helpers import frame  # noqa: PLC0415

    from .provision import prepare_config  # noqa: PLC0415

    # http (a dependency of webhook) is never started here; should it be, 127.0.0.1
    prepare_config(config_dir, free_port())
    # A plain DNS resolver, as HA's test plugin uses: HA's shared session resolves
    # .local names through zeroconf, whose first instance replaces zeroconf.Zeroconf
    # process-wide; a second Home Assistant in the same process (the benchmarks start
    # several) then reports "attempted to create another Zeroconf instance" against
    # the first integration frame on the stack, our first async_get_clientsession.
    # A real install runs one Home Assistant per process and never sees it. The
    # benchmarks' traffic is 127.0.0.1 only, so no mDNS is lost.
    resolver = AsyncResolver()
    resolver.real_close = resolver.close  # type: ignore[attr-defined]
    with patch(
        "homeassistant.helpers.aiohttp_client._async_make_resolver",
        return_value=resolver,
    ):
        async with async_test_home_assistant(config_dir=str(config_dir)) as hass:
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)  # find custom_components/
            frame.async_setup(hass)  # as HA's bootstrap does
            yield hass


def allow_fast_polling(seconds: float) -> None:
    """Let this process's systems be checked every `seconds` (the product: 10 s at least).

    The quick CPU comparison polls every 2 s to count enough probes in a few seconds;
    without this, a stored interval below the minimum falls back to the default.
    """
    from custom_components.provider_watch import settings  # noqa: PLC0415
    from custom_components.provider_watch.const import (  # noqa: PLC0415
        CONF_POLL_INTERVAL,
    )

    limits = settings._SECONDS  # noqa: SLF001 - a benchmark-only widening
    default, low, high = limits[CONF_POLL_INTERVAL]
    limits[CONF_POLL_INTERVAL] = (default, min(low, seconds), high)


def system_data(kind: str, **data: Any) -> dict[str, Any]:
    from custom_components.provider_watch.const import CONF_KIND  # noqa: PLC0415

    return {CONF_KIND: kind} | data


def http_data(url: str) -> dict[str, Any]:
    return system_data(
        "http", url=url, expected_status="200-299", verify_tls=True
    )  # default timing


def provider_entries(
    systems: list[dict[str, Any]], per_entry: int = 100, prefix: str = ""
) -> list[Any]:
    from pytest_homeassistant_custom_component.common import (  # noqa: PLC0415
        MockConfigEntry,
    )

    from custom_components.provider_watch.const import (  # noqa: PLC0415
        DOMAIN,
        SUBENTRY_SYSTEM,
    )
    from homeassistant.config_entries import ConfigSubentryData  # noqa: PLC0415

    entries = []
    for start in range(0, len(systems), per_entry):
        n = start // per_entry
        entries.append(
            MockConfigEntry(
                domain=DOMAIN,
                title=f"Provider {prefix}{n}",
                data={"name": f"Provider {prefix}{n}"},
                subentries_data=[
                    ConfigSubentryData(
                        data=data,
                        subentry_id=f"system_{prefix}{start + i}",
                        subentry_type=SUBENTRY_SYSTEM,
                        title=f"System {prefix}{start + i}",
                        unique_id=None,
                    )
                    for i, data in enumerate(systems[start : start + per_entry])
                ],
            )
        )
    return entries


def internet_entry(target: str) -> Any:
    from pytest_homeassistant_custom_component.common import (  # noqa: PLC0415
        MockConfigEntry,
    )

    return MockConfigEntry(
        domain="provider_watch",
        title="Internet connection",
        unique_id="internet",
        data={"entry_type": "internet"},
        options={"targets": [target]},
    )


async def setup_domain(hass: Any) -> None:
    from homeassistant.config_entries import ConfigEntryState  # noqa: PLC0415
    from homeassistant.setup import async_setup_component  # noqa: PLC0415

    if not await async_setup_component(hass, "provider_watch", {}):
        raise RuntimeError("provider_watch did not set up")
    states = [e.state for e in hass.config_entries.async_entries("provider_watch")]
    if any(state is not ConfigEntryState.LOADED for state in states):
        raise RuntimeError(f"not every entry loaded: {states}")


def write_artifact(name: str, data: Any) -> None:
    """artifacts/<name>, as indented JSON."""
    out = REPO / "artifacts" / name
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(data, indent=1) + "\n")


async def wait_for(predicate: Callable[[], bool], seconds: float) -> bool:
    """Poll a condition every 50 ms, at most `seconds`."""
    loop = asyncio.get_running_loop()
    until = loop.time() + seconds
    while not predicate():
        if loop.time() > until:
            return False
        await asyncio.sleep(0.05)
    return True
