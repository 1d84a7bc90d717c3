"""What it cost: the contract options, the billing-month sensors and the report.

Real Home Assistant (Europe/Berlin), real HTTP systems on 127.0.0.1, a real outage
history on (mocked) disk; the clock only moves by time travel. The arithmetic itself
has its known answers in tests/logic/test_cost.py.
"""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.provider_watch.logic.cost import Contract
from custom_components.provider_watch.logic.history_file import (
    HISTORY_MINOR_VERSION,
    HistoryData,
    SystemInfo,
)
from custom_components.provider_watch.logic.outages import OutageRecord
from custom_components.provider_watch.logic.report import build_report
from custom_components.provider_watch.options_flow import validate_contract
from custom_components.provider_watch.settings import provider_contract
from homeassistant.components.sensor import ATTR_LAST_RESET, ATTR_STATE_CLASS
from homeassistant.const import (
    ATTR_DEVICE_CLASS,
    ATTR_UNIT_OF_MEASUREMENT,
    PERCENTAGE,
    STATE_UNKNOWN,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData, section
from testkit.report_sample import en_texts, sample_input
from testkit.simulated import SimulatedDevice

from .helpers import (
    advance,
    attributes,
    http_system,
    jump,
    open_options,
    provider_entry,
    setup_entry,
    state,
    submit_options,
    suggested,
)

BERLIN = ZoneInfo("Europe/Berlin")
PANEL = "system_alarm_panel"
HUB = "system_leak_hub"
DOWNTIME = "sensor.acme_alarm_downtime_this_month_all_systems"
SHARE = "sensor.acme_alarm_offline_share_this_month"
VALUE = "sensor.acme_alarm_value_of_downtime_this_month"
MONTHLY = (DOWNTIME, SHARE, VALUE)


def berlin(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Berlin wall-clock time in 2026, as UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


@pytest.fixture
async def in_berlin(hass: HomeAssistant) -> None:
    """Home Assistant in Europe/Berlin, with francs as its currency."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    hass.config.currency = "CHF"


@pytest.fixture
def on_20_october(in_berlin: None, freezer: FrozenDateTimeFactory) -> None:
    """20 October 2026, 12:00 in Berlin."""
    freezer.move_to(berlin(10, 20, 12))


@pytest.fixture
async def second(socket_enabled: None) -> Any:
    """A second simulated device on 127.0.0.1 (the leak hub)."""
    async with SimulatedDevice() as simulated:
        yield simulated


def acme(
    panel: SimulatedDevice, hub: SimulatedDevice, options: dict[str, Any] | None = None
) -> MockConfigEntry:
    """Acme Alarm with the alarm panel and the leak hub, each on its own device."""
    return provider_entry(
        {PANEL: http_system(panel.url), HUB: http_system(hub.url)}, options=options
    )


def outage(number: int, system_id: str, start: datetime, end: datetime) -> OutageRecord:
    return OutageRecord(
        id=f"old-{number}",
        system_id=system_id,
        system=system_id,
        provider="Acme Alarm",
        start=start,
        end=end,
        cause="provider_cloud",
    )


def store_history(
    hass_storage: dict[str, Any], entry: MockConfigEntry, *outages: OutageRecord
) -> None:
    """Both systems monitored since 1 September; these outages on file."""
    key = f"provider_watch.{entry.entry_id}.history"
    history = HistoryData(
        systems={
            PANEL: SystemInfo(name="Alarm panel", added=berlin(9, 1)),
            HUB: SystemInfo(name="Leak hub", added=berlin(9, 1)),
        },
        outages=list(outages),
    )
    hass_storage[key] = {
        "version": 2,
        "minor_version": HISTORY_MINOR_VERSION,
        "key": key,
        "data": history.to_dict(),
    }


async def setup_acme_with_history(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    panel: SimulatedDevice,
    hub: SimulatedDevice,
    options: dict[str, Any] | None,
    *outages: OutageRecord,
) -> MockConfigEntry:
    """Acme Alarm (see `acme`) set up with these outages on file."""
    entry = acme(panel, hub, options)
    store_history(hass_storage, entry, *outages)
    return await setup_entry(hass, entry)


def number(hass: HomeAssistant, entity_id: str) -> float:
    return float(state(hass, entity_id))


# --- the sensors ---------------------------------------------------------------------


async def test_billing_month_sensors(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    on_20_october: None,
    device: SimulatedDevice,
    second: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
) -> None:
    """20 October 12:00 in Berlin: 468 h of October have passed, for two systems.

    3 h down in October (2 h of an outage from 30 September, 1 h on the 10th), so the
    offline share is 3 / 936 and, at 74.50 a month (October: 745 h), the downtime
    is worth 74.50 * 468 / 745 * 3 / 936 = 0.15.
    """
    entry = await setup_acme_with_history(
        hass,
        hass_storage,
        device,
        second,
        {"monthly_fee": 74.5, "currency": "EUR"},
        outage(1, PANEL, berlin(9, 30, 22), berlin(10, 1, 2)),
        outage(2, HUB, berlin(10, 10, 8), berlin(10, 10, 9)),
        outage(3, PANEL, berlin(9, 10, 8), berlin(9, 10, 20)),  # September only
    )

    assert number(hass, DOWNTIME) == 180.0
    assert number(hass, SHARE) == round(100 * 3 / 936, 4)
    assert number(hass, VALUE) == 0.15
    month_start = berlin(10, 1).isoformat()
    downtime = attributes(hass, DOWNTIME)
    assert downtime[ATTR_DEVICE_CLASS] == "duration"
    assert downtime[ATTR_STATE_CLASS] == "total"
    assert downtime[ATTR_UNIT_OF_MEASUREMENT] == "min"
    assert downtime[ATTR_LAST_RESET] == month_start
    value = attributes(hass, VALUE)
    assert value[ATTR_UNIT_OF_MEASUREMENT] == "EUR"
    assert value[ATTR_DEVICE_CLASS] == "monetary"
    assert value[ATTR_STATE_CLASS] == "total"
    assert value[ATTR_LAST_RESET] == month_start
    share = attributes(hass, SHARE)
    assert share[ATTR_UNIT_OF_MEASUREMENT] == PERCENTAGE
    assert ATTR_LAST_RESET not in share

    # the leak hub goes down and stays down: its outage counts up to now
    await second.stop()
    await advance(hass, freezer, 30, 5, 5)  # first failure at +30 s, offline at +40
    history = entry.runtime_data.history
    start = history.open_outage(HUB).start
    await advance(hass, freezer, 3600 - 10)  # one hour after its first failure
    assert number(hass, DOWNTIME) == 240.0
    elapsed_h = 468 + (3600 + 30) / 3600
    assert number(hass, SHARE) == round(100 * 4 / (2 * elapsed_h), 4)
    assert number(hass, VALUE) == round(74.5 * 4 / (2 * 745), 2)  # 0.20
    assert start == berlin(10, 20, 12) + timedelta(seconds=30)

    # into November: the totals start again, the ongoing outage from local midnight
    await jump(hass, freezer, berlin(11, 1, 0, 30))
    assert attributes(hass, DOWNTIME)[ATTR_LAST_RESET] == berlin(11, 1).isoformat()
    assert number(hass, DOWNTIME) == 30.0
    assert number(hass, SHARE) == 50.0  # one of two systems, the whole time so far
    # 74.50 for November's 720 h: 30 min of one of two systems
    assert number(hass, VALUE) == round(74.5 * 0.5 / (2 * 720), 2)

    await second.start()
    await advance(hass, freezer, 30, 5)


async def test_without_a_fee_the_value_is_unknown(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    on_20_october: None,
    device: SimulatedDevice,
    second: SimulatedDevice,
) -> None:
    entry = await setup_acme_with_history(
        hass,
        hass_storage,
        device,
        second,
        None,
        outage(1, HUB, berlin(10, 10, 8), berlin(10, 10, 9)),
    )
    assert number(hass, DOWNTIME) == 60.0
    assert number(hass, SHARE) == round(100 / 936, 4)
    assert state(hass, VALUE) == STATE_UNKNOWN
    # the unit is Home Assistant's currency until the provider's options name one
    assert attributes(hass, VALUE)[ATTR_UNIT_OF_MEASUREMENT] == "CHF"
    assert provider_contract(hass, entry) == Contract(currency="CHF")


async def test_bad_stored_contract_values_count_as_unset(
    hass: HomeAssistant,
    in_berlin: None,
    device: SimulatedDevice,
    second: SimulatedDevice,
) -> None:
    """Options edited by hand: a fee that is not a number of 0 or more, a bad date."""
    for options in (
        {"monthly_fee": -5, "renewal_date": "soon", "currency": ""},
        {"monthly_fee": "39.90", "renewal_date": 20270115},
        {"monthly_fee": True},
        {"monthly_fee": float("inf")},
    ):
        entry = acme(device, second, options)
        assert provider_contract(hass, entry) == Contract(currency="CHF"), options
    entry = acme(device, second, {"monthly_fee": 12, "renewal_date": "2027-01-15"})
    assert provider_contract(hass, entry) == Contract(
        monthly_fee=12.0, currency="CHF", renews=date(2027, 1, 15)
    )


# --- the options form -----------------------------------------------------------------


async def test_contract_section_of_the_options_form(
    hass: HomeAssistant,
    on_20_october: None,
    device: SimulatedDevice,
    second: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
) -> None:
    entry = await setup_entry(hass, acme(device, second, {"repeat": "30"}))
    result = await open_options(hass, entry)
    contract = result["data_schema"].schema["contract"]
    assert isinstance(contract, section)
    assert contract.options == {"collapsed": True}
    fields = {str(k): v.serialize() for k, v in contract.schema.schema.items()}
    assert fields["monthly_fee"] == {
        "selector": {"number": {"mode": "box", "step": 0.01}}
    }
    currency = fields["currency"]["selector"]["select"]
    assert currency["custom_value"] is True
    assert {"EUR", "USD", "CHF", "JPY"} <= set(currency["options"])
    assert fields["renewal_date"] == {"selector": {"date": {}}}
    assert suggested(result, "monthly_fee", "contract") is None

    result = await submit_options(
        hass,
        result["flow_id"],
        {
            "repeat": "30",
            "contract": {
                "monthly_fee": 39.9,
                "currency": " usd ",
                "renewal_date": "2027-1-5",
            },
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    # stored flat, next to the alert options; the currency upper-cased and the date
    # as YYYY-MM-DD
    assert entry.options == {
        "repeat": "30",
        "monthly_fee": 39.9,
        "currency": "USD",
        "renewal_date": "2027-01-05",
    }
    # the entry was reloaded: the value sensor is in dollars now; unknown until the
    # (new) systems have been monitored for a while, then nothing lost
    assert attributes(hass, VALUE)[ATTR_UNIT_OF_MEASUREMENT] == "USD"
    assert state(hass, VALUE) == STATE_UNKNOWN
    await advance(hass, freezer, 300)
    assert number(hass, VALUE) == 0.0

    # the form shows what is stored; clearing every field removes the contract
    result = await open_options(hass, entry)
    assert suggested(result, "monthly_fee", "contract") == 39.9
    assert suggested(result, "currency", "contract") == "USD"
    assert suggested(result, "renewal_date", "contract") == "2027-01-05"
    assert suggested(result, "repeat") == "30"
    result = await submit_options(
        hass, result["flow_id"], {"repeat": "30", "contract": {"currency": " "}}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {"repeat": "30"}
    assert state(hass, VALUE) == STATE_UNKNOWN


@pytest.mark.parametrize(
    ("contract", "errors"),
    [
        ({"monthly_fee": -0.01}, {"monthly_fee": "negative_fee"}),
        ({"monthly_fee": float("nan")}, {"monthly_fee": "invalid_fee"}),
        ({"monthly_fee": "inf"}, {"monthly_fee": "invalid_fee"}),
        ({"monthly_fee": 1_000_001}, {"monthly_fee": "invalid_fee"}),
        ({"currency": "EURO"}, {"currency": "invalid_currency"}),
        ({"currency": "XYZ"}, {"currency": "invalid_currency"}),
        ({"currency": "€"}, {"currency": "invalid_currency"}),
        (
            {"monthly_fee": -1, "currency": "dollars"},
            {"monthly_fee": "negative_fee", "currency": "invalid_currency"},
        ),
    ],
)
async def test_contract_form_errors(
    hass: HomeAssistant,
    device: SimulatedDevice,
    second: SimulatedDevice,
    contract: dict[str, Any],
    errors: dict[str, str],
) -> None:
    entry = await setup_entry(hass, acme(device, second))
    result = await open_options(hass, entry)
    result = await submit_options(hass, result["flow_id"], {"contract": contract})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    # what was typed stays in the form
    assert suggested(result, "currency", "contract") == contract.get("currency")
    # put right, it is saved
    result = await submit_options(
        hass,
        result["flow_id"],
        {"contract": {"monthly_fee": 0, "currency": "GBP"}},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {"monthly_fee": 0.0, "currency": "GBP"}


@pytest.mark.parametrize(
    "contract",
    [{"monthly_fee": "a lot"}, {"renewal_date": "next year"}, {"monthly_fee": [1]}],
)
async def test_contract_values_the_selectors_refuse(
    hass: HomeAssistant,
    device: SimulatedDevice,
    second: SimulatedDevice,
    contract: dict[str, Any],
) -> None:
    """Not a number, not a date: the selectors refuse them before the form does."""
    entry = await setup_entry(hass, acme(device, second))
    result = await open_options(hass, entry)
    with pytest.raises(InvalidData):
        await hass.config_entries.options.async_configure(
            result["flow_id"], {"contract": contract}
        )
    assert entry.options == {}


def test_contract_validation_past_the_selectors() -> None:
    """What only a caller skipping the selectors could send."""
    assert validate_contract(None) == ({}, {})
    assert validate_contract({"monthly_fee": True}) == (
        {},
        {"monthly_fee": "invalid_fee"},
    )
    assert validate_contract({"monthly_fee": "", "renewal_date": "15.01.2027"}) == (
        {},
        {"renewal_date": "invalid_date"},
    )
    assert validate_contract({"monthly_fee": 5, "renewal_date": " 2027-01-15 "}) == (
        {"monthly_fee": 5.0, "renewal_date": "2027-01-15"},
        {},
    )


async def test_contract_kept_through_the_status_page_step(
    hass: HomeAssistant,
    device: SimulatedDevice,
    second: SimulatedDevice,
    page: Any,
) -> None:
    entry = await setup_entry(hass, acme(device, second))
    result = await open_options(hass, entry)
    result = await submit_options(
        hass,
        result["flow_id"],
        {"status_page": page.base, "contract": {"monthly_fee": 25}},
    )
    assert result["step_id"] == "components"
    result = await submit_options(hass, result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        "monthly_fee": 25.0,
        "status_page": page.base,
        "status_components": [],
    }


# --- the report -----------------------------------------------------------------------


def test_report_without_a_fee_or_a_future_renewal() -> None:
    sample = sample_input()
    report = build_report(
        replace(
            sample,
            contract=Contract(currency="EUR", renews=date(2026, 10, 31)),
        ),
        en_texts(),
    )
    cost = report.data["cost"]
    assert cost | {"offline_share_pct": None} == {
        "monthly_fee": None,
        "currency": "EUR",
        "paid": None,
        "downtime_s": 607 * 60.0,
        "downtime_min": 607.0,
        "monitored_s": (745 + 397) * 3600.0,
        "offline_share_pct": None,
        "downtime_value": None,
        "renewal_date": "2026-10-31",
    }
    assert cost["offline_share_pct"] == pytest.approx(100 * 36420 / 4111200, abs=1e-4)
    markdown = report.markdown
    assert "- **Monthly fee**: not given (set it in the provider's options)" in markdown
    assert "Paid for this period" not in markdown
    assert "Value of the downtime" not in markdown
    assert "renews" not in markdown  # the renewal date has passed
    assert "- **Offline share**: 0.89 % of the time the systems were monitored" in (
        markdown
    )


def test_report_over_two_months_pro_rates_the_fee() -> None:
    """The last 30 days to 26 November 12:00: 4.5 days of October, 25.5 of November."""
    sample = sample_input()
    now = datetime(2026, 11, 26, 11, 0, tzinfo=UTC)  # 12:00 in Berlin
    window = replace(sample.window, start=now - timedelta(days=30), end=now)
    report = build_report(
        replace(sample, period="last_30_days", window=window, now=now), en_texts()
    )
    cost = report.data["cost"]
    october = (4 * 24 + 12) / 745  # 27 October 12:00 CET to 1 November 00:00
    november = (25 * 24 + 12) / 720  # to 26 November 12:00
    assert cost["paid"] == round(39.9 * (october + november), 2)
    assert cost["renewal_date"] == "2027-01-15"
    renewal = "Your contract renews on 15 January 2027: raise this before renewing."
    assert f"**{renewal}**" in report.markdown
    # the outages of those days only: the 30th (12 min) and the 31st (30 min in
    # October and 45 in November)
    assert cost["downtime_min"] == 12 + 75


def test_report_with_nothing_monitored_yet() -> None:
    sample = sample_input()
    report = build_report(
        replace(sample, systems=[], outages=[], contract=Contract()), en_texts()
    )
    assert report.data["cost"]["offline_share_pct"] is None
    assert "- **Offline share**: unknown" in report.markdown
    assert "- **Monthly fee**: not given" in report.markdown
