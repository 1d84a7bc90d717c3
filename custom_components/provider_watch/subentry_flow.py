"""The "monitored system" subentry flow: one form per kind of check.

The fields, sections and checks of each kind come from its module in kinds/; this
flow shows them, stores the answers flat, and adds the cloud's test step and the
heartbeat's URL step.
"""

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from homeassistant.config_entries import ConfigSubentryFlow, SubentryFlowResult
from homeassistant.core import HomeAssistant, valid_entity_id
from homeassistant.helpers import entity_registry as er

from .const import CONF_HEAL_ENTITY, CONF_KIND, CONF_NAME, SystemKind
from .examples import form_placeholders
from .kinds import KINDS, kind_of, kind_sections, system_schema, validate_system
from .kinds.cloud_try import async_try_once
from .kinds.form import SECRETS, SELF_HEAL_FIELDS, WHOLE_NUMBERS
from .kinds.heartbeat import heartbeat_url
from .logic.validation import clean_input, name_taken
from .settings import Timing

type Step = Callable[[], Awaitable[SubentryFlowResult]]


class SystemSubentryFlow(ConfigSubentryFlow):
    """Add or change a monitored system of a provider."""

    _data: dict[str, Any]
    _title: str
    _test_errors: dict[str, str]

    async def async_step_user(
        self,
        user_input: dict[str, Any] | None = None,
    ) -> SubentryFlowResult:
        """Pick how the system is checked."""
        return self.async_show_menu(
            step_id="user",
            menu_options=[kind.value for kind in KINDS],
            description_placeholders=form_placeholders(),
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

    async def async_step_entities(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """A system seen through entities of the provider's own integration."""
        return await self._async_system_form(SystemKind.ENTITIES, user_input)

    async def async_step_device(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """A system seen through every entity of a device of another integration."""
        return await self._async_system_form(SystemKind.DEVICE, user_input)

    async def async_step_heartbeat(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """A system that calls home to a webhook."""
        return await self._async_system_form(SystemKind.HEARTBEAT, user_input)

    async def async_step_cloud(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """A system seen through the provider's cloud API."""
        return await self._async_system_form(SystemKind.CLOUD, user_input)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change a system: the form of its kind, filled in."""
        kind = SystemKind(self._get_reconfigure_subentry().data[CONF_KIND])
        return await self._async_system_form(kind, user_input)

    async def async_step_heartbeat_url(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Show the heartbeat URL to copy into the device or the provider's portal."""
        if user_input is not None:
            return self._async_finish()
        return self.async_show_form(
            step_id="heartbeat_url",
            description_placeholders=form_placeholders(
                url=heartbeat_url(self.hass, self._data)
            ),
        )

    async def _async_system_form(
        self,
        kind: SystemKind,
        user_input: dict[str, Any] | None,
        errors: dict[str, str] | None = None,
    ) -> SubentryFlowResult:
        spec = kind_of(kind)
        reconfiguring = self.source == "reconfigure"
        errors = dict(errors or {})
        if user_input is not None:
            data = _resolve_heal_entity(self.hass, _flatten(user_input))
            if reconfiguring:
                self._keep_secrets(kind, data)
            errors = validate_system(kind, data)
            if not errors and self._system_name_taken(data[CONF_NAME]):
                errors[CONF_NAME] = "name_exists"
            if spec.hass_errors is not None:
                errors |= spec.hass_errors(self.hass, data)
            if not errors and spec.async_errors is not None:
                errors = await spec.async_errors(self.hass, data)
            if not errors:
                self._title = data.pop(CONF_NAME)
                self._data = _normalize(kind, data)
                if spec.fill_in is not None:
                    stored = (
                        self._get_reconfigure_subentry().data if reconfiguring else None
                    )
                    spec.fill_in(self._data, stored)
                if spec.next_step is not None:
                    step: Step = getattr(self, f"async_step_{spec.next_step}")
                    return await step()
                return self._async_finish()
        suggested: Mapping[str, Any] | None = user_input
        if suggested is None and getattr(self, "_data", None):
            suggested = _nest(kind, {**self._data, CONF_NAME: self._title})
        elif suggested is None and reconfiguring:
            subentry = self._get_reconfigure_subentry()
            suggested = _nest(kind, {**subentry.data, CONF_NAME: subentry.title})
        if reconfiguring and suggested is not None and suggested is not user_input:
            suggested = _without_secrets(kind, suggested)
        return self.async_show_form(
            step_id="reconfigure" if reconfiguring else kind.value,
            data_schema=self.add_suggested_values_to_schema(
                system_schema(kind), suggested
            ),
            errors=errors,
            description_placeholders=form_placeholders(),
        )

    def _keep_secrets(self, kind: SystemKind, data: dict[str, Any]) -> None:
        """A secret field left blank keeps the secret given before (reconfigure).

        The form never shows a stored secret (it would be sent to the browser).
        """
        before = {
            **self._get_reconfigure_subentry().data,
            **getattr(self, "_data", {}),
        }
        for key in _secret_fields(kind):
            if not data.get(key) and before.get(key):
                data[key] = before[key]

    async def async_step_cloud_test(
        self,
        user_input: dict[str, Any] | None = None,
    ) -> SubentryFlowResult:
        """Fetch once and show exactly what the rule sees and decides.

        A rule that cannot be used on the answer (a path the library refuses, a
        template that fails or takes too long) cannot be saved: only changed.
        """
        tried = await async_try_once(
            self.hass, self._data, Timing.from_data(self._data).timeout
        )
        self._test_errors = tried.errors
        return self.async_show_menu(
            step_id="cloud_test",
            menu_options=["cloud_edit"]
            if tried.errors
            else ["cloud_save", "cloud_edit"],
            description_placeholders=form_placeholders(**tried.placeholders),
        )

    async def async_step_cloud_save(
        self,
        user_input: dict[str, Any] | None = None,
    ) -> SubentryFlowResult:
        """Keep the tested settings."""
        return self._async_finish()

    async def async_step_cloud_edit(
        self,
        user_input: dict[str, Any] | None = None,
    ) -> SubentryFlowResult:
        """Back to the form, filled in with what was tested (and its errors)."""
        return await self._async_system_form(SystemKind.CLOUD, None, self._test_errors)

    def _async_finish(self) -> SubentryFlowResult:
        if self.source == "reconfigure":
            return self.async_update_and_abort(
                self._get_entry(),
                self._get_reconfigure_subentry(),
                title=self._title,
                data=self._data,
            )
        return self.async_create_entry(title=self._title, data=self._data)

    def _system_name_taken(self, name: str) -> bool:
        own = (
            self._get_reconfigure_subentry().subentry_id
            if self.source == "reconfigure"
            else None
        )
        return name_taken(
            name,
            (
                subentry.title
                for subentry in self._get_entry().subentries.values()
                if subentry.subentry_id != own
            ),
        )


def _resolve_heal_entity(hass: HomeAssistant, data: dict[str, Any]) -> dict[str, Any]:
    """The entity selector may give an entity registry id: store the entity id."""
    value = data.get(CONF_HEAL_ENTITY)
    if isinstance(value, str) and not valid_entity_id(value):
        resolved = er.async_resolve_entity_id(er.async_get(hass), value)
        if resolved is not None:  # (anything else is refused by the validation)
            data[CONF_HEAL_ENTITY] = resolved
    return data


def _normalize(kind: SystemKind, data: dict[str, Any]) -> dict[str, Any]:
    """Whole numbers as ints, and the kind recorded."""
    if CONF_HEAL_ENTITY not in data:  # no self-heal: none of its settings is kept
        for key in SELF_HEAL_FIELDS:
            data.pop(key, None)
    for key in (*kind_of(kind).whole_numbers, *WHOLE_NUMBERS):
        if key in data:
            data[key] = int(data[key])
    data[CONF_KIND] = kind.value
    return data


def _flatten(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Lift every section's fields to the top level and tidy the text."""
    flat: dict[str, Any] = {}
    for key, value in user_input.items():
        if isinstance(value, Mapping):
            flat.update(value)
        else:
            flat[key] = value
    data = clean_input(flat)
    for key, value in data.items():
        if isinstance(value, float) and value.is_integer():
            data[key] = int(value)
    return data


def _secret_fields(kind: SystemKind) -> set[str]:
    """The fields of a kind's form typed as passwords (tokens, keys, passwords)."""
    schemas = [kind_of(kind).fields, *(s.schema for s in kind_sections(kind).values())]
    return {
        str(key)
        for schema in schemas
        for key, sel in schema.items()
        if any(sel is secret for secret in SECRETS)
    }


def _without_secrets(kind: SystemKind, suggested: Mapping[str, Any]) -> dict[str, Any]:
    """Suggested values without any secret: the browser never gets one back."""
    secrets = _secret_fields(kind)
    return {
        key: _without_secrets(kind, value) if isinstance(value, Mapping) else value
        for key, value in suggested.items()
        if key not in secrets
    }


def _nest(kind: SystemKind, data: Mapping[str, Any]) -> dict[str, Any]:
    """The stored (flat) settings in the form's shape, for suggested values."""
    sections = kind_sections(kind)
    in_section = {
        str(key): name for name, schema in sections.items() for key in schema.schema
    }
    nested: dict[str, Any] = {name: {} for name in sections}
    for key, value in data.items():
        if key in in_section:
            nested[in_section[key]][key] = value
        else:
            nested[key] = value
    return nested
