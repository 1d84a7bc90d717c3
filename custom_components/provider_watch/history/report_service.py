"""The accountability report: the service action, its files, its button and links.

The report includes what the provider is paid (the provider's contract options)
against the downtime, and whether it told the owner about each outage.

provider_watch.generate_report builds the report (logic/report.py) from the
provider's outage history, writes <config>/provider_watch/reports/<provider>-<period>-
<entry id>-<random token>.md and .csv (report_files.py: names and dates), and returns
the same figures as response data. The "Generate report"
button does the same for the last 30 days and posts a persistent notification with
signed links (valid 24 h) to both files.

Reports are for administrators: the action is an admin service, the files are
served to administrators only, and a link is signed for the administrator who
pressed the button (pressed by anyone else, or by an automation, the notification
names the files without links).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from functools import partial
from http import HTTPStatus
from pathlib import Path
import re
from typing import Any

from aiohttp import web
import probatio as vol

from homeassistant.components import persistent_notification, websocket_api
from homeassistant.components.button import ButtonEntityDescription
from homeassistant.components.http import KEY_HASS_REFRESH_TOKEN_ID, KEY_HASS_USER
from homeassistant.components.http.auth import async_sign_path
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView, current_request
from homeassistant.helpers.service import async_register_admin_service
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util

from ..const import (
    DOMAIN,
    LOGGER,
)
from ..logic.figures import Window, calendar_month, days, last, previous_month
from ..logic.report import Report, build_report
from ..logic.report_input import Contacts, ReportInput, ReportSystem, Texts
from ..monitoring.coordinator import ProviderRuntimeData
from ..runtime import ProviderEntry, loaded_provider
from .report_files import (
    FILE_NAME,
    check_days,
    check_history,
    invalid,
    report_stem,
    write_report,
)

SERVICE_GENERATE_REPORT = "generate_report"
ATTR_CONFIG_ENTRY_ID = "config_entry_id"
ATTR_PERIOD = "period"
ATTR_MONTH = "month"
ATTR_START = "start"
ATTR_END = "end"
PERIOD_LAST_30_DAYS = "last_30_days"
PERIOD_CALENDAR_MONTH = "calendar_month"
PERIOD_CUSTOM = "custom"
PERIODS = (PERIOD_LAST_30_DAYS, PERIOD_CALENDAR_MONTH, PERIOD_CUSTOM)
REPORTS_DIR = "provider_watch/reports"
REPORT_URL = "/api/provider_watch/reports"
LINK_VALIDITY = timedelta(hours=24)
MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
CONTENT_TYPES = {"md": "text/markdown; charset=utf-8", "csv": "text/csv; charset=utf-8"}

REPORT_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Optional(ATTR_PERIOD, default=PERIOD_LAST_30_DAYS): vol.In(PERIODS),
        vol.Optional(ATTR_MONTH): cv.string,
        vol.Optional(ATTR_START): cv.date,
        vol.Optional(ATTR_END): cv.date,
    }
)

# The button: button.py adds it to its provider buttons (press_fn below).
REPORT_BUTTON = ButtonEntityDescription(
    key="generate_report", translation_key="generate_report"
)


@dataclass(frozen=True, kw_only=True)
class WrittenReport:
    """A report and where its files are."""

    report: Report
    markdown: Path
    csv: Path

    @property
    def data(self) -> dict[str, Any]:
        """The service's response: the report's data and its files."""
        return self.report.data | {
            "files": {"markdown": str(self.markdown), "csv": str(self.csv)}
        }


def report_window(
    period: str,
    now: datetime,
    zone: tzinfo,
    *,
    month: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> tuple[Window, str]:
    """The window of a period, and the period's part of the file names."""
    if period == PERIOD_CALENDAR_MONTH:
        if month is None:
            year, number = previous_month(now, zone)
        elif (match := MONTH.fullmatch(month.strip())) and int(match[1]) > 0:
            year, number = int(match[1]), int(match[2])
        else:
            raise invalid("report_month_invalid", month=month)
        check_days(date(year, number, 1))
        return calendar_month(year, number, zone), f"{year:04d}-{number:02d}"
    if period == PERIOD_CUSTOM:
        if start is None or end is None or end < start:
            raise invalid("report_range_invalid")
        check_days(start, end)
        return days(start, end, zone), f"{start.isoformat()}-to-{end.isoformat()}"
    today = now.astimezone(zone).date()
    return last(timedelta(days=30), now), f"last-30-days-{today.isoformat()}"


async def async_texts(hass: HomeAssistant) -> Texts:
    """The report's words, in Home Assistant's language."""
    strings = await async_get_translations(
        hass, hass.config.language, "exceptions", [DOMAIN]
    )

    def texts(key: str, **placeholders: str) -> str:
        template = strings.get(f"component.{DOMAIN}.exceptions.{key}.message", key)
        try:
            return template.format(**placeholders)
        except KeyError, IndexError, ValueError:
            return template

    return texts


async def _async_user_names(hass: HomeAssistant, ids: set[str]) -> dict[str, str]:
    """Who acknowledged: user ids as the users' names."""
    names = {}
    for user_id in ids:
        if (user := await hass.auth.async_get_user(user_id)) and user.name:
            names[user_id] = user.name
    return names


