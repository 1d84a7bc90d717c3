"""Config flow: a provider per entry (systems are subentries); the internet check."""

from collections.abc import Mapping
from typing import Any, override

import probatio as vol

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlowResult,
    ConfigSubentry,
    ConfigSubentryFlow,
    OptionsFlow,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .addresses import is_valid_url
from .const import (
    CONF_ACCOUNT_CONTACT,
    CONF_ENTRY_TYPE,
    CONF_FEEDBACK_CONTACT,
    CONF_KIND,
    CONF_NAME,
    CONF_NOTES,
    CONF_SECRET_HEADERS,
    CONF_SUPPORT_PHONE,
    CONF_SUPPORT_URL,
    CONF_SYSTEM,
    CONF_TARGETS,
    DOMAIN,
    SUBENTRY_SYSTEM,
    SystemKind,
)
from .discovery import IntegrationDiscoveryFlow
from .examples import form_placeholders
from .kinds.form import SECRET_LINES
from .logic.validation import clean_input, is_valid_name, is_valid_phone, name_taken
from .monitoring.auth import REAUTH_FIELDS, secret_field
from .monitoring.internet import (
    ENTRY_TYPE_INTERNET,
)
from .options_flow import (
    InternetOptionsFlow,
    ProviderOptionsFlow,
)
from .runtime import ProviderWatchConfigEntry, loaded_provider
from .sources.cloud import parse_headers
from .subentry_flow import SystemSubentryFlow

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


