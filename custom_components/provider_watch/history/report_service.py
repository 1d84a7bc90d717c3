"""The accountability report: the service action, its files, its button and links.

The report includes what the provider is paid (the provider's contract options)
against the downtime, and whether it told the owner about each outage.

provider_watch.generate_report builds the report (logic/report.py) from the
provider's outage history, in Home Assistant's language, off the event loop, writes
<config>/provider_watch/reports/<provider>-<period>-<entry id>-<random token>.html,
.md and .csv (report_files.py: names and dates), and returns the same figures as
response data, with the files' paths and the message to the provider's account
contact (subject, body, to). The "Generate report" button does the same for the
last 30 days and posts a persistent notification with signed links (valid 24 h) to
the three files (report_view.py).

Reports are for administrators: the action is an admin service, the files are
served to administrators only, and a link is signed for the administrator who
pressed the button or called the action (pressed by anyone else, or by an
automation, the notification names the files without links, and the response has
no links).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from functools import partial
from pathlib import Path
import re
from typing import Any

import probatio as vol

from homeassistant.components import persistent_notification
from homeassistant.components.button import ButtonEntityDescription
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.helpers import config_validation as cv
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
from ..monitoring.provider import ProviderRuntimeData
from ..runtime import ProviderEntry, loaded_provider
from .report_files import (
    check_days,
    check_history,
    invalid,
    report_stem,
    write_report,
)
from .report_view import REPORTS_DIR, ReportView, admin_session, report_links

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
MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
# the files' kinds: their suffixes, and the order the notification links them
SUFFIXES = {"html": "html", "markdown": "md", "csv": "csv"}

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


@dataclass(frozen=True, kw_only=True, slots=True)
class WrittenReport:
    """A report and where its files are."""

    report: Report
    files: dict[str, Path]  # by kind: html, markdown, csv

    @property
    def data(self) -> dict[str, Any]:
        """The service's response: the report's data (with the message), its files."""
        return self.report.data | {
            "files": {kind: str(path) for kind, path in self.files.items()}
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
    report_input = ReportInput(
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
        language=hass.config.language,
    )
    texts = await async_texts(hass)
    # a year of outages takes a while to draw: never on the event loop
    report = await hass.async_add_executor_job(build_report, report_input, texts)
    written = await hass.async_add_executor_job(
        partial(
            write_report,
            Path(hass.config.path(REPORTS_DIR)),
            report_stem(entry.title, entry.entry_id, label),
            {"html": report.html, "md": report.markdown, "csv": report.csv},
            entry_id=entry.entry_id,
            label=label,
        )
    )
    LOGGER.info("Wrote the report for %s to %s", entry.title, written["html"])
    files = {kind: written[suffix] for kind, suffix in SUFFIXES.items()}
    return WrittenReport(report=report, files=files)


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
        data = written.data
        if (session := admin_session(hass)) is not None:
            data["links"] = report_links(hass, written.files, session)
        return data

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


async def async_press_report(
    _manager: object, entry: ProviderEntry, runtime: ProviderRuntimeData
) -> None:
    """The "Generate report" button: the last 30 days, and a notification."""
    hass = runtime.hass
    written = await async_generate_report(hass, entry, runtime, PERIOD_LAST_30_DAYS)
    texts = await async_texts(hass)
    files = {"summary": written.report.data["summary"]} | {
        kind: str(path) for kind, path in written.files.items()
    }
    if (session := admin_session(hass)) is not None:
        links = report_links(hass, written.files, session)
        message = texts(
            "report_notification_message",
            **files,
            **{f"{kind}_url": link for kind, link in links.items()},
        )
    else:
        message = texts("report_notification_files", **files)
    persistent_notification.async_create(
        hass,
        message,
        title=texts("report_notification_title", provider=entry.title),
        notification_id=f"{DOMAIN}_report_{entry.entry_id}",
    )
