"""Bring a fresh Home Assistant to a usable demo state through its HTTP APIs.

- onboarding: the owner account is created through the onboarding API; the other
  onboarding steps are marked done beforehand (see `prepare_config`), so HA's
  core_config step, which sets up integrations that reach the internet, never runs;
- a demo provider and a monitored system are created through the config-flow REST API,
  exactly as the UI does.
"""

import argparse
import asyncio
import contextlib
import json
from pathlib import Path
import sys
from typing import Any

import aiohttp

CLIENT_ID_PATH = "/"
ONBOARDING_DONE_EXCEPT_USER = ["core_config", "analytics", "integration"]


def prepare_config(config_dir: Path, port: int = 8123) -> None:
    """Before the first start: onboarding and the HTTP server settings.

    - every onboarding step but the owner account is marked done;
    - HTTP listens on 127.0.0.1 only. Since HA 2026.x the http settings live in
      .storage/http (YAML is migrated once as an unconfirmed "pending" config that
      reverts to the default, 0.0.0.0:8123, after 5 minutes), so the confirmed
      ("stable") config is written there directly, validated by HA's own schema.
    """
    storage = config_dir / ".storage"
    storage.mkdir(parents=True, exist_ok=True)
    onboarding = storage / "onboarding"
    if not onboarding.exists():
        onboarding.write_text(
            json.dumps(
                {
                    "version": 4,
                    "minor_version": 1,
                    "key": "onboarding",
                    "data": {"done": ONBOARDING_DONE_EXCEPT_USER},
                }
            )
        )
    from homeassistant.components.http import config as http_config  # noqa: PLC0415

    stable = dict(
        http_config.HTTP_STORAGE_SCHEMA(
            {"server_host": ["127.0.0.1"], "server_port": port}
        )
    )
    stable |= {
        "created_at": "2026-01-01T00:00:00+00:00",
        "error": None,
        "error_message": None,
    }
    (storage / "http").write_text(
        json.dumps(
            {
                "version": http_config.STORAGE_VERSION,
                "minor_version": http_config.STORAGE_MINOR_VERSION,
                "key": "http",
                "data": {
                    http_config.KEY_STABLE: stable,
                    http_config.KEY_PENDING: None,
                    http_config.KEY_YAML_MIGRATION_DONE: True,
                },
            }
        )
    )


class HomeAssistantApi:
    """A tiny client of HA's REST API, as the frontend uses it."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session = session
        self.base = base.rstrip("/")
        self.client_id = self.base + CLIENT_ID_PATH
        self.token: str | None = None

    async def wait_until_up(self, timeout: float = 600) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            try:
                async with self.session.get(f"{self.base}/manifest.json") as response:
                    if response.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(1)
        raise TimeoutError("Home Assistant did not come up")

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        async with self.session.request(
            method, self.base + path, headers=headers, **kwargs
        ) as response:
            body = await response.text()
            if response.status >= 400:
                raise RuntimeError(f"{method} {path}: HTTP {response.status}: {body}")
            return json.loads(body) if body else None

    async def _token_from_code(self, code: str) -> None:
        tokens = await self._json(
            "POST",
            "/auth/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": self.client_id,
            },
        )
        self.token = tokens["access_token"]

    async def onboard_or_login(self, name: str, username: str, password: str) -> None:
        async with self.session.get(f"{self.base}/api/onboarding") as response:
            # once onboarding is complete, HA no longer serves this view at all
            steps = await response.json() if response.status == 200 else []
        user_done = response.status == 404 or any(
            s["step"] == "user" and s["done"] for s in steps
        )
        if not user_done:
            result = await self._json(
                "POST",
                "/api/onboarding/users",
                json={
                    "client_id": self.client_id,
                    "name": name,
                    "username": username,
                    "password": password,
                    "language": "en",
                },
            )
            await self._token_from_code(result["auth_code"])
            return
        flow = await self._json(
            "POST",
            "/auth/login_flow",
            json={
                "client_id": self.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": self.client_id,
            },
        )
        result = await self._json(
            "POST",
            f"/auth/login_flow/{flow['flow_id']}",
            json={
                "client_id": self.client_id,
                "username": username,
                "password": password,
            },
        )
        await self._token_from_code(result["result"])

    async def entries(self, domain: str) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self._json(
            "GET", f"/api/config/config_entries/entry?domain={domain}"
        )
        return result

    async def config_flow(self, handler: str, *steps: dict[str, Any]) -> dict[str, Any]:
        result = await self._json(
            "POST", "/api/config/config_entries/flow", json={"handler": handler}
        )
        for step in steps:
            result = await self._json(
                "POST",
                f"/api/config/config_entries/flow/{result['flow_id']}",
                json=step,
            )
        return dict(result)

    async def options_flow(
        self, entry_id: str, *steps: dict[str, Any]
    ) -> dict[str, Any]:
        result = await self._json(
            "POST",
            "/api/config/config_entries/options/flow",
            json={"handler": entry_id},
        )
        for step in steps:
            result = await self._json(
                "POST",
                f"/api/config/config_entries/options/flow/{result['flow_id']}",
                json=step,
            )
        return dict(result)

    async def wait_for_components(self, *names: str, timeout: float = 300) -> None:
        """Wait until HA has set up these integrations (GET /api/config)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            with contextlib.suppress(RuntimeError, aiohttp.ClientError):
                loaded = set((await self.get("/api/config"))["components"])
                if set(names) <= loaded:
                    return
            await asyncio.sleep(0.5)
        raise TimeoutError(f"Home Assistant did not set up {names}")

    async def post(self, path: str, body: Any) -> Any:
        return await self._json("POST", path, json=body)

    async def get(self, path: str) -> Any:
        return await self._json("GET", path)

    async def ws(self, message: dict[str, Any]) -> Any:
        """One command over the websocket API (e.g. the device registry list)."""
        url = self.base.replace("http", "ws", 1) + "/api/websocket"
        async with self.session.ws_connect(url) as socket:
            await socket.receive_json()  # auth_required
            await socket.send_json({"type": "auth", "access_token": self.token})
            await socket.receive_json()  # auth_ok
            await socket.send_json({"id": 1, **message})
            while True:
                answer = await socket.receive_json()
                if answer.get("id") == 1:
                    if not answer.get("success"):
                        raise RuntimeError(f"websocket {message['type']}: {answer}")
                    return answer["result"]

    async def subentry_flow(
        self, entry_id: str, subentry_type: str, *steps: dict[str, Any]
    ) -> dict[str, Any]:
        result = await self._json(
            "POST",
            "/api/config/config_entries/subentries/flow",
            json={"handler": [entry_id, subentry_type]},
        )
        for step in steps:
            result = await self._json(
                "POST",
                f"/api/config/config_entries/subentries/flow/{result['flow_id']}",
                json=step,
            )
        return dict(result)