class ProviderWatchConfigFlow(IntegrationDiscoveryFlow, domain=DOMAIN):
    """Add a provider (the first one also sets up the internet check).

    A provider's integration already installed is offered too, and the internet
    step both ways share is there (discovery.py).
    """

    VERSION = 1

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ProviderWatchConfigEntry) -> OptionsFlow:
        """The provider's status page, or the internet check's targets."""
        if config_entry.data.get(CONF_ENTRY_TYPE) == ENTRY_TYPE_INTERNET:
            return InternetOptionsFlow()
        return ProviderOptionsFlow()

    @classmethod
    @callback
    @override
    def async_get_supported_subentry_types(
        cls, config_entry: ProviderWatchConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Monitored systems are subentries of their provider."""
        if config_entry.data.get(CONF_ENTRY_TYPE) == ENTRY_TYPE_INTERNET:
            return {}
        return {SUBENTRY_SYSTEM: SystemSubentryFlow}

    @override
    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Name the provider and its contacts."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = clean_input(user_input)
            errors = self._validate(data, exclude=None)
            if not errors:
                self._provider = data
                if self._internet_entry() is None:
                    return await self.async_step_internet()
                return self.async_create_entry(title=data[CONF_NAME], data=data)
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                PROVIDER_SCHEMA, user_input
            ),
            errors=errors,
            description_placeholders=form_placeholders(),
        )

    async def async_step_system(self, data: dict[str, Any]) -> ConfigFlowResult:
        """Create the integration-wide internet check (with the first provider)."""
        await self.async_set_unique_id(ENTRY_TYPE_INTERNET)
        self._abort_if_unique_id_configured()
        return self.async_create_entry(
            title="Internet connection",
            data={CONF_ENTRY_TYPE: ENTRY_TYPE_INTERNET},
            options={CONF_TARGETS: list(data[CONF_TARGETS])},
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the provider's name or contacts."""
        entry = self._get_reconfigure_entry()
        if entry.data.get(CONF_ENTRY_TYPE) == ENTRY_TYPE_INTERNET:
            return self.async_abort(reason="internet_use_options")
        errors: dict[str, str] = {}
        if user_input is not None:
            data = clean_input(user_input)
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
            description_placeholders=form_placeholders(),
        )

    async def async_step_reauth(
        self,
        entry_data: Mapping[str, Any],
    ) -> ConfigFlowResult:
        """The provider's API rejected the credentials of a cloud system."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Enter the new token, API key or password of a cloud system.

        Only the cloud systems that send credentials are offered, with only the
        fields their kinds of authentication use: a system that sends none is never
        asked for a token.
        """
        entry = self._get_reauth_entry()
        clouds = [
            subentry
            for subentry in entry.get_subentries_of_type(SUBENTRY_SYSTEM)
            if subentry.data.get(CONF_KIND) == SystemKind.CLOUD
        ]
        secrets = {
            subentry.subentry_id: (subentry, field)
            for subentry in clouds
            if (field := secret_field(subentry.data)) is not None
        }
        if not clouds:
            return self.async_abort(reason="no_cloud_systems")
        if not secrets:
            return self.async_abort(
                reason="no_credentials",
                description_placeholders={
                    "systems": ", ".join(subentry.title for subentry in clouds)
                },
            )
        errors: dict[str, str] = {}
        if user_input is not None:
            chosen = secrets.get(user_input.get(CONF_SYSTEM, ""))
            if chosen is None:
                errors[CONF_SYSTEM] = "unknown_system"
            else:
                subentry, field = chosen
                value = user_input.get(field)
                if not isinstance(value, str) or not value.strip():
                    errors["base"] = "missing_credentials"
                elif field == CONF_SECRET_HEADERS and parse_headers(value) is None:
                    errors[field] = "invalid_headers"
                else:
                    self._save_credential(entry, subentry, {field: value.strip()})
                    return self.async_abort(reason="reauth_successful")
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=_reauth_schema(self.hass, entry, secrets),
            errors=errors,
            description_placeholders=form_placeholders(provider=entry.title),
        )

    def _save_credential(
        self, entry: ConfigEntry, subentry: ConfigSubentry, update: dict[str, str]
    ) -> None:
        """Store the new credential; the same one again: check again right away."""
        if self.hass.config_entries.async_update_subentry(
            entry, subentry, data={**subentry.data, **update}
        ):
            return  # the system is set up again with it (the update listener)
        # the same credentials (the provider fixed its side): check now
        if (provider := loaded_provider(self.hass, entry.entry_id)) is not None and (
            system := provider.runtime_data.systems.get(subentry.subentry_id)
        ) is not None:
            self.hass.async_create_task(system.async_refresh(), eager_start=False)
        else:
            self.hass.config_entries.async_schedule_reload(entry.entry_id)

    def _validate(self, data: Mapping[str, Any], exclude: str | None) -> dict[str, str]:
        errors = validate_provider(data)
        others = (
            entry.title
            for entry in self._async_current_entries(include_ignore=False)
            if entry.entry_id != exclude
            and entry.data.get(CONF_ENTRY_TYPE) != ENTRY_TYPE_INTERNET
        )
        if not errors and name_taken(data[CONF_NAME], others):
            errors[CONF_NAME] = "name_exists"
        return errors


def _reauth_schema(
    hass: HomeAssistant,
    entry: ConfigEntry,
    secrets: Mapping[str, tuple[ConfigSubentry, str]],
) -> vol.Schema:
    """Pick a system (a rejected one first); a field per kind of credential in use."""
    rejected = _rejected(hass, entry.entry_id)
    first = next((sid for sid in secrets if sid in rejected), next(iter(secrets)))
    fields: dict[Any, Any] = {
        vol.Required(CONF_SYSTEM, default=first): SelectSelector(
            SelectSelectorConfig(
                options=[
                    SelectOptionDict(value=sid, label=subentry.title)
                    for sid, (subentry, _) in secrets.items()
                ]
            )
        )
    }
    secret = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
    for field in REAUTH_FIELDS:  # always in the same order
        if any(used == field for _, used in secrets.values()):
            fields[vol.Optional(field)] = (
                SECRET_LINES if field == CONF_SECRET_HEADERS else secret
            )
    return vol.Schema(fields)


def _rejected(hass: HomeAssistant, entry_id: str) -> set[str]:
    """The systems whose credentials the provider rejects now (if it is loaded)."""
    if (provider := loaded_provider(hass, entry_id)) is None:
        return set()
    return {sid for sid, s in provider.runtime_data.systems.items() if s.auth_failed}
