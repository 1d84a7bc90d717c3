"""Options flows: a provider's alerts, contract and status page; the internet check."""

from collections.abc import Mapping
import math
from typing import Any

import probatio as vol

from homeassistant.config_entries import (
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.data_entry_flow import section
from homeassistant.generated.currencies import ACTIVE_CURRENCIES
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    BooleanSelector,
    DateSelector,
    DeviceSelector,
    DeviceSelectorConfig,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
    TimeSelector,
)
from homeassistant.util import dt as dt_util

from .addresses import is_valid_url
from .const import (
    CONF_CONTRACT,
    CONF_CRITICAL,
    CONF_CRITICAL_IGNORES_QUIET,
    CONF_CURRENCY,
    CONF_ESCALATE_AFTER,
    CONF_ESCALATION_PHONES,
    CONF_MONTHLY_FEE,
    CONF_OUTBOUND_FAIL_URL,
    CONF_OUTBOUND_INTERVAL,
    CONF_OUTBOUND_METHOD,
    CONF_OUTBOUND_URL,
    CONF_PHONES,
    CONF_QUIET_END,
    CONF_QUIET_START,
    CONF_RENEWAL_DATE,
    CONF_REPEAT,
    CONF_STATUS_COMPONENTS,
    CONF_STATUS_PAGE,
    CONF_TARGETS,
    DEFAULT_OUTBOUND_INTERVAL,
    MAX_MONTHLY_FEE,
    MAX_OUTBOUND_INTERVAL,
    OUTBOUND_METHODS,
)
from .examples import form_placeholders
from .kinds.form import NumberBox, number_errors
from .logic.validation import clean_input, is_whole
from .monitoring.internet import (
    is_valid_target,
)
from .monitoring.outbound import validate_outbound
from .settings import parse_repeat
from .sources.statuspage import summary_url
from .sources.statuspage_fetch import fetch_status_page

_TEXT = TextSelector()
_URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))


def targets_schema() -> vol.Schema:
    """The internet check's targets, one per line."""
    return vol.Schema(
        {vol.Required(CONF_TARGETS): TextSelector(TextSelectorConfig(multiple=True))}
    )


def validate_targets(targets: object) -> tuple[list[str], dict[str, str]]:
    """Clean internet-check targets; an error when none is left or one is bad."""
    if not isinstance(targets, list):
        return [], {CONF_TARGETS: "invalid_target"}
    cleaned = [str(t).strip() for t in targets if str(t).strip()]
    if not cleaned or not all(is_valid_target(t) for t in cleaned):
        return cleaned, {CONF_TARGETS: "invalid_target"}
    return cleaned, {}


