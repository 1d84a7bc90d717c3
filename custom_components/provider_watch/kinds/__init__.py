"""The kinds of check, one module each, and the form of a monitored system.

Each module (icmp, tcp, http, cloud, entities, device, heartbeat) holds its kind's form
fields and sections, its validation, the typed settings it reads from the stored
subentry, and its probe or watcher, described by one `Kind` (base.py). Adding a
kind: a SystemKind value, its module, one line in KINDS below, its async_step_<kind>
in subentry_flow.py, and its translations.
"""

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

import probatio as vol

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import section
from homeassistant.helpers import issue_registry as ir

from ..const import CONF_NAME, CONF_SELF_HEAL, CONF_TIMING, DOMAIN, LOGGER, SystemKind
from . import cloud, device, entities, heartbeat, http, icmp, tcp
from .base import Kind, SystemRef
from .form import (
    SELF_HEAL_SCHEMA,
    TEXT,
    TIMING_SCHEMA,
    name_errors,
    number_errors,
    self_heal_errors,
    timing_errors,
)

# in the order of the menu
KINDS: Final[Mapping[SystemKind, Kind]] = MappingProxyType(
    {
        spec.kind: spec
        for spec in (
            icmp.KIND,
            tcp.KIND,
            http.KIND,
            cloud.KIND,
            entities.KIND,
            device.KIND,
            heartbeat.KIND,
        )
    }
)
POLLED_KINDS: Final = frozenset(kind for kind, spec in KINDS.items() if spec.polled)
PUSH_KINDS: Final = frozenset(KINDS) - POLLED_KINDS  # their watchers push verdicts


def kind_of(kind: SystemKind | str) -> Kind:
    """The description of a kind of check."""
    return KINDS[SystemKind(kind)]


def kind_sections(kind: SystemKind) -> dict[str, vol.Schema]:
    """The collapsed sections of a kind's form (their fields are stored flat)."""
    spec = kind_of(kind)
    sections = dict(spec.sections)
    if spec.polled:
        sections[CONF_TIMING] = TIMING_SCHEMA
    sections[CONF_SELF_HEAL] = SELF_HEAL_SCHEMA
    return sections


def system_schema(kind: SystemKind) -> vol.Schema:
    """The form of a monitored system of this kind: name, fields, sections."""
    spec = kind_of(kind)
    fields: dict[vol.Marker, Any] = {vol.Required(CONF_NAME): TEXT, **spec.fields}
    for name, schema in kind_sections(kind).items():
        # self-heal is optional: a form sent without it has none (so are the
        # sections a kind has added since: forms sent as before stay valid)
        optional = name == CONF_SELF_HEAL or name in spec.optional_sections
        marker = vol.Optional if optional else vol.Required
        fields[marker(name)] = section(
            schema, {"collapsed": name not in spec.open_sections}
        )
    return vol.Schema(fields)


def validate_system(kind: SystemKind, data: Mapping[str, Any]) -> dict[str, str]:
    """Form errors for a monitored system's (flattened) fields."""
    return (
        name_errors(data)
        | kind_of(kind).validate(data)
        | self_heal_errors(data)
        | timing_errors(kind, data)
        | number_errors(data)  # NaN or infinity: said so, whatever else is wrong
    )


# --- a system whose stored settings its kind cannot use -------------------------------

# what reading a stored value that is no number, or missing, raises
UNUSABLE_SETTINGS = (ValueError, TypeError, KeyError, OverflowError)


def settings_issue_id(system_id: str) -> str:
    """The repair issue of a system whose stored settings cannot be used."""
    return f"system_settings_invalid_{system_id}"


def async_report_unusable(
    hass: HomeAssistant, system: SystemRef, error: Exception
) -> None:
    """Its kind cannot read a system's settings: it is not checked; the user is told.

    The provider's other systems are set up as usual.
    """
    LOGGER.error(
        "%s (%s) is not checked: its stored settings cannot be used (%s: %s)",
        system.name,
        system.provider,
        type(error).__name__,
        error,
    )
    ir.async_create_issue(
        hass,
        DOMAIN,
        settings_issue_id(system.system_id),
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key="system_settings_invalid",
        translation_placeholders={
            "system": system.name,
            "provider": system.provider,
            "error": str(error) or type(error).__name__,
        },
    )


def async_clear_unusable(hass: HomeAssistant, system_id: str) -> None:
    """The system's settings are usable (again): no repair issue."""
    ir.async_delete_issue(hass, DOMAIN, settings_issue_id(system_id))
