"""Everything Provider Watch knows of HA's mobile_app internals, in one place.

What it does tell, through its own helpers (`mobile_app.util`), is read with them:
which registration a phone's device is, whether it can get pushes and its notify
service (`push_target`). Two things it does not tell through any API:

- whether a push got through. Its legacy notify service (notify.mobile_app_<phone>)
  catches what the push relay answers (rate limit, relay error, timeout) and only
  logs it on its module's logger, at WARNING (rate limit) or ERROR; the service call
  itself succeeds. So the only way to know a push failed is that log: while we send,
  a handler on that logger collects what it reports at WARNING or above.
- whether a phone keeps the local push channel open (the websocket the app holds on
  the home network). A push over it bypasses the relay, and so the internet: only
  mobile_app's own hass.data says which phones have one.

tests/test_mobile_app_coupling.py checks each of these against the installed Home
Assistant, so that an upgrade that changes them fails loudly instead of silently
losing push failures or holding back alerts a phone could have had.
"""

from collections.abc import Iterator
import contextlib
from contextvars import ContextVar
import logging

from homeassistant.core import HomeAssistant, callback

# homeassistant.components.mobile_app.notify's module logger (_LOGGER)
NOTIFY_LOGGER = "homeassistant.components.mobile_app.notify"
# mobile_app.const: DOMAIN (its hass.data key), DATA_PUSH_CHANNEL (webhook id ->
# the open local push channel)
DOMAIN = "mobile_app"
DATA_PUSH_CHANNEL = "push_channel"

_failures: ContextVar[list[str] | None] = ContextVar("_failures", default=None)


class _PushFailureHandler(logging.Handler):
    """Collects what mobile_app logs about a push while we are sending it."""

    def emit(self, record: logging.LogRecord) -> None:
        failures = _failures.get()
        if failures is not None and record.levelno >= logging.WARNING:
            failures.append(record.getMessage())


_HANDLER = _PushFailureHandler()


def listen_for_push_failures() -> None:
    """Start reading mobile_app's notify log (once, however often called)."""
    logging.getLogger(NOTIFY_LOGGER).addHandler(_HANDLER)


def stop_listening() -> None:
    """Stop reading mobile_app's notify log."""
    logging.getLogger(NOTIFY_LOGGER).removeHandler(_HANDLER)


@contextlib.contextmanager
def push_failures() -> Iterator[list[str]]:
    """What mobile_app reports as failed while the block sends (its log lines).

    Only the pushes sent from within the block (its task's context) are collected.
    """
    failures: list[str] = []
    token = _failures.set(failures)
    try:
        yield failures
    finally:
        _failures.reset(token)


def on_local_channel(hass: HomeAssistant, webhook_id: str) -> bool:
    """The phone (by its registration's webhook id) has its local channel open now."""
    channels = hass.data.get(DOMAIN, {}).get(DATA_PUSH_CHANNEL, {})
    return bool(webhook_id) and webhook_id in channels


@callback
def push_target(hass: HomeAssistant, device_id: str) -> tuple[str, str] | None:
    """(webhook id, notify service) of a phone that can get pushes now, else None.

    mobile_app's own helpers: its registration of the device, whether it has a
    push channel (relay or local), and the notify service it registered for it.
    """
    if DOMAIN not in hass.config.components:
        return None  # no phone is set up (and mobile_app is not even imported)
    # imported once mobile_app is loaded (no import in the loop, no camera stack
    # pulled in for an install without phones; manifest: after_dependencies)
    from homeassistant.components.mobile_app.util import (  # noqa: PLC0415
        get_notify_service,
        supports_push,
        webhook_id_from_device_id,
    )

    webhook_id = webhook_id_from_device_id(hass, device_id)
    if webhook_id is None:
        return None
    try:
        if not supports_push(hass, webhook_id):
            return None
        service = get_notify_service(hass, webhook_id)
    except KeyError:  # mobile_app is still setting up this phone or its notify
        return None
    return None if service is None else (webhook_id, service)
