"""Config flow: a provider per entry, its monitored systems as subentries."""

from collections.abc import Mapping
from typing import Any, override

import probatio as vol

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
    SubentryFlowResult,
)
from homeassistant.core import callback
from homeassistant.data_entry_flow import section
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .const import (
    CONF_ACCOUNT_CONTACT,
    CONF_EXPECTED_STATUS,
    CONF_FAILURES_BEFORE_OFFLINE,
    CONF_FEEDBACK_CONTACT,
    CONF_HOST,
    CONF_KEYWORD,
    CONF_KIND,
    CONF_NAME,
    CONF_NOTES,
    CONF_POLL_INTERVAL,
    CONF_PORT,
    CONF_RETRY_INTERVAL,
    CONF_SUCCESSES_BEFORE_ONLINE,
    CONF_SUPPORT_PHONE,
    CONF_SUPPORT_URL,
    CONF_TIMEOUT,
    CONF_TIMING,
    CONF_URL,
    CONF_VERIFY_TLS,
    DEFAULT_EXPECTED_STATUS,
    DEFAULT_FAILURES_BEFORE_OFFLINE,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_RETRY_INTERVAL,
    DEFAULT_SUCCESSES_BEFORE_ONLINE,
    DEFAULT_TIMEOUT,
    DOMAIN,
    MAX_POLL_INTERVAL,
    MAX_RETRY_INTERVAL,
    MAX_THRESHOLD,
    MAX_TIMEOUT,
    MIN_POLL_INTERVAL,
    MIN_RETRY_INTERVAL,
    MIN_TIMEOUT,
    SUBENTRY_SYSTEM,
    SystemKind,
)
from .sources.http import InvalidStatusCodesError, StatusCodes
from .validation import is_valid_host, is_valid_name, is_valid_phone, is_valid_url

_TEXT = TextSelector()
_MULTILINE = TextSelector(TextSelectorConfig(multiline=True))
_URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
_PHONE = TextSelector(TextSelectorConfig(type=TextSelectorType.TEL))

PROVIDER_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_NAME): _TEXT,
        vol.Optional(CONF_SUPPORT_PHONE): _PHONE,
        vol.Optional(CONF_SUPPORT_URL): _URL,
        vol.Optional(CONF_ACCOUNT_CONTACT): _TEXT,
        vol.Optional(CONF_FEEDBACK_CONTACT): _TEXT,
        vol.Optional(CONF_NOTES): _MULTILINE,
    }
)


def _seconds(minimum: int, maximum: int) -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(
            min=minimum,
            max=maximum,
            step=1,
            mode=NumberSelectorMode.BOX,
            unit_of_measurement="s",
        )
    )


_COUNT = NumberSelector(
    NumberSelectorConfig(min=1, max=MAX_THRESHOLD, step=1, mode=NumberSelectorMode.BOX)
)

TIMING_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_POLL_INTERVAL, default=DEFAULT_POLL_INTERVAL): _seconds(
            MIN_POLL_INTERVAL, MAX_POLL_INTERVAL
        ),
        vol.Required(CONF_TIMEOUT, default=DEFAULT_TIMEOUT): _seconds(
            MIN_TIMEOUT, MAX_TIMEOUT
        ),
        vol.Required(CONF_RETRY_INTERVAL, default=DEFAULT_RETRY_INTERVAL): _seconds(
            MIN_RETRY_INTERVAL, MAX_RETRY_INTERVAL
        ),
        vol.Required(
            CONF_FAILURES_BEFORE_OFFLINE, default=DEFAULT_FAILURES_BEFORE_OFFLINE
        ): _COUNT,
        vol.Required(
            CONF_SUCCESSES_BEFORE_ONLINE, default=DEFAULT_SUCCESSES_BEFORE_ONLINE
        ): _COUNT,
    }
)
_TIMING_KEYS = tuple(str(key) for key in TIMING_SCHEMA.schema)

