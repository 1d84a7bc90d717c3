"""What the owner does about alerts: acknowledge, snooze, answer, maintenance.

From the buttons of a notification on a phone (the Companion app fires an event), from
the integration's actions (services.py) and its buttons and switches.
"""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from ..const import LOGGER, SIGNAL_MAINTENANCE
from ..logic.notes import Acknowledged, Answered
from ..logic.policy import acknowledge, snooze
from .messages import (
    ACTION_ACK,
    ACTION_NOT_TOLD,
    ACTION_SNOOZE,
    ACTION_TOLD,
    SNOOZE_MINUTES,
)
from .providers import Providers
from .records import AlertRecords

# the Companion app's event for a tapped notification action
EVENT_NOTIFICATION_ACTION = "mobile_app_notification_action"


class AlertActions:
    """Applies the owner's actions to the open alerts and the outage history."""

    def __init__(
        self,
        hass: HomeAssistant,
        records: AlertRecords,
        providers: Providers,
        schedule: CALLBACK_TYPE,
    ) -> None:
        """schedule: run the alert policy again soon (the alerts changed)."""
        self.hass = hass
        self._records = records
        self._providers = providers
        self._schedule = schedule
        self._unsub_end: CALLBACK_TYPE | None = None

    @callback
    def async_listen(self) -> CALLBACK_TYPE:
        """Listen for taps on the phones; returns the function that stops it."""
        return self.hass.bus.async_listen(
            EVENT_NOTIFICATION_ACTION, self._async_on_action
        )

    @callback
    def _async_on_action(self, event: Event[Mapping[str, Any]]) -> None:
        action = str(event.data.get("action", ""))
        for prefix, told in ((ACTION_TOLD, True), (ACTION_NOT_TOLD, False)):
            if action.startswith(prefix):
                self.async_answer_notice(
                    action.removeprefix(prefix), told, by=event.context.user_id
                )
        for prefix in (ACTION_ACK, ACTION_SNOOZE):
            if action.startswith(prefix):
                alert_id = action.removeprefix(prefix)
                user = event.context.user_id
                if prefix == ACTION_ACK:
                    self.async_acknowledge(alert_ids={alert_id}, by=user)
                else:
                    self.async_snooze(
                        timedelta(minutes=SNOOZE_MINUTES), alert_ids={alert_id}
                    )

    @callback
    def async_answer_notice(self, alert_id: str, told: bool, *, by: str | None) -> int:
        """The answer to a recovery's "did the provider tell you?"; how many outages.

        The outages stay answerable after the alert is gone (the history keeps the
        alert ids that asked about them); a later answer replaces an earlier one.
        """
        now = dt_util.utcnow()
        answered = sum(
            runtime.history.note(
                Answered(alert_id=alert_id, told=told, when=now, by=by)
            )
            for _, runtime in self._providers.runtimes()
        )
        if not answered:
            LOGGER.debug("No outage was asked about by alert %s", alert_id)
        return answered

    @callback
    def async_acknowledge(
        self,
        *,
        alert_ids: set[str] | None = None,
        systems: set[str] | None = None,
        by: str | None = None,
    ) -> int:
        """Acknowledge open alerts; returns how many."""
        now = dt_util.utcnow()
        matched = self._records.matching(alert_ids, systems)
        for record in matched:
            self._records.put(acknowledge(record, now, by))
            self._providers.note(
                record.systems,
                lambda mine: Acknowledged(systems=mine, when=now, by=by),
            )
        self._schedule()
        return len(matched)

    @callback
    def async_snooze(
        self,
        duration: timedelta,
        *,
        alert_ids: set[str] | None = None,
        systems: set[str] | None = None,
    ) -> int:
        """Mute open alerts for a while; returns how many."""
        until = dt_util.utcnow() + duration
        matched = self._records.matching(alert_ids, systems)
        for record in matched:
            self._records.put(snooze(record, until))
        self._schedule()
        return len(matched)

    @callback
    def async_set_maintenance(
        self, ids: set[str], *, active: bool, until: datetime | None = None
    ) -> None:
        """Start (until a time, or until ended) or end maintenance."""
        self._records.set_maintenance(ids, active=active, until=until)
        self._async_maintenance_changed()

    @callback
    def async_end_due_maintenance(self, _now: datetime | None = None) -> None:
        """End the maintenance whose end time has come; wait for the next end.

        Called at start (a stored end may have passed while Home Assistant was
        off, or is re-armed from what was stored) and by the timer.
        """
        self._unsub_end = None
        if self._records.end_due_maintenance(dt_util.utcnow()):
            LOGGER.info("Maintenance ended at its end time")
            self._async_maintenance_changed()
        else:
            self._async_arm()

    @callback
    def async_stop(self) -> None:
        """Stop the maintenance end timer."""
        if self._unsub_end is not None:
            self._unsub_end()
            self._unsub_end = None

    @callback
    def _async_maintenance_changed(self) -> None:
        async_dispatcher_send(self.hass, SIGNAL_MAINTENANCE)
        self._schedule()
        self._async_arm()

    @callback
    def _async_arm(self) -> None:
        self.async_stop()
        if (end := self._records.next_maintenance_end()) is not None:
            self._unsub_end = async_track_point_in_utc_time(
                self.hass, self.async_end_due_maintenance, end
            )
