"""End to end: a real `hass`, real phone registrations, the whole story on 127.0.0.1.

    python -m scripts.devtools.e2e [--keep]

Starts Home Assistant in a throw-away config folder, a simulated device, a stand-in
for "the internet" and a fake push relay (all on 127.0.0.1), onboards the owner,
registers an Android and an iOS phone, creates a provider and a system through the
config-flow REST API, and then: device off -> offline push on both phones (latency
measured) -> Acknowledge tapped -> no reminder -> device on -> recovery push and
clear_notification -> the outage in the history and the report -> a second outage, hass SIGKILLed and restarted -> no second
offline push, the outage keeps its start. Exits non-zero on any failed check and
always stops what it started.
"""

import argparse
import asyncio
import contextlib
from dataclasses import dataclass, field
import os
from pathlib import Path
import shutil
import signal
import socket
import sys
import time
from typing import Any

import aiohttp
from aiohttp import web

from .e2e_device import GRACE, device_story
from .provision import HomeAssistantApi, prepare_config
from .simdevice import Device

HOST = "127.0.0.1"
REPO = Path(__file__).resolve().parents[2]
WORK = REPO / ".toolchain" / "e2e"
USER, PASSWORD = "owner", "e2e-password-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class FailedError(Exception):
    """An end-to-end check failed."""


def check(condition: object, what: str) -> None:
    if not condition:
        raise FailedError(what)
    print(f"  ok: {what}", flush=True)


@dataclass
class Gateway:
    """The fake push relay: records every JSON body, answers 201 {}."""

    port: int = field(default_factory=free_port)
    pushes: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    runner: web.AppRunner | None = None

    async def start(self) -> None:
        async def push(request: web.Request) -> web.Response:
            self.pushes.append((time.monotonic(), await request.json()))
            return web.json_response({}, status=201)

        app = web.Application()
        app.router.add_post("/push", push)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, HOST, self.port).start()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/push"

    def to(self, token: str, since: float = 0) -> list[dict[str, Any]]:
        return [
            p for t, p in self.pushes if p.get("push_token") == token and t >= since
        ]

    async def wait_for(
        self, token: str, match: Any, since: float, timeout: float
    ) -> tuple[float, dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for when, push in self.pushes:
                if when >= since and push.get("push_token") == token and match(push):
                    return when, push
            await asyncio.sleep(0.1)
        raise FailedError(f"no matching push for {token} within {timeout:.0f} s")


CONFIGURATION = """
homeassistant:
  name: Provider Watch e2e
  latitude: 0
  longitude: 0
  elevation: 0
  unit_system: metric
  time_zone: UTC
  country: US
  currency: USD
  language: en
# http: 127.0.0.1 only, written to .storage/http by prepare_config (HA 2026.x keeps
# the http settings in storage)
onboarding:
config:
mobile_app:
automation:
logger:
  default: warning
  logs:
    custom_components.provider_watch: debug
"""


class Hass:
    """A real `hass -c CONFIG` process."""

    def __init__(self, config: Path, port: int) -> None:
        self.config = config
        self.port = port
        self.process: asyncio.subprocess.Process | None = None
        self.log = config / "e2e-hass.log"

    async def start(self) -> None:
        log = self.log.open("ab")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "homeassistant",
            "-c",
            str(self.config),
            stdout=log,
            stderr=log,
            start_new_session=True,
            # not the repo: its custom_components/ (a namespace package) would hide
            # the config folder's, where the test-only provider integration is
            cwd=self.config,
        )

    async def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process and self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.process.wait(), 60)