KIND_FIELDS: dict[SystemKind, dict[vol.Marker, Any]] = {
    SystemKind.ICMP: {vol.Required(CONF_HOST): _TEXT},
    SystemKind.TCP: {
        vol.Required(CONF_HOST): _TEXT,
        vol.Required(CONF_PORT): NumberSelector(
            NumberSelectorConfig(min=1, max=65535, step=1, mode=NumberSelectorMode.BOX)
        ),
    },
    SystemKind.HTTP: {
        vol.Required(CONF_URL): _URL,
        vol.Required(CONF_EXPECTED_STATUS, default=DEFAULT_EXPECTED_STATUS): _TEXT,
        vol.Optional(CONF_KEYWORD): _TEXT,
        vol.Required(CONF_VERIFY_TLS, default=True): BooleanSelector(),
    },
}


def _system_schema(kind: SystemKind) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_NAME): _TEXT,
            **KIND_FIELDS[kind],
            vol.Required(CONF_TIMING): section(TIMING_SCHEMA, {"collapsed": True}),
        }
    )


def _clean(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Strip text, drop blank optional fields."""
    cleaned: dict[str, Any] = {}
    for key, value in user_input.items():
        if isinstance(value, str):
            if value.strip():
                cleaned[key] = value.strip()
        else:
            cleaned[key] = value
    return cleaned


def validate_provider(data: Mapping[str, Any]) -> dict[str, str]:
    """Form errors for the provider fields."""
    errors: dict[str, str] = {}
    if not is_valid_name(data.get(CONF_NAME, "")):
        errors[CONF_NAME] = "invalid_name"
    if (phone := data.get(CONF_SUPPORT_PHONE)) and not is_valid_phone(phone):
        errors[CONF_SUPPORT_PHONE] = "invalid_phone"
    if (url := data.get(CONF_SUPPORT_URL)) and not is_valid_url(url):
        errors[CONF_SUPPORT_URL] = "invalid_url"
    return errors


def validate_system(kind: SystemKind, data: Mapping[str, Any]) -> dict[str, str]:
    """Form errors for a monitored system's fields."""
    errors: dict[str, str] = {}
    if not is_valid_name(data.get(CONF_NAME, "")):
        errors[CONF_NAME] = "invalid_name"
    if kind in (SystemKind.ICMP, SystemKind.TCP) and not is_valid_host(
        data.get(CONF_HOST, "")
    ):
        errors[CONF_HOST] = "invalid_host"
    if kind is SystemKind.TCP and not _is_whole(data.get(CONF_PORT), 1, 65535):
        errors[CONF_PORT] = "invalid_port"
    if kind is SystemKind.HTTP:
        if not is_valid_url(data.get(CONF_URL, "")):
            errors[CONF_URL] = "invalid_url"
        try:
            StatusCodes.parse(data.get(CONF_EXPECTED_STATUS, ""))
        except InvalidStatusCodesError:
            errors[CONF_EXPECTED_STATUS] = "invalid_status_codes"
    for key in (CONF_FAILURES_BEFORE_OFFLINE, CONF_SUCCESSES_BEFORE_ONLINE):
        if key in data and not _is_whole(data[key], 1, MAX_THRESHOLD):
            errors["base"] = "invalid_threshold"
    if data.get(CONF_TIMEOUT, DEFAULT_TIMEOUT) >= data.get(
        CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL
    ):
        errors["base"] = "timeout_not_below_interval"
    return errors


def _is_whole(value: object, low: int, high: int) -> bool:
    """True for a whole number (int, or a float like 80.0) within [low, high]."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return float(value).is_integer() and low <= value <= high


def _name_taken(name: str, others: list[str]) -> bool:
    return name.strip().casefold() in {other.strip().casefold() for other in others}


class ProviderWatchConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a provider."""

    VERSION = 1

    @classmethod
    @callback
    @override
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Monitored systems are subentries of their provider."""
        return {SUBENTRY_SYSTEM: SystemSubentryFlow}

    @override
    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Name the provider and its contacts."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = _clean(user_input)
            errors = self._validate(data, exclude=None)
            if not errors:
                return self.async_create_entry(title=data[CONF_NAME], data=data)
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                PROVIDER_SCHEMA, user_input
            ),
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the provider's name or contacts."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = _clean(user_input)
            errors = self._validate(data, exclude=entry.entry_id)
            if not errors:
                return self.async_update_and_abort(
                    entry, title=data[CONF_NAME], data=data
                )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                PROVIDER_SCHEMA, user_input or entry.data
            ),
            errors=errors,
        )

    def _validate(self, data: Mapping[str, Any], exclude: str | None) -> dict[str, str]:
        errors = validate_provider(data)
        others = [
            entry.title
            for entry in self._async_current_entries(include_ignore=False)
            if entry.entry_id != exclude
        ]
        if not errors and _name_taken(data[CONF_NAME], others):
            errors[CONF_NAME] = "name_exists"
        return errors


class SystemSubentryFlow(ConfigSubentryFlow):
    """Add or change a monitored system of a provider."""

    async def async_step_user(
        self,
        user_input: dict[str, Any] | None = None,  # noqa: ARG002
    ) -> SubentryFlowResult:
        """Pick how the system is checked."""
        return self.async_show_menu(
            step_id="user", menu_options=[kind.value for kind in SystemKind]
        )

    async def async_step_icmp(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """A system answered by ping."""
        return await self._async_system_form(SystemKind.ICMP, user_input)

    async def async_step_tcp(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """A system with an open TCP port."""
        return await self._async_system_form(SystemKind.TCP, user_input)

    async def async_step_http(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """A system with a web page or HTTP endpoint."""
        return await self._async_system_form(SystemKind.HTTP, user_input)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change a system: the form of its kind, filled in."""
        kind = SystemKind(self._get_reconfigure_subentry().data[CONF_KIND])
        return await self._async_system_form(kind, user_input)

    async def _async_system_form(
        self, kind: SystemKind, user_input: dict[str, Any] | None
    ) -> SubentryFlowResult:
        reconfiguring = self.source == "reconfigure"
        errors: dict[str, str] = {}
        if user_input is not None:
            data = _flatten(user_input)
            errors = validate_system(kind, data)
            if kind is SystemKind.TCP and not errors:
                data[CONF_PORT] = int(data[CONF_PORT])
            if not errors and self._system_name_taken(data[CONF_NAME]):
                errors[CONF_NAME] = "name_exists"
            if not errors:
                data[CONF_KIND] = kind.value
                title = data.pop(CONF_NAME)
                if reconfiguring:
                    return self.async_update_and_abort(
                        self._get_entry(),
                        self._get_reconfigure_subentry(),
                        title=title,
                        data=data,
                    )
                return self.async_create_entry(title=title, data=data)
        suggested: Mapping[str, Any] | None = user_input
        if suggested is None and reconfiguring:
            subentry = self._get_reconfigure_subentry()
            suggested = _nest({**subentry.data, CONF_NAME: subentry.title})
        return self.async_show_form(
            step_id="reconfigure" if reconfiguring else kind.value,
            data_schema=self.add_suggested_values_to_schema(
                _system_schema(kind), suggested
            ),
            errors=errors,
        )

    def _system_name_taken(self, name: str) -> bool:
        own = (
            self._get_reconfigure_subentry().subentry_id
            if self.source == "reconfigure"
            else None
        )
        others = [
            subentry.title
            for subentry in self._get_entry().subentries.values()
            if subentry.subentry_id != own
        ]
        return _name_taken(name, others)


def _flatten(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Lift the timing section's fields to the top level and tidy the text."""
    data = _clean({k: v for k, v in user_input.items() if k != CONF_TIMING})
    for key, value in user_input.get(CONF_TIMING, {}).items():
        data[key] = (
            int(value) if isinstance(value, float) and value.is_integer() else value
        )
    return data


def _nest(data: Mapping[str, Any]) -> dict[str, Any]:
    """The stored (flat) settings in the form's shape, for suggested values."""
    nested = {k: v for k, v in data.items() if k not in _TIMING_KEYS}
    nested[CONF_TIMING] = {k: data[k] for k in _TIMING_KEYS if k in data}
    return nested