async def provision_demo(
    base: str, device_port: int, internet_port: int, username: str, password: str
) -> None:
    async with aiohttp.ClientSession() as session:
        api = HomeAssistantApi(session, base)
        await api.wait_until_up()
        await api.onboard_or_login("Developer", username, password)
        if await api.entries("provider_watch"):
            print("provision: demo provider already set up")
            return
        provider = await api.config_flow(
            "provider_watch",
            {
                "name": "Demo Alarm Co",
                "support_phone": "+1 555 0100",
                "support_url": "https://support.example.com",
                "account_contact": "accounts@example.com",
                "feedback_contact": "product@example.com",
            },
            # the internet check, asked with the first provider: on 127.0.0.1 only
            {"targets": [f"127.0.0.1:{internet_port}"]},
        )
        entry_id = provider["result"]["entry_id"]
        system = await api.subentry_flow(
            entry_id,
            "system",
            {"next_step_id": "http"},
            {
                "name": "Alarm panel",
                "url": f"http://127.0.0.1:{device_port}/status",
                "expected_status": "200-299",
                "keyword": "OK",
                "verify_tls": True,
                "timing": {
                    "poll_interval": 10,
                    "timeout": 2,
                    "retry_interval": 3,
                    "failures_before_offline": 3,
                    "successes_before_online": 2,
                },
            },
        )
        if system.get("type") != "create_entry":
            raise RuntimeError(f"subentry flow did not finish: {system}")
        print("provision: created provider 'Demo Alarm Co' with system 'Alarm panel'")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    prep = sub.add_parser("prepare")
    prep.add_argument("config_dir", type=Path)
    demo = sub.add_parser("demo")
    demo.add_argument("--base", default="http://127.0.0.1:8123")
    demo.add_argument("--device-port", type=int, default=18080)
    demo.add_argument("--internet-port", type=int, default=18081)
    demo.add_argument("--username", default="dev")
    demo.add_argument("--password", default="dev-password")
    args = parser.parse_args()
    if args.command == "prepare":
        prepare_config(args.config_dir)
    else:
        try:
            asyncio.run(
                provision_demo(
                    args.base,
                    args.device_port,
                    args.internet_port,
                    args.username,
                    args.password,
                )
            )
        except (RuntimeError, TimeoutError) as err:
            print(f"provision: {err}", file=sys.stderr)
            sys.exit(1)


if __name__ == "__main__":
    main()
