"""Credentials the provider rejects: ask the owner once, keep checking, recover alone.

A 401/403 is never an outage. While the provider rejects a system's credentials the
system is still checked, at a slow cadence (AUTH_RETRY), so that a brief glitch on
the provider's side heals by itself and a real outage after it is seen. The owner is
told once per episode, not with every check: a reauth flow for a system that sends
credentials (a token, an API key or a password), a repair issue for one that sends
none (there is nothing to enter: the address or the provider's side is wrong). When
the credentials work again, the repair goes, and the reauth flow too once no system
of the provider is still rejected.
"""

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any, Final

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.update_coordinator import UpdateFailed

from ..const import (
    CONF_AUTH_TYPE,
    CONF_HEADER_VALUE,
    CONF_KIND,
    CONF_PASSWORD,
    CONF_SECRET_HEADERS,
    CONF_TOKEN,
    DOMAIN,
    LOGGER,
    SystemKind,
)
from ..sources.cloud import AuthType

AUTH_RETRY: Final = timedelta(minutes=5)  # how often rejected credentials are retried

# the one secret of each kind of authentication the reauth form can replace (a
# login's password: the login itself was refused)
SECRET_FIELDS: Final = {
    AuthType.BEARER: CONF_TOKEN,
    AuthType.API_KEY: CONF_HEADER_VALUE,
    AuthType.BASIC: CONF_PASSWORD,
    AuthType.SESSION: CONF_PASSWORD,
}
# the fields the reauth form may show, in its order
REAUTH_FIELDS: Final = (
    CONF_TOKEN,
    CONF_HEADER_VALUE,
    CONF_PASSWORD,
    CONF_SECRET_HEADERS,
)


def secret_field(data: Mapping[str, Any]) -> str | None:
    """The credential a system sends; None for none.

    Its token, API key or password, or else its secret headers.
    """
    if data.get(CONF_KIND) != SystemKind.CLOUD:
        return None
    try:
        auth = AuthType(data.get(CONF_AUTH_TYPE, AuthType.NONE))
    except ValueError:
        return None
    if (field := SECRET_FIELDS.get(auth)) is None and data.get(CONF_SECRET_HEADERS):
        return CONF_SECRET_HEADERS
    return field


def retry_interval(poll_interval: float) -> timedelta:
    """How often a system whose credentials are rejected is checked."""
    return max(AUTH_RETRY, timedelta(seconds=poll_interval))


def auth_failed_error(name: str) -> UpdateFailed:
    """The failed check, as the coordinator logs it (once per episode)."""
    return UpdateFailed(
        translation_domain=DOMAIN,
        translation_key="auth_failed",
        translation_placeholders={
            "system": name,
            "minutes": str(int(AUTH_RETRY.total_seconds() // 60)),
        },
    )


def issue_id(system_id: str) -> str:
    """The repair of a system the provider rejects although it sends no credentials."""
    return f"auth_without_credentials_{system_id}"


@callback
def async_credentials_rejected(
    hass: HomeAssistant,
    entry: ConfigEntry[Any],
    system_id: str,
    name: str,
    data: Mapping[str, Any],
) -> None:
    """The first rejection of an episode: tell the owner (once)."""
    if secret_field(data) is not None:
        entry.async_start_reauth(hass)  # none if a reauth flow is open already
        return
    LOGGER.warning(
        "The API of %s rejects the requests of %s, which sends no credentials",
        entry.title,
        name,
    )
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id(system_id),
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key="auth_without_credentials",
        translation_placeholders={"system": name, "provider": entry.title},
    )


@callback
def async_credentials_accepted(
    hass: HomeAssistant,
    entry: ConfigEntry[Any],
    system_id: str,
    *,
    others_rejected: bool,
) -> None:
    """The provider accepts a system again (or it is gone): what was said goes."""
    ir.async_delete_issue(hass, DOMAIN, issue_id(system_id))
    if not others_rejected:
        async_dismiss_reauth(hass, entry)


@callback
def async_dismiss_reauth(hass: HomeAssistant, entry: ConfigEntry[Any]) -> None:
    """Abort the provider's open reauth flows (their repair goes with them)."""
    for flow in list(entry.async_get_active_flows(hass, {SOURCE_REAUTH})):
        hass.config_entries.flow.async_abort(flow["flow_id"])


@callback
def async_forget(hass: HomeAssistant, system_ids: Iterable[str]) -> None:
    """Systems set up no more (removed, or their provider unloaded): no repairs."""
    for system_id in system_ids:
        ir.async_delete_issue(hass, DOMAIN, issue_id(system_id))
