"""What Provider Watch makes Home Assistant's recorder write, beside HA's `rest`.

    python -m scripts.devtools.bench --only recorder [--quick]

One Home Assistant with its real recorder (SQLite in a temporary folder, the default
settings), 20 Provider Watch HTTP systems (one provider) and 20 `rest` binary sensors
(configuration.yaml + `rest.reload`, as the `rest` section sets them up), all polled
at the home network's default interval (10 s) against devices on 127.0.0.1:

- the `states` rows written when the 20th system is added to a provider of 19;
- `states` rows per system per day in steady state: the rows written in a window
  (60 s, quick; 180 s) / systems / window x 86,400 s;
- `states` rows for one outage (device answers 503 until the system is offline,
  then 200 until it is online again);
- statistics: one 5-minute compile of the recorder (the period at minute 55, which
  also summarises the hour), rows written per side: short-term rows x 288 and
  long-term (hourly) rows x 24 are the rows per day.

Rows are counted in the database file (sqlite3, read-only) per entity: ours are the
entity registry's provider_watch entities, rest's the `binary_sensor.rest_bench_*`.
"""

import asyncio
from datetime import timedelta
from pathlib import Path
import sqlite3
import tempfile
import time
from typing import Any

from testkit.simulated import SimulatedDevice

from .benchkit import POLL, http_data, provider_entries, setup_domain, wait_for

SYSTEMS = 20
DAY = 86400.0

STATES = """
SELECT m.entity_id, COUNT(*) FROM states s
JOIN states_meta m ON s.metadata_id = m.metadata_id GROUP BY m.entity_id
"""
STATISTICS_AT = """
SELECT m.statistic_id, COUNT(*) FROM {table} s
JOIN statistics_meta m ON s.metadata_id = m.id WHERE s.start_ts = {ts}
GROUP BY m.statistic_id
"""


def _count(db: Path, query: str) -> dict[str, int]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        return {str(key): int(n) for key, n in connection.execute(query)}


class Rows:
    """Rows in the recorder's database, per side (ours / rest / other)."""

    def __init__(self, hass: Any, db: Path) -> None:
        self.hass = hass
        self.db = db

    def side(self, entity_id: str) -> str:
        from homeassistant.helpers import entity_registry as er  # noqa: PLC0415

        entry = er.async_get(self.hass).async_get(entity_id)
        if entry is not None and entry.platform == "provider_watch":
            return "ours"
        if entity_id.startswith("binary_sensor.rest_bench_"):
            return "rest"
        return "other"

    async def count(self, query: str) -> dict[str, int]:
        """Rows per side, after everything so far is committed."""
        from pytest_homeassistant_custom_component.components.recorder.common import (  # noqa: PLC0415
            async_wait_recording_done,
        )

        await async_wait_recording_done(self.hass)
        per_entity = await self.hass.async_add_executor_job(_count, self.db, query)
        sides = {"ours": 0, "rest": 0, "other": 0}
        for entity_id, n in per_entity.items():
            sides[self.side(entity_id)] += n
        return sides

    async def states(self) -> dict[str, int]:
        return await self.count(STATES)