async def main(keep: bool) -> int:
    shutil.rmtree(WORK, ignore_errors=True)
    config = WORK / "config"
    (config / "custom_components").mkdir(parents=True)
    (config / "custom_components/provider_watch").symlink_to(
        REPO / "custom_components/provider_watch"
    )
    (config / "custom_components/pw_test_provider").symlink_to(
        REPO / "tests/testing_config/custom_components/pw_test_provider"
    )
    ha_port = free_port()
    (config / "configuration.yaml").write_text(CONFIGURATION)
    prepare_config(config, ha_port)

    device = Device(free_port())
    internet = Device(free_port(), "up")
    gateway = Gateway()
    hass = Hass(config, ha_port)
    await device.on()
    await internet.on()
    await gateway.start()
    summary: dict[str, float] = {}
    try:
        async with aiohttp.ClientSession() as session:
            api = HomeAssistantApi(session, f"http://{HOST}:{ha_port}")
            started = time.monotonic()
            await hass.start()
            await api.wait_until_up(timeout=300)
            await api.onboard_or_login("Owner", USER, PASSWORD)
            await api.wait_for_components("mobile_app", "config")
            summary["startup_s"] = time.monotonic() - started
            print(f"hass up in {summary['startup_s']:.1f} s", flush=True)

            phones = {}
            for name, body in (("Pixel", _android()), ("Iphone", _ios())):
                body |= {
                    "device_id": f"e2e-{name.lower()}",
                    "device_name": name,
                    "app_data": {"push_url": gateway.url, "push_token": f"e2e:{name}"},
                }
                phones[name] = await api.post("/api/mobile_app/registrations", body)
            check(
                all(p.get("webhook_id") for p in phones.values()),
                "two phones registered",
            )

            provider = await api.config_flow(
                "provider_watch",
                {"name": "Acme Alarm", "support_phone": "+1 555 0100"},
                {"targets": [f"{HOST}:{internet.port}"]},
            )
            check(
                provider.get("type") == "create_entry",
                "provider created via the config flow",
            )
            entry_id = provider["result"]["entry_id"]
            system = await api.subentry_flow(
                entry_id,
                "system",
                {"next_step_id": "http"},
                {
                    "name": "Alarm panel",
                    "url": f"http://{HOST}:{device.port}/status",
                    "expected_status": "200-299",
                    "verify_tls": True,
                    "timing": {
                        "poll_interval": 10,
                        "timeout": 2,
                        "retry_interval": 2,
                        "failures_before_offline": 3,
                        "successes_before_online": 1,
                    },
                },
            )
            check(
                system.get("type") == "create_entry",
                "system added via the subentry flow",
            )
            devices = await api.ws({"type": "config/device_registry/list"})
            phone_ids = [
                d["id"]
                for d in devices
                if any(i[0] == "mobile_app" for i in d["identifiers"])
            ]
            check(len(phone_ids) == 2, "both phones are devices")
            options = await api.options_flow(
                entry_id, {"phones": phone_ids, "repeat": "1"}
            )
            check(
                options.get("type") == "create_entry", "phones set in the options flow"
            )
            await asyncio.sleep(3)  # the entry reloads with its new options

            # 1. the device stops: both phones hear about it
            stopped = time.monotonic()
            await device.off()
            offline = lambda p: p.get("title") == "Alarm panel is offline"  # noqa: E731
            when, android = await gateway.wait_for("e2e:Pixel", offline, stopped, 90)
            _, iphone = await gateway.wait_for("e2e:Iphone", offline, stopped, 30)
            summary["offline_push_s"] = when - stopped
            check(
                "this looks like your system" in android["message"],
                "the cause is in the message",
            )
            tag = android["data"]["tag"]
            check(tag.startswith("provider-watch-"), "the offline push carries a tag")
            calls = {a["title"]: a for a in android["data"]["actions"]}
            check(
                calls["Call Acme Alarm support"]["uri"] == "deep-link://tel:+15550100",
                "Android call action",
            )
            ios_calls = {a["title"]: a for a in iphone["data"]["actions"]}
            check(
                ios_calls["Call Acme Alarm support"]["uri"] == "tel:+15550100",
                "iOS call action",
            )

            # 2. Acknowledge tapped on the phone: no reminder after the 1-min interval
            ack = next(
                a["action"]
                for a in android["data"]["actions"]
                if a["title"] == "Acknowledge"
            )
            await api.post(
                f"/api/webhook/{phones['Pixel']['webhook_id']}",
                {
                    "type": "fire_event",
                    "data": {
                        "event_type": "mobile_app_notification_action",
                        "event_data": {"action": ack, "tag": tag},
                    },
                },
            )
            acked = time.monotonic()
            await asyncio.sleep(75)
            reminders = [
                p
                for p in gateway.to("e2e:Pixel", acked)
                if "still offline" in p.get("title", "")
            ]
            check(not reminders, "no reminder after Acknowledge")

            # 3. the device returns: clear + recovery
            restarted = time.monotonic()
            await device.on()
            back = lambda p: p.get("title") == "Alarm panel is back online"  # noqa: E731
            when, _ = await gateway.wait_for("e2e:Pixel", back, restarted, 60)
            summary["recovery_push_s"] = when - restarted
            clears = [
                p
                for p in gateway.to("e2e:Pixel", restarted)
                if p.get("message") == "clear_notification"
            ]
            check(
                clears and clears[0]["data"]["tag"] == tag,
                "clear_notification for the offline tag",
            )

            # the outage is in the history, and the report service returns it
            answer = await api.post(
                "/api/services/provider_watch/generate_report?return_response",
                {"config_entry_id": entry_id, "period": "last_30_days"},
            )
            report = answer["service_response"]
            closed = [
                o
                for o in report["outages"]
                if o["system"] == "Alarm panel" and not o["ongoing"]
            ]
            check(len(closed) == 1, "the report returns the outage")
            check(
                closed[0]["alert_sent"] is not None
                and closed[0]["acknowledged_at"] is not None,
                "the history shows the alert sent and acknowledged",
            )

            # 4. a second outage; hass killed (after its registry writes) and restarted
            second = time.monotonic()
            await device.off()
            await gateway.wait_for("e2e:Pixel", offline, second, 90)
            state = await api.get("/api/states/sensor.alarm_panel_status")
            since = state["attributes"].get("since")
            check(bool(since), "the status shows since when the system is offline")
            await asyncio.sleep(12)  # HA writes its registries ~10 s after a change
            await hass.kill()
            killed = time.monotonic()
            await hass.start()
            await api.wait_until_up(timeout=300)
            await api.onboard_or_login("Owner", USER, PASSWORD)
            await api.wait_for_components("provider_watch")
            await asyncio.sleep(40)
            again = [
                p
                for p in gateway.to("e2e:Pixel", killed)
                if p.get("title") == "Alarm panel is offline"
            ]
            check(not again, "no second offline push for the same outage after SIGKILL")
            status = await api.get("/api/states/sensor.alarm_panel_status")
            check(status["state"] == "offline", "still offline after the restart")
            kept = status["attributes"].get("since")
            check(kept == since, f"the outage keeps its start ({since} / {kept})")

            # 5. the provider's integration already installed (e2e_device.py)
            summary |= await device_story(api, gateway, phone_ids, check)
    except (FailedError, RuntimeError, TimeoutError, aiohttp.ClientError) as err:
        print(f"e2e: FAILED: {err} (hass log: {hass.log})", flush=True)
        return 1
    finally:
        await hass.kill(signal.SIGTERM)
        await hass.kill()
        await device.off()
        await internet.off()
        if gateway.runner:
            await gateway.runner.cleanup()
        if not keep:
            shutil.rmtree(WORK, ignore_errors=True)
    print(
        f"e2e: offline push after {summary['offline_push_s']:.1f} s, "
        f"recovery push after {summary['recovery_push_s']:.1f} s "
        f"(hass startup {summary['startup_s']:.1f} s)",
        flush=True,
    )
    print(
        f"e2e: discovered {summary['discovery_s']:.1f} s after the integration was "
        f"added; discovery -> confirm -> offline push "
        f"{summary['discovery_to_offline_push_s']:.1f} s (confirm -> push "
        f"{summary['confirm_to_offline_push_s']:.1f} s, unavailable -> push "
        f"{summary['device_offline_push_s']:.1f} s with a {GRACE} s grace); "
        f"setup retry -> cloud push {summary['setup_retry_push_s']:.1f} s",
        flush=True,
    )
    return 0


def _android() -> dict[str, Any]:
    return {
        "app_id": "io.homeassistant.companion.android",
        "app_name": "Home Assistant",
        "app_version": "2026.11.0-full",
        "manufacturer": "Google",
        "model": "Pixel 9",
        "os_name": "Android",
        "os_version": "16",
        "supports_encryption": False,
    }


def _ios() -> dict[str, Any]:
    return {
        "app_id": "io.robbie.HomeAssistant",
        "app_name": "Home Assistant",
        "app_version": "2026.11.0",
        "manufacturer": "Apple",
        "model": "iPhone17,1",
        "os_name": "iOS",
        "os_version": "26.1",
        "supports_encryption": False,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keep", action="store_true", help="keep .toolchain/e2e")
    sys.exit(asyncio.run(main(parser.parse_args().keep)))
