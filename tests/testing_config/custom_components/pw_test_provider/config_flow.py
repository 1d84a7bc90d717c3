"""Add an account (a title and its devices); sign in again when asked."""

from collections.abc import Mapping
from typing import Any

import voluptuous as vol

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult

from . import DEFAULT_DEVICES, DOMAIN, cloud


class TestProviderFlow(ConfigFlow, domain=DOMAIN):
    VERSION = 1

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        if user_input is not None:
            return self.async_create_entry(
                title=user_input["name"],
                data={"devices": list(user_input.get("devices") or DEFAULT_DEVICES)},
            )
        return self.async_show_form(
            step_id="user", data_schema=vol.Schema({vol.Required("name"): str})
        )

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        if user_input is not None:
            cloud(self.hass).mode = "ok"
            return self.async_update_reload_and_abort(self._get_reauth_entry())
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema({vol.Required("password"): str}),
        )
