"""Ping: a system that answers ICMP echo requests."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import probatio as vol

from homeassistant.core import HomeAssistant

from ..const import CONF_HOST, SystemKind
from ..sources import Probe
from ..sources.icmp import probe_icmp
from .base import Kind, SystemRef
from .form import TEXT, host_errors


@dataclass(frozen=True, kw_only=True, slots=True)
class IcmpCheck:
    """The host to ping."""

    host: str

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> IcmpCheck:
        """Read a ping system's settings."""
        return cls(host=data[CONF_HOST])


def build_probe(
    hass: HomeAssistant,
    data: Mapping[str, Any],
    timeout: float,
    icmp_privileged: bool | None,
    system: SystemRef,
) -> Probe:
    """Ping the host (in the ICMP mode that works here)."""
    check = IcmpCheck.from_data(data)
    return lambda: probe_icmp(check.host, timeout, icmp_privileged)


KIND = Kind(
    kind=SystemKind.ICMP,
    fields={vol.Required(CONF_HOST): TEXT},
    validate=host_errors,
    build_probe=build_probe,
)
