"""TCP: a system with an open port."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import probatio as vol

from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import (
    NumberSelectorConfig,
    NumberSelectorMode,
)

from ..const import CONF_HOST, CONF_PORT, SystemKind
from ..logic.validation import is_whole
from ..sources import Probe
from ..sources.tcp import probe_tcp
from .base import Kind, SystemRef
from .form import TEXT, NumberBox, host_errors


@dataclass(frozen=True, kw_only=True, slots=True)
class TcpCheck:
    """The host and port to connect to."""

    host: str
    port: int

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> TcpCheck:
        """Read a TCP system's settings."""
        return cls(host=data[CONF_HOST], port=int(data[CONF_PORT]))


def build_probe(
    hass: HomeAssistant,
    data: Mapping[str, Any],
    timeout: float,
    icmp_privileged: bool | None,
    system: SystemRef,
) -> Probe:
    """Open (and close) a connection to the port."""
    check = TcpCheck.from_data(data)
    return lambda: probe_tcp(check.host, check.port, timeout)


def _errors(data: Mapping[str, Any]) -> dict[str, str]:
    errors = host_errors(data)
    if not is_whole(data.get(CONF_PORT), 1, 65535):
        errors[CONF_PORT] = "invalid_port"
    return errors


KIND = Kind(
    kind=SystemKind.TCP,
    fields={
        vol.Required(CONF_HOST): TEXT,
        vol.Required(CONF_PORT): NumberBox(
            NumberSelectorConfig(min=1, max=65535, step=1, mode=NumberSelectorMode.BOX)
        ),
    },
    validate=_errors,
    whole_numbers=(CONF_PORT,),
    build_probe=build_probe,
)