def _minus(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {side: after[side] - before.get(side, 0) for side in after}


async def _compile_statistics(hass: Any, rows: Rows) -> dict[str, dict[str, int]]:
    """One 5-minute compile at minute 55 (short-term + the hour's summary).

    The rows counted are those of that period, whoever compiled it: the recorder
    compiles each period itself 10 s after it ends, so a run that starts just after
    hh:00 finds hh-1:55 compiled already (a count before and after would see 0).
    """
    from homeassistant.components.recorder import get_instance  # noqa: PLC0415
    from homeassistant.components.recorder.tasks import (  # noqa: PLC0415
        StatisticsTask,
    )
    from homeassistant.util import dt as dt_util  # noqa: PLC0415

    now = dt_util.utcnow()
    start = now.replace(minute=55, second=0, microsecond=0)
    if start > now:  # the last period at minute 55 that has begun
        start -= timedelta(hours=1)
    get_instance(hass).queue_task(StatisticsTask(start=start, fire_events=False))
    runs = "SELECT start, COUNT(*) FROM statistics_runs GROUP BY start"
    await rows.count(runs)  # (after the task: the recorder runs its tasks in order)
    compiled = await hass.async_add_executor_job(_count, rows.db, runs)
    if not any(key.startswith(f"{start:%Y-%m-%d %H:%M:%S}") for key in compiled):
        raise RuntimeError(f"the statistics of {start} were not compiled")
    hour = start.replace(minute=0)
    return {
        "statistics_short_term": await rows.count(
            STATISTICS_AT.format(table="statistics_short_term", ts=start.timestamp())
        ),
        "statistics": await rows.count(
            STATISTICS_AT.format(table="statistics", ts=hour.timestamp())
        ),
    }


async def bench_recorder(report: Any, quick: bool) -> None:
    from homeassistant.config_entries import ConfigSubentry  # noqa: PLC0415
    from homeassistant.helpers import recorder as recorder_helper  # noqa: PLC0415
    from homeassistant.setup import async_setup_component  # noqa: PLC0415

    from .bench import rest_yaml  # noqa: PLC0415
    from .benchkit import home_assistant  # noqa: PLC0415

    window = 60.0 if quick else 180.0
    print(
        f"recorder: {SYSTEMS} systems and {SYSTEMS} rest sensors, real recorder, "
        f"{window:g} s steady state",
        flush=True,
    )
    details: dict[str, Any] = {"systems": SYSTEMS, "interval_s": POLL}
    async with SimulatedDevice() as device, SimulatedDevice() as flaky:
        with tempfile.TemporaryDirectory(prefix="pw-recorder-") as tmp:
            config = Path(tmp)
            async with home_assistant(config) as hass:
                recorder_helper.async_initialize_recorder(hass)  # as bootstrap does
                if not await async_setup_component(hass, "recorder", {"recorder": {}}):
                    raise RuntimeError("the recorder did not set up")
                rows = Rows(hass, config / "home-assistant_v2.db")
                # rest: the same number of sensors, the same interval
                urls = [device.url] * SYSTEMS
                (config / "configuration.yaml").write_text(rest_yaml(urls, POLL))
                for domain in ("binary_sensor", "rest"):
                    if not await async_setup_component(hass, domain, {}):
                        raise RuntimeError(f"{domain} did not set up")
                await hass.services.async_call("rest", "reload", blocking=True)
                # ours: a provider of 19 systems (the first one's device fails later)
                systems = [http_data(flaky.url)] + [
                    http_data(device.url) for _ in range(SYSTEMS - 2)
                ]
                (entry,) = provider_entries(systems, per_entry=SYSTEMS)
                entry.add_to_hass(hass)
                await setup_domain(hass)
                await asyncio.sleep(POLL + 1)  # everyone's first checks are done
                before = await rows.states()

                # the 20th system
                assert hass.config_entries.async_add_subentry(
                    entry,
                    ConfigSubentry(
                        data=http_data(device.url),  # type: ignore[arg-type]
                        subentry_type="system",
                        title="System 20",
                        unique_id=None,
                    ),
                )
                status = "sensor.system_20_status"
                if not await wait_for(
                    lambda: getattr(hass.states.get(status), "state", "") == "online",
                    30,
                ):
                    raise RuntimeError("the 20th system did not come online")
                await asyncio.sleep(2)
                added = _minus(await rows.states(), before)
                details["rows_adding_the_20th_system"] = added

                # steady state
                before = await rows.states()
                started = time.monotonic()
                await asyncio.sleep(window)
                steady = _minus(await rows.states(), before)
                elapsed = time.monotonic() - started
                per_day = {
                    side: n / SYSTEMS / elapsed * DAY for side, n in steady.items()
                }
                details["steady"] = {"seconds": elapsed, "rows": steady}

                # one outage
                before = await rows.states()
                started = time.monotonic()
                first = "sensor.system_0_status"
                flaky.status = 503
                if not await wait_for(
                    lambda: getattr(hass.states.get(first), "state", "") == "offline",
                    90,
                ):
                    raise RuntimeError("the failing system did not go offline")
                flaky.status = 200
                if not await wait_for(
                    lambda: getattr(hass.states.get(first), "state", "") == "online",
                    90,
                ):
                    raise RuntimeError("the failing system did not come back")
                await asyncio.sleep(1)
                outage = _minus(await rows.states(), before)
                outage_s = time.monotonic() - started
                details["outage"] = {"seconds": outage_s, "rows": outage}

                statistics = await _compile_statistics(hass, rows)
                details["statistics_one_compile"] = statistics
                await hass.async_stop(force=True)
    report.details["recorder"] = details
    setting = f"{SYSTEMS} systems, every {POLL:g} s, real recorder (SQLite, defaults)"
    report.add(
        "recorder",
        "states rows per system per day, ours (rest)",
        per_day["ours"],
        "",
        target=5.0,
        note=f"{setting}; {steady['ours']} rows in {elapsed:.0f} s x 86,400 s / "
        f"{SYSTEMS}; rest {per_day['rest']:.3g} ({steady['rest']} rows)",
    )
    # minus what the others wrote meanwhile in steady state (none, as measured)
    ours_outage = outage["ours"] - steady["ours"] / elapsed * outage_s
    report.add(
        "recorder",
        "states rows per outage, ours",
        ours_outage,
        "",
        target=50.0,
        note=f"503 until offline, 200 until online ({outage_s:.0f} s); every "
        "entity of the provider counted",
    )
    report.add(
        "recorder",
        "states rows for adding the 20th system",
        added["ours"] + added["rest"] + added["other"],
        "",
        target=20.0,
        note=f"ours {added['ours']}, everything else {added['rest'] + added['other']}",
    )
    long_term = statistics["statistics"]
    short_term = statistics["statistics_short_term"]
    report.add(
        "recorder",
        "long-term statistics rows per system per day, ours (rest)",
        long_term["ours"] * 24 / SYSTEMS,
        "",
        target=24.0,
        note=f"one hourly compile: {long_term['ours']} rows (rest {long_term['rest']})"
        f" x 24 / {SYSTEMS}; rest {long_term['rest'] * 24 / SYSTEMS:g}",
    )
    report.add(
        "recorder",
        "short-term statistics rows per system per day, ours (rest)",
        short_term["ours"] * 288 / SYSTEMS,
        "",
        note=f"one 5-minute compile: {short_term['ours']} rows (rest "
        f"{short_term['rest']}) x 288 / {SYSTEMS}; HA purges them after 10 days",
    )
