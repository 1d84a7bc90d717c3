"""The reports' download view and the signed links to it: for administrators only.

A report file is served at /api/provider_watch/reports/<file name> to an
administrator's session, or to anyone holding a link signed for an administrator's
session (valid LINK_VALIDITY); everyone else gets 401. Only the report's own
files (.html, .md, .csv in the reports' folder) are served.

The HTML report is served on Home Assistant's own origin, so it is sandboxed by a
Content-Security-Policy: it holds no script (report_html.py), and were an escaping
mistake ever to let one in, the browser would not run it nor let it reach the
frontend's tokens.
"""

from collections.abc import Mapping
from datetime import timedelta
from http import HTTPStatus
from pathlib import Path

from aiohttp import web

from homeassistant.components import websocket_api
from homeassistant.components.http import KEY_HASS_REFRESH_TOKEN_ID, KEY_HASS_USER
from homeassistant.components.http.auth import async_sign_path
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView, current_request

from .report_files import FILE_NAME

REPORTS_DIR = "provider_watch/reports"
REPORT_URL = "/api/provider_watch/reports"
LINK_VALIDITY = timedelta(hours=24)
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
}
# inline style and SVG only: no script, nothing fetched, no form, not framed
SANDBOX = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox"
)


def report_link(hass: HomeAssistant, path: Path, refresh_token_id: str) -> str:
    """A link to a report file signed for a user's session, valid LINK_VALIDITY."""
    return async_sign_path(
        hass,
        f"{REPORT_URL}/{path.name}",
        LINK_VALIDITY,
        refresh_token_id=refresh_token_id,
    )


def report_links(
    hass: HomeAssistant, files: Mapping[str, Path], refresh_token_id: str
) -> dict[str, str]:
    """Signed links to a report's files, by kind (html, markdown, csv)."""
    return {
        kind: report_link(hass, path, refresh_token_id) for kind, path in files.items()
    }


@callback
def admin_session(hass: HomeAssistant) -> str | None:
    """The refresh token of the administrator whose action runs now, if one does.

    The session of the websocket connection (the frontend) or HTTP request that
    pressed the button or called the action, as async_sign_path finds it; None for
    anyone else and for automations.
    """
    token_id: str | None = None
    if (connection := websocket_api.current_connection.get()) is not None:
        token_id = connection.refresh_token_id
    elif (request := current_request.get()) is not None:
        token_id = request.get(KEY_HASS_REFRESH_TOKEN_ID)
    token = hass.auth.async_get_refresh_token(token_id) if token_id else None
    if token is None or not token.user.is_admin:
        return None
    return token.id


class ReportView(HomeAssistantView):
    """Serves the written reports to administrators (and their signed links)."""

    url = f"{REPORT_URL}/{{filename}}"
    name = "api:provider_watch:reports"
    requires_auth = True

    async def get(self, request: web.Request, filename: str) -> web.StreamResponse:
        """A report file by name; nothing outside the reports folder."""
        hass = request.app[KEY_HASS]
        if not request[KEY_HASS_USER].is_admin:
            return web.Response(status=HTTPStatus.UNAUTHORIZED)
        if not FILE_NAME.fullmatch(filename):
            return web.Response(status=HTTPStatus.NOT_FOUND)
        path = Path(hass.config.path(REPORTS_DIR)) / filename
        if not await hass.async_add_executor_job(path.is_file):
            return web.Response(status=HTTPStatus.NOT_FOUND)
        return web.FileResponse(
            path,
            headers={
                "Content-Type": CONTENT_TYPES[path.suffix[1:]],
                "Content-Security-Policy": SANDBOX,
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "no-store",
            },
        )