class InternetOptionsFlow(OptionsFlow):
    """Change what the internet check probes, and its outbound heartbeat."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """One target per line: host:port (TCP) or an http(s) URL; the heartbeat."""
        errors: dict[str, str] = {}
        if user_input is not None:
            targets, errors = validate_targets(user_input.get(CONF_TARGETS))
            outbound, outbound_errors = validate_outbound(user_input)
            errors |= outbound_errors | number_errors(user_input)
            if not errors:
                return self.async_create_entry(data={CONF_TARGETS: targets, **outbound})
        shown = {
            CONF_OUTBOUND_INTERVAL: DEFAULT_OUTBOUND_INTERVAL,
            CONF_OUTBOUND_METHOD: OUTBOUND_METHODS[0],
            **(user_input or self.config_entry.options),
        }
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(self._schema(), shown),
            errors=errors,
            description_placeholders=form_placeholders(reason=""),
        )

    @staticmethod
    def _schema() -> vol.Schema:
        """The targets, then the outbound heartbeat (no URL: none)."""
        return targets_schema().extend(
            {
                vol.Optional(CONF_OUTBOUND_URL): _URL,
                vol.Optional(CONF_OUTBOUND_INTERVAL): NumberBox(
                    NumberSelectorConfig(
                        min=1,
                        max=MAX_OUTBOUND_INTERVAL,
                        step=1,
                        mode=NumberSelectorMode.BOX,
                        unit_of_measurement="min",
                    )
                ),
                vol.Optional(CONF_OUTBOUND_METHOD): SelectSelector(
                    SelectSelectorConfig(
                        options=list(OUTBOUND_METHODS),
                        mode=SelectSelectorMode.DROPDOWN,
                    )
                ),
                vol.Optional(CONF_OUTBOUND_FAIL_URL): _URL,
            }
        )


ALERT_FIELDS = (
    CONF_PHONES,
    CONF_ESCALATION_PHONES,
    CONF_ESCALATE_AFTER,
    CONF_REPEAT,
    CONF_CRITICAL,
    CONF_QUIET_START,
    CONF_QUIET_END,
    CONF_CRITICAL_IGNORES_QUIET,
)


def _phones_selector() -> DeviceSelector:
    return DeviceSelector(DeviceSelectorConfig(integration="mobile_app", multiple=True))


CONTRACT_FIELDS = (CONF_MONTHLY_FEE, CONF_CURRENCY, CONF_RENEWAL_DATE)


def contract_schema() -> vol.Schema:
    """What the provider is paid: the fee, its currency, the renewal date.

    The fee's selector has no minimum, so that a negative fee gets the form's own
    error rather than a bare schema error.
    """
    return vol.Schema(
        {
            vol.Optional(CONF_MONTHLY_FEE): NumberBox(
                NumberSelectorConfig(step=0.01, mode=NumberSelectorMode.BOX)
            ),
            vol.Optional(CONF_CURRENCY): SelectSelector(
                SelectSelectorConfig(
                    options=sorted(ACTIVE_CURRENCIES),
                    custom_value=True,
                    mode=SelectSelectorMode.DROPDOWN,
                )
            ),
            vol.Optional(CONF_RENEWAL_DATE): DateSelector(),
        }
    )


def validate_contract(data: object) -> tuple[dict[str, Any], dict[str, str]]:
    """The contract section's values to store (blank ones left out), and errors."""
    contract: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if not isinstance(data, Mapping):
        return contract, errors
    fee = data.get(CONF_MONTHLY_FEE)
    if fee is not None and fee != "":
        if (
            isinstance(fee, bool)
            or not isinstance(fee, int | float)
            or not math.isfinite(fee)
            or fee > MAX_MONTHLY_FEE
        ):
            errors[CONF_MONTHLY_FEE] = "invalid_fee"
        elif fee < 0:
            errors[CONF_MONTHLY_FEE] = "negative_fee"
        else:
            contract[CONF_MONTHLY_FEE] = float(fee)
    currency = data.get(CONF_CURRENCY)
    if isinstance(currency, str) and currency.strip():
        code = currency.strip().upper()
        if code in ACTIVE_CURRENCIES:
            contract[CONF_CURRENCY] = code
        else:
            errors[CONF_CURRENCY] = "invalid_currency"
    renews = data.get(CONF_RENEWAL_DATE)
    if isinstance(renews, str) and renews.strip():
        # the date selector has read it as a date: store it as YYYY-MM-DD
        if (day := dt_util.parse_date(renews.strip())) is not None:
            contract[CONF_RENEWAL_DATE] = day.isoformat()
        else:
            errors[CONF_RENEWAL_DATE] = "invalid_date"
    return contract, errors


def provider_options_schema() -> vol.Schema:
    """Alerts, status page, and the contract (a collapsed section).

    Alerts: phones, repeats, escalation, critical, quiet hours.
    """
    return vol.Schema(
        {
            vol.Optional(CONF_PHONES): _phones_selector(),
            vol.Optional(CONF_REPEAT): _TEXT,
            vol.Optional(CONF_CRITICAL): BooleanSelector(),
            vol.Optional(CONF_ESCALATION_PHONES): _phones_selector(),
            vol.Optional(CONF_ESCALATE_AFTER): NumberBox(
                NumberSelectorConfig(
                    min=0,
                    max=10_080,
                    step=1,
                    mode=NumberSelectorMode.BOX,
                    unit_of_measurement="min",
                )
            ),
            vol.Optional(CONF_QUIET_START): TimeSelector(),
            vol.Optional(CONF_QUIET_END): TimeSelector(),
            vol.Optional(CONF_CRITICAL_IGNORES_QUIET): BooleanSelector(),
            vol.Optional(CONF_STATUS_PAGE): _URL,
            vol.Optional(CONF_CONTRACT): section(
                contract_schema(), {"collapsed": True}
            ),
        }
    )


