"""Fake phones: real Companion-app registrations whose push URL is a real server.

The push gateway is an aiohttp server on 127.0.0.1 that records every JSON body HA's
mobile_app sends and answers 201 {}, as the real relay does.
"""

from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from .simulated import LocalServer


class PushGateway(LocalServer):
    """Records the pushes mobile_app sends."""

    def __init__(self) -> None:
        super().__init__()
        self.pushes: list[dict[str, Any]] = []
        self.status = 201

    @property
    def url(self) -> str:
        return f"{self.base}/push"

    def add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_post("/push", self._handle)

    async def _handle(self, request: web.Request) -> web.Response:
        self.pushes.append(await request.json())
        return web.json_response({}, status=self.status)

    def to(self, token: str) -> list[dict[str, Any]]:
        """What one phone (by push token) received."""
        return [p for p in self.pushes if p.get("push_token") == token]


ANDROID = {
    "app_id": "io.homeassistant.companion.android",
    "app_name": "Home Assistant",
    "app_version": "2026.11.0-full",
    "manufacturer": "Google",
    "model": "Pixel 9",
    "os_name": "Android",
    "os_version": "16",
    "supports_encryption": False,
}
IOS = {
    "app_id": "io.robbie.HomeAssistant",
    "app_name": "Home Assistant",
    "app_version": "2026.11.0",
    "manufacturer": "Apple",
    "model": "iPhone17,1",
    "os_name": "iOS",
    "os_version": "26.1",
    "supports_encryption": False,
}


async def register_phone(
    client: TestClient,
    gateway: PushGateway,
    name: str,
    *,
    ios: bool = False,
) -> dict[str, Any]:
    """Register a phone through POST /api/mobile_app/registrations, as the app does.

    Returns the registration answer plus "push_token" and "device_name".
    """
    token = f"fake:{name}"
    body = (IOS if ios else ANDROID) | {
        "device_id": f"phone-{name.lower().replace(' ', '-')}",
        "device_name": name,
        "app_data": {"push_url": gateway.url, "push_token": token},
    }
    response = await client.post("/api/mobile_app/registrations", json=body)
    assert response.status == 201, await response.text()
    return dict(await response.json()) | {"push_token": token, "device_name": name}


async def tap(client: TestClient, webhook_id: str, action: str, **extra: Any) -> None:
    """The app's fire_event for a tapped notification action."""
    response = await client.post(
        f"/api/webhook/{webhook_id}",
        json={
            "type": "fire_event",
            "data": {
                "event_type": "mobile_app_notification_action",
                "event_data": {"action": action, **extra},
            },
        },
    )
    assert response.status == 200, await response.text()