def provider_runtime(
    hass: HomeAssistant, entry_id: str
) -> tuple[ProviderEntry, ProviderRuntimeData]:
    """A loaded provider entry and its runtime data."""
    if (entry := loaded_provider(hass, entry_id)) is None:
        raise invalid("unknown_provider", entry_id=entry_id)
    return entry, entry.runtime_data


async def async_generate_report(
    hass: HomeAssistant,
    entry: ProviderEntry,
    runtime: ProviderRuntimeData,
    period: str,
    *,
    month: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> WrittenReport:
    """Build a provider's report and write its files."""
    now = dt_util.utcnow()
    zone = dt_util.get_default_time_zone()
    window, label = report_window(period, now, zone, month=month, start=start, end=end)
    history = runtime.history
    contacts = runtime.settings.contacts
    outages = history.between(window.start, window.end, runtime.systems)
    check_history(
        entry.title,
        outages,
        [
            (system.subentry.title, history.added(system_id))
            for system_id, system in runtime.systems.items()
        ],
    )
    report = build_report(
        ReportInput(
            provider=entry.title,
            provider_id=entry.entry_id,
            contacts=Contacts(
                support_phone=contacts.support_phone,
                support_url=contacts.support_url,
                account=contacts.account,
                feedback=contacts.feedback,
            ),
            period=period,
            window=window,
            zone=zone,
            zone_name=hass.config.time_zone,
            now=now,
            systems=[
                ReportSystem(
                    id=system_id,
                    name=system.subentry.title,
                    added=history.added(system_id),
                )
                for system_id, system in runtime.systems.items()
            ],
            outages=outages,
            users=await _async_user_names(
                hass, {r.acknowledged_by for r in outages if r.acknowledged_by}
            ),
            contract=runtime.settings.contract,
            rollups=history.rollups,
        ),
        await async_texts(hass),
    )
    files = await hass.async_add_executor_job(
        partial(
            write_report,
            Path(hass.config.path(REPORTS_DIR)),
            report_stem(entry.title, entry.entry_id, label),
            {"md": report.markdown, "csv": report.csv},
            entry_id=entry.entry_id,
            label=label,
        )
    )
    LOGGER.info("Wrote the report for %s to %s", entry.title, files["md"])
    return WrittenReport(report=report, markdown=files["md"], csv=files["csv"])


@callback
def async_setup_report_service(hass: HomeAssistant) -> None:
    """Register provider_watch.generate_report and the reports' download view."""

    async def generate_report(call: ServiceCall) -> ServiceResponse:
        entry, runtime = provider_runtime(hass, call.data[ATTR_CONFIG_ENTRY_ID])
        written = await async_generate_report(
            hass,
            entry,
            runtime,
            call.data[ATTR_PERIOD],
            month=call.data.get(ATTR_MONTH),
            start=call.data.get(ATTR_START),
            end=call.data.get(ATTR_END),
        )
        return written.data

    async_register_admin_service(
        hass,
        DOMAIN,
        SERVICE_GENERATE_REPORT,
        generate_report,
        schema=REPORT_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    try:
        hass.http.register_view(ReportView())
    except RuntimeError as err:
        # Home Assistant keeps its router open for late views; a bare aiohttp test
        # client freezes it. Reports are still written, only the links are missing.
        LOGGER.warning("The reports' download view is not available: %s", err)


def report_link(hass: HomeAssistant, path: Path, refresh_token_id: str) -> str:
    """A link to a report file signed for a user's session, valid LINK_VALIDITY."""
    return async_sign_path(
        hass,
        f"{REPORT_URL}/{path.name}",
        LINK_VALIDITY,
        refresh_token_id=refresh_token_id,
    )


@callback
def admin_session(hass: HomeAssistant) -> str | None:
    """The refresh token of the administrator whose action runs now, if one does.

    The session of the websocket connection (the frontend) or HTTP request that
    pressed the button, as async_sign_path finds it; None for anyone else and for
    automations.
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


async def async_press_report(
    _manager: object, entry: ProviderEntry, runtime: ProviderRuntimeData
) -> None:
    """The "Generate report" button: the last 30 days, and a notification."""
    hass = runtime.hass
    written = await async_generate_report(hass, entry, runtime, PERIOD_LAST_30_DAYS)
    texts = await async_texts(hass)
    files = {
        "summary": written.report.data["summary"],
        "markdown": str(written.markdown),
        "csv": str(written.csv),
    }
    if (session := admin_session(hass)) is not None:
        message = texts(
            "report_notification_message",
            **files,
            markdown_url=report_link(hass, written.markdown, session),
            csv_url=report_link(hass, written.csv, session),
        )
    else:
        message = texts("report_notification_files", **files)
    persistent_notification.async_create(
        hass,
        message,
        title=texts("report_notification_title", provider=entry.title),
        notification_id=f"{DOMAIN}_report_{entry.entry_id}",
    )


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
            path, headers={"Content-Type": CONTENT_TYPES[path.suffix[1:]]}
        )
