"""The provider's public status page (Statuspage v2), polled for the provider entry."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from ..const import LOGGER
from ..sources.statuspage import (
    Component,
    Maintenance,
    StatusPageReport,
    summary_url,
)
from ..sources.statuspage_fetch import fetch_status_page

STATUS_PAGE_INTERVAL = timedelta(minutes=5)
STATUS_PAGE_TIMEOUT = 10.0


@dataclass(frozen=True, kw_only=True, slots=True)
class StatusPageSnapshot:
    """What the provider's status page says about the components the user picked."""

    report: StatusPageReport | None = None  # None: status unknown
    unknown_reason: str | None = None
    problems: tuple[Component, ...] = ()
    maintenances: tuple[Maintenance, ...] = ()

    @property
    def incident(self) -> str | None:
        """The name of the newest open incident, if any."""
        if self.report is None or not self.report.incidents:
            return None
        return self.report.incidents[0].name


class StatusPageCoordinator(DataUpdateCoordinator[StatusPageSnapshot]):
    """Polls summary.json every 5 minutes. A page that cannot be read is "unknown"."""

    def __init__[R](
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[R],
        page_url: str,
        component_ids: Sequence[str] | None,
    ) -> None:
        """Watch page_url; component_ids None means every component."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{entry.title} status page",
            update_interval=STATUS_PAGE_INTERVAL,
            always_update=False,
        )
        self.url = summary_url(page_url)
        self.component_ids = tuple(component_ids) if component_ids else None
        self.data = StatusPageSnapshot(unknown_reason="not read yet")

    @property
    def has_problem(self) -> bool:
        """True only when the page itself reports a relevant component down."""
        return bool(self.data.problems)

    @override
    async def _async_update_data(self) -> StatusPageSnapshot:
        result = await fetch_status_page(
            async_get_clientsession(self.hass), self.url, STATUS_PAGE_TIMEOUT
        )
        self.update_interval = STATUS_PAGE_INTERVAL
        if result.retry_after:
            self.update_interval = max(
                STATUS_PAGE_INTERVAL, timedelta(seconds=result.retry_after)
            )
        if result.report is None:
            LOGGER.debug("%s unknown: %s", self.name, result.unknown_reason)
            return StatusPageSnapshot(unknown_reason=result.unknown_reason)
        report = result.report
        return StatusPageSnapshot(
            report=report,
            problems=report.relevant_problems(self.component_ids),
            maintenances=report.active_maintenance(
                self.component_ids, dt_util.utcnow()
            ),
        )
