"""A provider's cloud API on 127.0.0.1, switchable from the test.

Like simulated.py does for a device, this stands in for the REST/JSON API of a
provider that monitors the customer's devices. Everything it answers is set through
plain attributes, so a test can break it the way real clouds break:

- `auth`: "none", "bearer", "api_key" or "basic"; a request with other credentials
  gets `reject_status` (401 or 403). Changing `token` (or `revoke()`) revokes the
  one Home Assistant holds.
- `status` (every path) and `status_for` (per path) force an HTTP status, e.g. 503
  or 429 with `retry_after`.
- `html`: answer with a maintenance page instead of JSON; `huge`: with 2 MiB of it.
- `hang`: accept the request and never answer (until the server stops).
- `shape`: "object" ({"devices": [...]}), "bare_array" ([...]) or "dotted" (keys with
  dots in them).
- `redirect_to`: answer /api/devices with a redirect (`redirect_status`) to that URL.
- `prefix`: every route is also answered under this path (e.g. /k/<key>/api/health).

Routes: GET /api/devices (the list), GET /api/devices/{id} (one device), GET
/api/health ({"status": health}). Every request is recorded in `requests`.
"""

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from testkit.simulated import LocalServer

TOKEN = "tok-3f9a1c7e5b2d4e60"  # noqa: S105
API_KEY_HEADER = "X-API-Key"
API_KEY = "key-8d1e6b0c2a9f4735"
USERNAME = "customer-417"
PASSWORD = "pw-c0ffee-5e1f-7a2b"  # noqa: S105

PANEL_ID = 41  # sent as a number
GATEWAY_ID = "42"  # sent as text


@dataclass(frozen=True)
class SeenRequest:
    """What the cloud received."""

    method: str
    path: str
    headers: dict[str, str]
    body: str


class ProviderCloud(LocalServer):
    """A provider's cloud API with two devices: a panel (41) and a gateway (42)."""

    def __init__(self, auth: str = "bearer") -> None:
        super().__init__()
        # credentials the cloud accepts
        self.auth = auth
        self.token = TOKEN
        self.header_name = API_KEY_HEADER
        self.api_key = API_KEY
        self.username = USERNAME
        self.password = PASSWORD
        self.reject_status = 401
        # what the devices report
        self.panel_online: Any = True
        self.panel_last_seen: datetime | str | None = None  # None: now, ISO with zone
        self.gateway_status = "ONLINE"
        self.gateway_checkin_ms: int | None = None  # None: now, epoch milliseconds
        self.include_panel = True
        self.health = "ok"
        # how the cloud misbehaves
        self.status = 200
        self.status_for: dict[str, int] = {}
        self.retry_after: str | None = None
        self.html = False
        self.huge = False
        self.hang = False
        self.shape = "object"
        self.redirect_to: str | None = None
        self.redirect_status = 302
        self.prefix = ""
        self.requests: list[SeenRequest] = []

    @property
    def url(self) -> str:
        """The device list."""
        return f"{self.base}/api/devices"

    @property
    def health_url(self) -> str:
        return f"{self.base}/api/health"

    def device_url(self, device_id: object) -> str:
        return f"{self.base}/api/devices/{device_id}"

    def revoke(self) -> None:
        """Rotate the token, API key and password: what Home Assistant holds is dead."""
        self.token = "tok-rotated-51c2"  # noqa: S105
        self.api_key = "key-rotated-77e0"
        self.password = "pw-rotated-0b9d"  # noqa: S105

    def hits(self, path: str = "/api/devices") -> int:
        """How many requests reached a path."""
        return sum(1 for request in self.requests if request.path == path)

    # --- what the API says -----------------------------------------------------

    def _devices(self) -> list[dict[str, Any]]:
        now = datetime.now(UTC)  # frozen in tests that use the freezer
        last_seen = self.panel_last_seen or now
        panel = {
            "id": PANEL_ID,
            "name": "Alarm panel",
            "online": self.panel_online,
            "last_seen": last_seen
            if isinstance(last_seen, str)
            else last_seen.isoformat(),
        }
        gateway = {
            "id": GATEWAY_ID,
            "name": "Solar gateway",
            "status": self.gateway_status,
            "lastCheckin": self.gateway_checkin_ms
            if self.gateway_checkin_ms is not None
            else int(now.timestamp() * 1000),
        }
        return [panel, gateway] if self.include_panel else [gateway]

    def _device_list(self) -> object:
        devices = self._devices()
        if self.shape == "bare_array":
            return devices
        if self.shape == "dotted":
            return {
                "account.devices": {
                    str(device["id"]): {
                        "device.id": device["id"],
                        "is.online": device.get("online", True),
                        "last.seen": device.get("last_seen"),
                    }
                    for device in devices
                }
            }
        return {"devices": devices, "count": len(devices)}

    def _authorized(self, request: web.Request) -> bool:
        if self.auth == "bearer":
            return request.headers.get("Authorization") == f"Bearer {self.token}"
        if self.auth == "api_key":
            return request.headers.get(self.header_name) == self.api_key
        if self.auth == "basic":
            pair = f"{self.username}:{self.password}".encode()
            expected = "Basic " + base64.b64encode(pair).decode()
            return request.headers.get("Authorization") == expected
        return True

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(
            SeenRequest(
                method=request.method,
                path=request.path,
                headers=dict(request.headers),
                body=await request.text(),
            )
        )
        if self.hang:
            await self.held()
        if not self._authorized(request):
            return web.json_response(
                {"error": "invalid credentials"}, status=self.reject_status
            )
        status = self.status_for.get(request.path, self.status)
        if status != 200:
            headers = {"Retry-After": self.retry_after} if self.retry_after else {}
            return web.json_response(
                {"error": f"HTTP {status}"}, status=status, headers=headers
            )
        if self.huge:
            return web.json_response({"padding": "x" * (2 * 1024 * 1024)})
        if self.html:
            return web.Response(
                text="<html><body>Down for maintenance</body></html>",
                content_type="text/html",
            )
        return self._answer(request)

    def _answer(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if self.prefix and path.startswith(f"{self.prefix}/"):
            path = path.removeprefix(self.prefix)
        if path == "/api/health":
            return web.json_response({"status": self.health})
        if path == "/api/devices":
            if self.redirect_to:
                return web.Response(
                    status=self.redirect_status, headers={"Location": self.redirect_to}
                )
            return web.json_response(self._device_list())
        if path.startswith("/api/devices/"):
            wanted = path.removeprefix("/api/devices/")
            for device in self._devices():
                if str(device["id"]) == wanted:
                    return web.json_response(device)
        raise web.HTTPNotFound
