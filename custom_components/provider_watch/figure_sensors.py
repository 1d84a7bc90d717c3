"""The descriptions of the uptime and billing figure sensors (sensor.py adds them).

Each system: uptime, outages and downtime over 24 h / 7 d / 30 days. The provider:
the same over all its systems, and this billing month (downtime against the fee,
and whether the provider told you about its outages; see logic/cost.py).
"""

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, UnitOfTime

from .logic.cost import Cost
from .logic.figures import Figures
from .logic.provider_figures import ProviderFigures, SystemFigures


def _uptime(figures: Figures) -> float | None:
    uptime = figures.uptime
    return round(uptime, 4) if uptime is not None else None


def _minutes(seconds: float) -> float:
    return round(seconds / 60, 2)


@dataclass(frozen=True, kw_only=True)
class FigureSensorEntityDescription(SensorEntityDescription):
    """A figure of a system (or of the provider)."""

    value_fn: Callable[[SystemFigures], float | int | None]


@dataclass(frozen=True, kw_only=True)
class ProviderFigureSensorEntityDescription(SensorEntityDescription):
    """A figure of the provider as a whole."""

    value_fn: Callable[[ProviderFigures], float | int | None]


def _figure(
    key: str,
    value_fn: Callable[[SystemFigures], float | int | None],
    unit: str | None,
    *,
    enabled: bool = True,
) -> FigureSensorEntityDescription:
    return FigureSensorEntityDescription(
        key=key,
        entity_registry_enabled_default=enabled,
        translation_key=key,
        # no long-term statistics (see STATISTICS below)
        device_class=SensorDeviceClass.DURATION if unit == UnitOfTime.MINUTES else None,
        native_unit_of_measurement=unit,
        suggested_display_precision=_PRECISION.get(unit),
        value_fn=value_fn,
    )


def _provider_figure(
    key: str,
    value_fn: Callable[[ProviderFigures], float | int | None],
    unit: str | None,
) -> ProviderFigureSensorEntityDescription:
    return ProviderFigureSensorEntityDescription(
        key=key,
        translation_key=f"provider_{key}",
        device_class=SensorDeviceClass.DURATION if unit == UnitOfTime.MINUTES else None,
        native_unit_of_measurement=unit,
        suggested_display_precision=_PRECISION.get(unit),
        value_fn=value_fn,
    )


# Long-term statistics (a state_class) only for what one charts over months: what
# the provider's outages cost, month by month (downtime this month and its value,
# totals that start again each billing month). The rolling 30-day figures would
# only chart a moving average of the outage history, which the report shows by
# month from the history itself; each series costs 24 hourly rows a day, kept
# forever by default, and 288 short-term ones (docs/benchmark.md).
_PRECISION: dict[str | None, int] = {PERCENTAGE: 2, UnitOfTime.MINUTES: 0}

FIGURE_SENSORS: tuple[FigureSensorEntityDescription, ...] = (
    # 30-day uptime and downtime on by default; the others a click away (each
    # entity costs ~10 KiB and a recorder history per system)
    _figure("uptime_24h", lambda f: _uptime(f.day), PERCENTAGE, enabled=False),
    _figure("uptime_7d", lambda f: _uptime(f.week), PERCENTAGE, enabled=False),
    _figure("uptime_30d", lambda f: _uptime(f.month), PERCENTAGE),
    _figure("outages_30d", lambda f: f.month.outages, None, enabled=False),
    _figure("downtime_30d", lambda f: _minutes(f.month.downtime), UnitOfTime.MINUTES),
    _figure(
        "longest_outage_30d",
        lambda f: _minutes(f.month.longest),
        UnitOfTime.MINUTES,
        enabled=False,
    ),
    _figure(
        "current_outage",
        lambda f: _minutes(f.current_outage),
        UnitOfTime.MINUTES,
        enabled=False,
    ),
)

PROVIDER_FIGURE_SENSORS: tuple[ProviderFigureSensorEntityDescription, ...] = (
    _provider_figure("uptime_30d", lambda f: _uptime(f.month), PERCENTAGE),
    _provider_figure("outages_30d", lambda f: f.month.outages, None),
    _provider_figure(
        "downtime_30d", lambda f: _minutes(f.month.downtime), UnitOfTime.MINUTES
    ),
)


# --- this billing month: what it cost, and whether the provider told you ----------


@dataclass(frozen=True, kw_only=True)
class BillingSensorEntityDescription(ProviderFigureSensorEntityDescription):
    """A figure of the provider's billing month (the local calendar month)."""

    in_currency: bool = False  # the unit is the provider's currency


def _billing(
    value_fn: Callable[[Cost], float | None],
) -> Callable[[ProviderFigures], float | None]:
    return lambda f: value_fn(f.billing) if f.billing is not None else None


def _share(billing: Cost) -> float | None:
    share = billing.offline_share
    return round(100 * share, 4) if share is not None else None


def _money(billing: Cost) -> float | None:
    value = billing.value
    return round(value, 2) if value is not None else None


BILLING_SENSORS: tuple[BillingSensorEntityDescription, ...] = (
    BillingSensorEntityDescription(
        key="downtime_month",
        translation_key="provider_downtime_month",
        device_class=SensorDeviceClass.DURATION,
        state_class=SensorStateClass.TOTAL,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        suggested_display_precision=0,
        value_fn=_billing(lambda b: _minutes(b.downtime)),
    ),
    BillingSensorEntityDescription(
        key="offline_share_month",
        translation_key="provider_offline_share_month",
        native_unit_of_measurement=PERCENTAGE,
        suggested_display_precision=2,
        value_fn=_billing(_share),
    ),
    BillingSensorEntityDescription(
        key="downtime_value_month",
        translation_key="provider_downtime_value_month",
        device_class=SensorDeviceClass.MONETARY,
        state_class=SensorStateClass.TOTAL,
        suggested_display_precision=2,
        in_currency=True,
        value_fn=_billing(_money),
    ),
    BillingSensorEntityDescription(
        key="outages_told_month",
        translation_key="provider_outages_told_month",
        value_fn=lambda f: f.notices.told,
    ),
    BillingSensorEntityDescription(
        key="outages_not_told_month",
        translation_key="provider_outages_not_told_month",
        value_fn=lambda f: f.notices.not_told,
    ),
    BillingSensorEntityDescription(
        key="outages_unanswered_month",
        translation_key="provider_outages_unanswered_month",
        value_fn=lambda f: f.notices.unanswered,
    ),
)
