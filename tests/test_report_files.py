"""The report's files: names that cannot collide nor be guessed, and dates that
cannot be (issue 15, item 12).

"Acme Alarm" and "Acme-Alarm" once wrote the same file, so a signed link could
serve the other provider's report; a file's name now holds its provider's entry
id and a random token. Months and days outside what a date can hold, and a
hand-edited history with an outage in year 1, give a clear service validation
error, never a raw ValueError or OverflowError.
"""

from datetime import UTC, date, datetime, timedelta
from http import HTTPStatus
from pathlib import Path
import re
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.provider_watch.const import DOMAIN
from custom_components.provider_watch.logic.history_file import HistoryData, SystemInfo
from custom_components.provider_watch.logic.outages import OutageRecord
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from testkit.simulated import SimulatedDevice

from .helpers import http_system, provider_entry, settle, setup_entry

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PANEL = "system_alarm_panel"


async def generate(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN, "generate_report", data, blocking=True, return_response=True
    )
    assert isinstance(response, dict)
    await settle(hass)
    return response


def names(folder: Path) -> set[str]:
    """The files in a folder (none when there is no folder)."""
    return {path.name for path in folder.iterdir()} if folder.exists() else set()


def text(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


@pytest.fixture
def reports(hass: HomeAssistant, tmp_path: Path) -> Path:
    """Home Assistant's config folder in tmp_path; the reports' folder."""
    hass.config.config_dir = str(tmp_path)
    return tmp_path / DOMAIN / "reports"


async def test_names_cannot_collide_nor_be_guessed(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    device: SimulatedDevice,
    reports: Path,
) -> None:
    spaced = await setup_entry(
        hass, provider_entry({PANEL: http_system(device.url)}, "Acme Alarm")
    )
    dashed = await setup_entry(
        hass, provider_entry({"system_gate": http_system(device.url)}, "Acme-Alarm")
    )
    month = {"period": "calendar_month", "month": "2026-10"}
    first = await generate(hass, config_entry_id=spaced.entry_id, **month)
    other = await generate(hass, config_entry_id=dashed.entry_id, **month)

    files = {Path(first["files"]["markdown"]), Path(other["files"]["markdown"])}
    assert len(files) == 2  # (the same name once: the second overwrote the first)
    for response, entry in ((first, spaced), (other, dashed)):
        for kind, suffix in (("html", "html"), ("markdown", "md"), ("csv", "csv")):
            path = Path(response["files"][kind])
            assert path.parent == reports
            # the provider, the period, its entry id and a random token
            assert re.fullmatch(
                rf"acme-alarm-2026-10-{entry.entry_id.lower()}-[0-9a-f]{{16}}\.{suffix}",
                path.name,
            ), path.name
        markdown = text(response["files"]["markdown"])
        assert markdown.startswith(f"# Outage report: {entry.title}\n"), markdown[:80]
    assert len(names(reports)) == 6

    # the same report again: a new name nobody can guess, the old files gone
    again = await generate(hass, config_entry_id=spaced.entry_id, **month)
    assert again["files"]["markdown"] != first["files"]["markdown"]
    assert names(reports) == {
        Path(response["files"][kind]).name
        for response in (again, other)  # the other provider's stay
        for kind in ("html", "markdown", "csv")
    }

    # each name serves its own provider's report
    client = await hass_client()
    for response, entry in ((again, spaced), (other, dashed)):
        name = Path(response["files"]["markdown"]).name
        served = await client.get(f"/api/provider_watch/reports/{name}")
        assert served.status == HTTPStatus.OK
        assert (await served.text()).startswith(f"# Outage report: {entry.title}\n")


@pytest.mark.parametrize(
    ("period", "key"),
    [
        ({"period": "calendar_month", "month": "0000-01"}, "report_month_invalid"),
        ({"period": "calendar_month", "month": "0001-01"}, "report_dates_out_of_range"),
        ({"period": "calendar_month", "month": "9999-12"}, "report_dates_out_of_range"),
        (
            {"period": "custom", "start": "0001-01-01", "end": "0001-01-31"},
            "report_dates_out_of_range",
        ),
        (
            {"period": "custom", "start": "0001-01-01", "end": "2026-11-01"},
            "report_dates_out_of_range",
        ),
        (
            {"period": "custom", "start": "9999-12-01", "end": "9999-12-31"},
            "report_dates_out_of_range",
        ),
    ],
)
async def test_extreme_dates_are_a_clear_error(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device: SimulatedDevice,
    reports: Path,
    period: dict[str, str],
    key: str,
) -> None:
    freezer.move_to(NOW)
    entry = await setup_entry(hass, provider_entry({PANEL: http_system(device.url)}))
    with pytest.raises(ServiceValidationError) as err:
        await generate(hass, config_entry_id=entry.entry_id, **period)
    assert err.value.translation_key == key
    assert "{" not in str(err.value)
    assert names(reports) == set()


@pytest.mark.parametrize("edited", ["outage start", "system added"])
async def test_a_year_one_date_in_a_hand_edited_history(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    device: SimulatedDevice,
    reports: Path,
    edited: str,
) -> None:
    """Someone edited the history file: the panel's outage, or since when it is
    monitored, in year 1."""
    freezer.move_to(NOW)
    entry = provider_entry({PANEL: http_system(device.url)})
    start = NOW - timedelta(days=3)
    history = HistoryData(
        systems={PANEL: SystemInfo(name="Alarm panel", added=NOW - timedelta(days=60))},
        outages=[
            OutageRecord(
                id="edited-1",
                system_id=PANEL,
                system="Alarm panel",
                provider="Acme Alarm",
                start=start,
                end=start + timedelta(hours=1),
                cause="system",
            )
        ],
    ).to_dict()
    year_one = "0001-01-01T00:00:00+00:00"
    if edited == "outage start":
        history["outages"][0]["start"] = year_one
    else:
        history["systems"][PANEL]["added"] = year_one
    key = f"{DOMAIN}.{entry.entry_id}.history"
    hass_storage[key] = {"version": 2, "key": key, "data": history}
    await setup_entry(hass, entry)

    for period in (
        {},
        {"period": "calendar_month", "month": "2026-11"},
        {"period": "custom", "start": date(1970, 1, 1), "end": date(2026, 11, 20)},
    ):
        with pytest.raises(ServiceValidationError) as err:
            await generate(hass, config_entry_id=entry.entry_id, **period)
        assert err.value.translation_key == "report_history_out_of_range"
        assert str(err.value) == (
            "The outage history of Acme Alarm holds a date the report cannot use "
            "(Alarm panel, 0001-01-01); correct or remove it"
        )
    assert names(reports) == set()
