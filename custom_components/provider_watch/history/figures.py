"""The coordinator that keeps a provider's figures (logic/provider_figures.py) fresh."""

from collections.abc import Iterable
from datetime import timedelta
from typing import override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from ..const import LOGGER
from ..logic.cost import Contract
from ..logic.provider_figures import ProviderFigures
from .store import OutageHistory

FIGURES_INTERVAL = timedelta(minutes=5)


class FiguresCoordinator(DataUpdateCoordinator[ProviderFigures]):
    """Recomputes the figures on every history change and every 5 minutes.

    Nothing is polled: the timer only moves the windows on (and the current
    outage's duration up). A history change recomputes the systems it changed and
    the provider's figures, not every system.
    """

    def __init__[R](
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[R],
        history: OutageHistory,
        system_ids: Iterable[str],
        contract: Contract,
    ) -> None:
        """Compute the first figures right away.

        system_ids is read at every refresh (the provider's live dict of systems).
        """
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{entry.title} figures",
            update_interval=FIGURES_INTERVAL,
        )
        self.history = history
        self.system_ids = system_ids
        self.contract = contract
        self.data = self._compute()

    def _compute(self, previous: ProviderFigures | None = None) -> ProviderFigures:
        return self.history.figures(
            self.system_ids,
            dt_util.utcnow(),
            contract=self.contract,
            zone=dt_util.get_default_time_zone(),
            previous=previous,
        )

    @override
    async def _async_update_data(self) -> ProviderFigures:
        return self._compute()

    @callback
    def async_history_changed(self) -> None:
        """The history changed: new figures now (for what changed)."""
        self.async_set_updated_data(self._compute(self.data))