def validate_alerts(data: Mapping[str, Any]) -> dict[str, str]:
    """Form errors for the alert settings."""
    errors: dict[str, str] = {}
    try:
        parse_repeat(data.get(CONF_REPEAT))
    except ValueError:
        errors[CONF_REPEAT] = "invalid_repeat"
    if bool(data.get(CONF_QUIET_START)) != bool(data.get(CONF_QUIET_END)):
        errors["base"] = "quiet_hours_incomplete"
    escalate = data.get(CONF_ESCALATE_AFTER)
    if escalate and not is_whole(escalate, 0, 10_080):
        errors[CONF_ESCALATE_AFTER] = "invalid_duration"
    errors |= number_errors(data)  # NaN or infinity
    if escalate and not data.get(CONF_ESCALATION_PHONES):
        errors[CONF_ESCALATION_PHONES] = "escalation_needs_phones"
    return errors


class ProviderOptionsFlow(OptionsFlow):
    """The provider's alerts, its public status page, and its contract."""

    _page: str | None = None
    _alerts: dict[str, Any]
    _contract: dict[str, Any]
    _components: list[SelectOptionDict]

    def _suggested(self, user_input: dict[str, Any] | None) -> dict[str, Any]:
        """The form's values: what was typed, or the options (the contract nested)."""
        if user_input is not None:
            return user_input
        options = dict(self.config_entry.options)
        options[CONF_CONTRACT] = {
            key: options.pop(key) for key in CONTRACT_FIELDS if key in options
        }
        return options

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Phones and alert rules; the status page (blank: none)."""
        errors: dict[str, str] = {}
        placeholders = {"reason": ""}
        if user_input is not None:
            cleaned = clean_input(user_input)
            self._alerts = {
                k: v for k, v in cleaned.items() if k in ALERT_FIELDS and v != []
            }
            if CONF_REPEAT in user_input and CONF_REPEAT not in self._alerts:
                self._alerts[CONF_REPEAT] = ""  # blank on purpose: no reminders
            self._contract, contract_errors = validate_contract(
                user_input.get(CONF_CONTRACT)
            )
            errors = validate_alerts(self._alerts) | contract_errors
            if not errors and CONF_ESCALATE_AFTER in self._alerts:
                escalate = int(self._alerts.pop(CONF_ESCALATE_AFTER))
                if escalate:
                    self._alerts[CONF_ESCALATE_AFTER] = escalate
            page: str = cleaned.get(CONF_STATUS_PAGE, "")
            if not errors and not page:
                return self.async_create_entry(data=self._alerts | self._contract)
            if not errors and not is_valid_url(page):
                errors[CONF_STATUS_PAGE] = "invalid_url"
            elif not errors:
                result = await fetch_status_page(
                    async_get_clientsession(self.hass), summary_url(page), 10
                )
                if result.report is None:
                    errors[CONF_STATUS_PAGE] = "status_page_unreadable"
                    placeholders["reason"] = f"\n\n**{result.unknown_reason}**"
                else:
                    self._page = page
                    self._components = [
                        SelectOptionDict(value=c.id, label=c.name)
                        for c in result.report.components
                        if not c.group
                    ]
                    return await self.async_step_components()
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                provider_options_schema(), self._suggested(user_input)
            ),
            errors=errors,
            description_placeholders=form_placeholders(**placeholders),
        )

    async def async_step_components(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pick the components that matter (none picked: all of them)."""
        if user_input is not None:
            return self.async_create_entry(
                data={
                    **self._alerts,
                    **self._contract,
                    CONF_STATUS_PAGE: self._page,
                    CONF_STATUS_COMPONENTS: user_input.get(CONF_STATUS_COMPONENTS, []),
                }
            )
        known = {option["value"] for option in self._components}
        chosen = [
            c
            for c in self.config_entry.options.get(CONF_STATUS_COMPONENTS, [])
            if c in known
        ]
        return self.async_show_form(
            step_id="components",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(
                    {
                        vol.Optional(CONF_STATUS_COMPONENTS): SelectSelector(
                            SelectSelectorConfig(
                                options=self._components,
                                multiple=True,
                                mode=SelectSelectorMode.LIST,
                            )
                        )
                    }
                ),
                {CONF_STATUS_COMPONENTS: chosen},
            ),
            description_placeholders=form_placeholders(),
        )
