"""The accountability report: its numbers, its files, the service and the button."""

import csv
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from http import HTTPStatus
import io
import json
from pathlib import Path
import re
from typing import Any

from aiohttp import ClientResponse
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_get_persistent_notifications,
)
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.provider_watch.const import (
    CONF_ACCOUNT_CONTACT,
    CONF_FEEDBACK_CONTACT,
    CONF_SUPPORT_PHONE,
    CONF_SUPPORT_URL,
    DOMAIN,
    SUBENTRY_SYSTEM,
)
from custom_components.provider_watch.history.report_service import (
    REPORT_BUTTON,
    _async_user_names,
    async_texts,
    report_window,
)
from custom_components.provider_watch.history.report_view import report_link
from custom_components.provider_watch.logic.figures import Window, calendar_month, days
from custom_components.provider_watch.logic.history_file import HistoryData, SystemInfo
from custom_components.provider_watch.logic.outages import SelfHealMark
from custom_components.provider_watch.logic.report import build_report
from custom_components.provider_watch.logic.report_csv import csv_text
from custom_components.provider_watch.logic.report_html import render_html
from custom_components.provider_watch.logic.report_input import (
    Contacts,
    ReportSystem,
    Texts,
)
from custom_components.provider_watch.logic.report_words import date_range, month_names
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from testkit.report_sample import (
    BERLIN,
    EN_JSON,
    HUB,
    OPTIONS,
    OUTAGES,
    PANEL,
    PROVIDER,
    en_texts,
    local,
    sample_input,
)
from testkit.simulated import SimulatedDevice

from .helpers import advance, http_system, internet_entry, settle, setup_entry
from .loop_watch import calls_of

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_MD = ROOT / "docs/sample-report.md"
SAMPLE_CSV = ROOT / "docs/sample-report.csv"
SAMPLE_HTML = ROOT / "docs/sample-report.html"
EVIDENCE = ROOT / "docs" / "evidence.md"  # shows the sample in full


# --- reading a report back -------------------------------------------------------


def md_tables(markdown: str) -> list[list[dict[str, str]]]:
    """Every Markdown table, as rows keyed by the header cells."""
    tables: list[list[dict[str, str]]] = []
    lines = markdown.splitlines()
    for index, line in enumerate(lines):
        if not line.startswith("| ") or index + 1 >= len(lines):
            continue
        if not lines[index + 1].startswith("| ---"):
            continue
        header = _cells(line)
        rows = []
        for row in lines[index + 2 :]:
            if not row.startswith("| "):
                break
            rows.append(dict(zip(header, _cells(row), strict=True)))
        tables.append(rows)
    return tables


def _cells(line: str) -> list[str]:
    inner = line.strip().removeprefix("| ").removesuffix(" |").replace("\\|", "\0")
    return [cell.replace("\0", "|") for cell in inner.split(" | ")]


def assert_files_match_data(data: dict[str, Any], markdown: str, text: str) -> None:
    """The Markdown and the CSV carry the response's numbers."""
    tables = md_tables(markdown)
    systems, causes = tables[:2]
    outages = tables[2] if len(tables) > 2 else []
    assert [row["System"] for row in systems] == [s["name"] for s in data["systems"]]
    for row, system in zip(systems, data["systems"], strict=True):
        uptime = system["uptime_pct"]
        assert row["Uptime (%)"] == (
            f"{uptime:.2f}" if uptime is not None else "unknown"
        )
        assert int(row["Outages"]) == system["outages"]
        assert float(row["Downtime (min)"]) == system["downtime_min"]
        assert float(row["Longest outage (min)"]) == system["longest_min"]
    assert sum(int(row["Outages"]) for row in causes) == len(data["outages"])
    assert [int(row["Outages"]) for row in causes] == list(data["causes"].values())
    assert len(outages) == len(data["outages"])
    for row, outage in zip(outages, data["outages"], strict=True):
        assert float(row["Minutes"]) == outage["duration_min"]
        assert row["System"] == outage["system"]
    rows = list(csv.DictReader(io.StringIO(text)))
    system_rows = [r for r in rows if r["record"] == "system"]
    outage_rows = [r for r in rows if r["record"] == "outage"]
    for row, system in zip(system_rows, data["systems"], strict=True):
        assert row["system_id"] == system["id"]
        assert float(row["uptime_pct"] or "nan") == pytest.approx(
            system["uptime_pct"] if system["uptime_pct"] is not None else float("nan"),
            nan_ok=True,
        )
        assert int(row["outages"]) == system["outages"]
        assert float(row["downtime_min"]) == system["downtime_min"]
        assert float(row["longest_min"]) == system["longest_min"]
    assert len(outage_rows) == len(data["outages"])
    for row, outage in zip(outage_rows, data["outages"], strict=True):
        assert row["outage_id"] == outage["id"]
        assert row["start"] == outage["start"]
        assert row["end"] == (outage["end"] or "")
        assert float(row["duration_min"]) == outage["duration_min"]
        assert row["cause"] == outage["cause"]
        noticed = outage["noticed_after_s"]
        assert row["noticed_after_min"] == (
            str(round(noticed / 60, 2)) if noticed is not None else ""
        )


# --- the report itself (pure) -----------------------------------------------------


def test_sample_report_known_answers() -> None:
    data = build_report(sample_input(), en_texts()).data
    panel, hub = data["systems"]
    assert panel | {"monitored_since": None} == {
        "id": PANEL,
        "name": "Alarm panel",
        "monitored_since": None,
        "uptime_pct": 98.77,  # 100 * (44700 - 552) / 44700
        "observed_s": 745 * 3600.0,  # October in Berlin has 745 hours
        "outages": 4,
        "downtime_s": 552 * 60.0,
        "downtime_min": 552.0,
        "longest_s": 400 * 60.0,
        "longest_min": 400.0,
    }
    assert hub["observed_s"] == 397 * 3600.0  # from 15 October 12:00
    assert (hub["outages"], hub["downtime_min"], hub["longest_min"]) == (2, 55.0, 30.0)
    assert hub["uptime_pct"] == 99.77
    assert data["causes"] == {
        "provider_cloud": 3,
        "internet": 1,
        "system": 2,
        "auth": 0,
        "unknown": 0,
    }
    # the September outage is not in October's report; the one into November is,
    # with its full times
    assert [o["id"] for o in data["outages"]] == [
        "sample-1",
        "sample-2",
        "sample-5",
        "sample-3",
        "sample-4",
        "sample-6",
    ]
    across_dst = data["outages"][3]
    assert across_dst["start"] == "2026-10-25T01:30:00+02:00"
    assert across_dst["end"] == "2026-10-25T02:20:00+01:00"
    assert across_dst["duration_min"] == 110.0
    assert data["outages"][-1]["duration_min"] == 75.0
    assert data["outages"][0]["acknowledged_by"] == "Alex"
    assert data["noticed"] == {"max_s": 360.0, "average_s": 168.3}
    assert data["period"] == {
        "kind": "calendar_month",
        "start": "2026-10-01T00:00:00+02:00",
        "end": "2026-11-01T00:00:00+01:00",
        "timezone": "Europe/Berlin",
    }
    assert data["provider"]["contacts"] == {
        "support": {
            "phone": "+1 555 0100",
            "url": "https://support.acme.example/tickets",
        },
        "account": "Dana Whitfield, accounts@acme.example",
        "feedback": "product@acme.example",
    }
    assert data["summary"] == (
        "Between 1 and 31 October 2026, Alarm panel, which you monitor for me, was "
        "offline 4 times, 9 h 12 min in total; the longest outage lasted 6 h 40 min. "
        "That is an uptime of 98.77 %. In the same period, Leak sensor hub "
        "(monitored since 15 October) was offline 2 times, 55 min in total; the "
        "longest outage lasted 30 min. That is an uptime of 99.77 %. Causes: your "
        "side (cloud or API) 3, my home internet 1, the system itself 2. Each outage "
        "was noticed within 6 min of its start (2 min on average). Of the outages I "
        "checked, you told me about 1; 3 I only found through my own monitoring."
    )


def test_sample_markdown_and_csv_parse_back_to_the_same_numbers() -> None:
    report = build_report(sample_input(), en_texts())
    assert_files_match_data(report.data, report.markdown, report.csv)
    # the outage across the DST change reads unambiguously
    assert "| 2026-10-25 01:30 CEST | 2026-10-25 02:20 CET | 1 h 50 min |" in (
        report.markdown
    )
    assert "- **Account / sales**: Dana Whitfield, accounts@acme.example" in (
        report.markdown
    )


def test_sample_files_and_readme_are_current() -> None:
    """docs/ (the sample files and the evidence page) show what the code writes.

    Regenerate them with: python -m scripts.devtools.sample_report
    """
    report = build_report(sample_input(), en_texts())
    assert SAMPLE_MD.read_text(encoding="utf-8") == report.markdown
    assert SAMPLE_CSV.read_text(encoding="utf-8") == report.csv
    assert SAMPLE_HTML.read_text(encoding="utf-8") == report.html
    assert f"```markdown\n{report.markdown}```" in EVIDENCE.read_text(encoding="utf-8")


def test_quiet_new_and_single_outage_systems() -> None:
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    window = Window(start=now - timedelta(days=30), end=now)
    one = OUTAGES[0]
    sample = replace(
        sample_input(),
        period="last_30_days",
        window=window,
        now=now,
        contacts=Contacts(),
        systems=[
            ReportSystem(id="quiet", name="Gate | side", added=None),
            ReportSystem(id="new", name="New hub", added=now),
            ReportSystem(id="once", name="=Panel", added=now - timedelta(days=60)),
        ],
        outages=[
            replace(
                one,
                system_id="once",
                system="=Panel",
                start=now - timedelta(hours=3),
                end=None,
                detected_at=None,
                cause="something new",
                acknowledged_by="user-unknown",
                acknowledged_at=now - timedelta(hours=2),
                detected_reason="-1 from the API",
            ),
        ],
    )
    report = build_report(sample, en_texts())
    data = report.data
    assert data["summary"] == (
        "Between 27 October and 26 November 2026, Gate | side, which you monitor "
        "for me, was not offline at all. That is an uptime of 100.00 %. In the same "
        "period, New hub (monitored since 26 November) was not monitored yet. In the "
        "same period, =Panel was offline once, for 3 h. That is an uptime of "
        "99.58 %. Causes: undetermined 1."
    )
    ongoing = data["outages"][0]
    assert ongoing["ongoing"] is True
    assert ongoing["end"] is None
    assert ongoing["duration_min"] == 180.0
    assert ongoing["cause"] == "unknown"  # a cause this version does not know
    assert ongoing["acknowledged_by"] == "user-unknown"  # no such user: the id
    assert_files_match_data(data, report.markdown, report.csv)
    markdown = report.markdown
    assert "| Gate \\| side |" in markdown
    assert "| New hub | 2026-11-26 13:00 CET | unknown | 0 | 0.00 | 0.00 |" in markdown
    assert "| ongoing | 3 h | 180.00 | Undetermined | — |" in markdown
    assert "by user-unknown" in markdown
    assert "- **Support**: not given" in markdown
    # not whole days: the period line has times
    assert "2026-10-27 13:00 CET to 2026-11-26 13:00 CET (Europe/Berlin)" in markdown
    # a spreadsheet never runs a name or a provider's text as a formula
    rows = list(csv.DictReader(io.StringIO(report.csv)))
    assert rows[2]["system"] == "'=Panel"
    assert rows[3]["system"] == "'=Panel"
    assert rows[3]["detected_reason"] == "'-1 from the API"
    assert csv_text(None) is None
    assert csv_text("Alarm") == "Alarm"


def test_no_outages_at_all() -> None:
    sample = replace(sample_input(), outages=[])
    report = build_report(sample, en_texts())
    assert report.data["outages"] == []
    assert "No outages in this period." in report.markdown
    assert "Causes" not in report.data["summary"]
    assert_files_match_data(report.data, report.markdown, report.csv)


def test_a_self_healed_outage_says_so() -> None:
    healed = SelfHealMark(
        tried=[{"at": "2026-10-03T14:05:00+02:00", "action": "power_cycle"}],
        healed=True,
    )
    outages = [replace(OUTAGES[0], self_heal=healed), *OUTAGES[1:]]
    report = build_report(replace(sample_input(), outages=outages), en_texts())
    first = next(o for o in report.data["outages"] if o["id"] == OUTAGES[0].id)
    assert first["self_healed"] is True
    assert sum(o["self_healed"] for o in report.data["outages"]) == 1
    assert report.markdown.count("(self-healed)") == 1


def test_outages_without_detection_times_leave_out_the_noticed_sentence() -> None:
    outages = [replace(o, detected_at=None) for o in OUTAGES]
    data = build_report(replace(sample_input(), outages=outages), en_texts()).data
    assert "noticed" not in data["summary"]
    assert data["noticed"] == {"max_s": None, "average_s": None}


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (date(2026, 10, 1), date(2026, 10, 31), ("1", "31 October 2026")),
        (date(2026, 10, 27), date(2026, 11, 26), ("27 October", "26 November 2026")),
        (
            date(2025, 12, 15),
            date(2026, 1, 13),
            ("15 December 2025", "13 January 2026"),
        ),
    ],
)
def test_date_range(first: date, last: date, expected: tuple[str, str]) -> None:
    assert date_range(first, last, month_names(en_texts())) == expected


def _texts(language: str) -> Texts:
    path = EN_JSON.with_name(f"{language}.json")
    strings = json.loads(path.read_text(encoding="utf-8"))["exceptions"]
    return lambda key, **values: str(strings[key]["message"]).format(**values)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", "1. und 31. Oktober 2026"),
        ("es", "el 1 y el 31 de octubre de 2026"),
        ("fr", "le 1 et le 31 octobre 2026"),
    ],
)
def test_summary_dates_as_the_language_writes_them(
    language: str, expected: str
) -> None:
    """Home Assistant in German: the summary says '1. und 31. Oktober 2026'."""
    report = replace(sample_input(), language=language)
    assert expected in build_report(report, _texts(language)).data["summary"]


def test_broken_month_names_fall_back_to_numbers() -> None:
    assert month_names(lambda _key, **_: "Jan,Feb")[9] == "10"


# --- the service action (real Home Assistant, real history) -----------------------


def sample_entry(device: SimulatedDevice) -> MockConfigEntry:
    """The sample provider, with both systems checked over HTTP on 127.0.0.1."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=PROVIDER,
        data={
            "name": PROVIDER,
            CONF_SUPPORT_PHONE: "+1 555 0100",
            CONF_SUPPORT_URL: "https://support.acme.example/tickets",
            CONF_ACCOUNT_CONTACT: "Dana Whitfield, accounts@acme.example",
            CONF_FEEDBACK_CONTACT: "product@acme.example",
        },
        options=OPTIONS,
        subentries_data=[
            ConfigSubentryData(
                data=http_system(device.url),
                subentry_id=system_id,
                subentry_type=SUBENTRY_SYSTEM,
                title=title,
                unique_id=None,
            )
            for system_id, title in ((PANEL, "Alarm panel"), (HUB, "Leak sensor hub"))
        ],
    )


@pytest.fixture
async def reports_home(hass: HomeAssistant, tmp_path: Path) -> Path:
    """Home Assistant's config folder in tmp_path, in Berlin."""
    hass.config.config_dir = str(tmp_path)
    await hass.config.async_set_time_zone("Europe/Berlin")
    return tmp_path


def named(path: str | Path, entry: MockConfigEntry, start: str, suffix: str) -> bool:
    """A report file's name: provider and period, entry id, a random token."""
    key = entry.entry_id.lower()
    return bool(
        re.fullmatch(rf"{start}-{key}-[0-9a-f]{{16}}\.{suffix}", Path(path).name)
    )


async def setup_sample(
    hass: HomeAssistant, hass_storage: dict[str, Any], device: SimulatedDevice
) -> MockConfigEntry:
    """The sample provider with the sample's outages in its (real) history."""
    alex = await hass.auth.async_create_user("Alex")
    sam = await hass.auth.async_create_user("Sam")
    users = {"user-alex": alex.id, "user-sam": sam.id}
    sample = sample_input()
    history = HistoryData(
        systems={s.id: SystemInfo(name=s.name, added=s.added) for s in sample.systems},
        outages=[
            replace(o, acknowledged_by=users.get(o.acknowledged_by or ""))
            for o in OUTAGES
        ],
    )
    entry = sample_entry(device)
    key = f"provider_watch.{entry.entry_id}.history"
    hass_storage[key] = {"version": 2, "key": key, "data": history.to_dict()}
    return await setup_entry(hass, entry)


def read(path: str) -> str:
    """A report file's text."""
    return Path(path).read_text(encoding="utf-8")


async def generate(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN, "generate_report", data, blocking=True, return_response=True
    )
    assert isinstance(response, dict)
    return response


async def test_service_writes_the_sample_report(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    device: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
    reports_home: Path,
) -> None:
    """The live service, over the fixture history, writes exactly docs/' sample."""
    freezer.move_to(local(11, 2, 9, 0))
    entry = await setup_sample(hass, hass_storage, device)
    with calls_of(render_html) as drawn:
        data = await generate(
            hass,
            config_entry_id=entry.entry_id,
            period="calendar_month",
            month="2026-10",
        )
    # the page is drawn once, in the executor: a long history never holds the loop
    assert len(drawn.threads) == 1
    assert drawn.in_loop == 0
    folder = reports_home / "provider_watch/reports"
    markdown = folder / Path(data["files"]["markdown"]).name
    table = folder / f"{markdown.stem}.csv"
    page = folder / f"{markdown.stem}.html"
    assert named(markdown, entry, "acme-alarm-monitoring-2026-10", "md")
    assert data["files"] == {
        "html": str(page),
        "markdown": str(markdown),
        "csv": str(table),
    }
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        p.name for p in (page, markdown, table)
    )
    sample = build_report(sample_input(), en_texts())
    assert markdown.read_text(encoding="utf-8") == sample.markdown
    # the page a person reads or prints: exactly docs/sample-report.html
    assert page.read_text(encoding="utf-8") == sample.html
    # the message to the provider's account contact, ready for a notify service
    assert data["message"] == sample.data["message"]
    assert data["message"]["to"] == "accounts@acme.example"
    assert data["message"]["subject"].startswith("Acme Alarm Monitoring: outages")
    assert "will you alert me when one of them" in data["message"]["body"]
    # called by an automation (no administrator's session): no links
    assert "links" not in data
    assert data["summary"] == sample.data["summary"]
    assert data["provider"]["id"] == entry.entry_id
    # the CSV has the real user ids' names too, so it equals the sample's
    assert table.read_text(encoding="utf-8") == sample.csv
    assert_files_match_data(
        data, markdown.read_text(encoding="utf-8"), table.read_text(encoding="utf-8")
    )


async def test_report_in_home_assistants_language(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    device: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
    reports_home: Path,
) -> None:
    """Home Assistant in German: the page writes numbers, money and dates as German
    does (whatever words the translations have)."""
    freezer.move_to(local(11, 2, 9, 0))
    hass.config.language = "de"
    entry = await setup_sample(hass, hass_storage, device)
    data = await generate(
        hass, config_entry_id=entry.entry_id, period="calendar_month", month="2026-10"
    )
    html = read(data["files"]["html"])
    assert '<html lang="de">' in html
    assert "39,90\u00a0€" in html  # the monthly fee
    assert "€39.90" not in html
    assert "98,77 %" in html  # the alarm panel's uptime
    assert "98.77" not in html
    assert "31. October 2026" in html or "31. Oktober 2026" in html
    # the message for the provider, and the summary, in the same format
    assert "39,90\u00a0€" in data["message"]["body"]
    assert "98,77 %" in data["summary"]
    # the Markdown and CSV stay what they are (machine-readable numbers)
    assert "| 98.77 |" in read(data["files"]["markdown"])


async def test_service_periods(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    device: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
    reports_home: Path,
) -> None:
    freezer.move_to(local(11, 2, 9, 0))
    entry = await setup_sample(hass, hass_storage, device)
    # calendar month without a month: the last complete one (October)
    data = await generate(hass, config_entry_id=entry.entry_id, period="calendar_month")
    assert data["period"]["start"] == "2026-10-01T00:00:00+02:00"
    assert named(
        data["files"]["markdown"], entry, "acme-alarm-monitoring-2026-10", "md"
    )
    # the default: the last 30 days (3 October 09:00 to now)
    data = await generate(hass, config_entry_id=entry.entry_id)
    assert data["period"]["kind"] == "last_30_days"
    assert named(
        data["files"]["csv"],
        entry,
        "acme-alarm-monitoring-last-30-days-2026-11-02",
        "csv",
    )
    assert [o["id"] for o in data["outages"]] == [
        "sample-2",
        "sample-5",
        "sample-3",
        "sample-4",
        "sample-6",
    ]
    # custom: 25 October only (25 hours: the clocks went back)
    data = await generate(
        hass,
        config_entry_id=entry.entry_id,
        period="custom",
        start="2026-10-25",
        end="2026-10-25",
    )
    assert [o["id"] for o in data["outages"]] == ["sample-3"]
    panel = data["systems"][0]
    assert panel["observed_s"] == 25 * 3600
    assert panel["downtime_min"] == 110.0
    assert named(
        data["files"]["markdown"],
        entry,
        "acme-alarm-monitoring-2026-10-25-to-2026-10-25",
        "md",
    )


@pytest.mark.parametrize(
    ("call", "key"),
    [
        ({"period": "calendar_month", "month": "October"}, "report_month_invalid"),
        ({"period": "calendar_month", "month": "2026-13"}, "report_month_invalid"),
        ({"period": "custom", "start": "2026-10-01"}, "report_range_invalid"),
        (
            {"period": "custom", "start": "2026-10-02", "end": "2026-10-01"},
            "report_range_invalid",
        ),
        ({"config_entry_id": "nope"}, "unknown_provider"),
        ({"config_entry_id": "internet"}, "unknown_provider"),
    ],
)
async def test_service_refuses_bad_calls(
    hass: HomeAssistant,
    device: SimulatedDevice,
    reports_home: Path,
    call: dict[str, Any],
    key: str,
) -> None:
    entry = await setup_entry(hass, sample_entry(device))
    internet = await setup_entry(hass, internet_entry(f"127.0.0.1:{device.port}"))
    ids = {"internet": internet.entry_id}
    data = {"config_entry_id": entry.entry_id} | call
    data["config_entry_id"] = ids.get(data["config_entry_id"], data["config_entry_id"])
    with pytest.raises(ServiceValidationError) as err:
        await generate(hass, **data)
    assert err.value.translation_key == key
    assert not (reports_home / "provider_watch").exists()


async def test_words_and_names_that_do_not_fit(
    hass: HomeAssistant, device: SimulatedDevice
) -> None:
    await setup_entry(hass, sample_entry(device))
    texts = await async_texts(hass)
    # a template whose placeholders are missing is shown as it is
    assert texts("report_title") == "Outage report: {provider}"
    assert texts("no_such_text") == "no_such_text"
    alex = await hass.auth.async_create_user("Alex")
    nameless = await hass.auth.async_create_user(None)
    assert await _async_user_names(hass, {alex.id, nameless.id, "ghost"}) == {
        alex.id: "Alex"
    }


def test_report_window_labels() -> None:
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    assert report_window("calendar_month", now, BERLIN, month=" 2026-02 ") == (
        calendar_month(2026, 2, BERLIN),
        "2026-02",
    )
    assert report_window(
        "custom", now, BERLIN, start=date(2026, 1, 1), end=date(2026, 1, 31)
    ) == (days(date(2026, 1, 1), date(2026, 1, 31), BERLIN), "2026-01-01-to-2026-01-31")


# --- a real outage, the button, and the signed links -------------------------------


async def assert_served_page(response: ClientResponse, page: Path) -> None:
    """The HTML report as served: its file, as HTML, sandboxed (no script runs)."""
    assert response.status == HTTPStatus.OK
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "script-src" not in policy
    assert "sandbox" in policy
    html = await response.text()
    assert html == read(str(page))
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "<title>Outage report: Acme Alarm Monitoring</title>" in html


async def test_button_reports_a_real_outage_and_links_to_the_files(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    hass_ws_client: WebSocketGenerator,
    hass_access_token: str,
    hass_admin_user: MockUser,
    device: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
    reports_home: Path,
) -> None:
    freezer.move_to(datetime(2026, 11, 20, 12, 0, tzinfo=UTC))
    entry = await setup_entry(hass, sample_entry(device))
    await device.stop()
    await advance(hass, freezer, 30, 5, 5)  # both systems offline (first failure +30)
    await advance(hass, freezer, 600)
    assert REPORT_BUTTON.key == "generate_report"
    # pressed by an administrator in the frontend: the links are signed for them
    button = er.async_get(hass).async_get_entity_id(
        "button", DOMAIN, f"{entry.entry_id}_{REPORT_BUTTON.key}"
    )
    session = next(iter(hass_admin_user.refresh_tokens.values()))
    token = hass.auth.async_create_access_token(session)  # at the frozen time
    frontend = await hass_ws_client(hass, token)
    await frontend.send_json_auto_id(
        {
            "type": "call_service",
            "domain": "button",
            "service": "press",
            "target": {"entity_id": button},
        }
    )
    assert (await frontend.receive_json())["success"]
    await frontend.close()
    await settle(hass)

    note = async_get_persistent_notifications(hass)[
        f"provider_watch_report_{entry.entry_id}"
    ]
    assert note["title"] == f"Outage report for {PROVIDER}"
    folder = reports_home / "provider_watch/reports"
    (markdown,) = folder.glob("*.md")
    assert named(markdown, entry, "acme-alarm-monitoring-last-30-days-2026-11-20", "md")
    message = note["message"]
    # monitored for 640 s, offline for the last 610 s; no internet check: the
    # cause is undetermined
    assert message.startswith(
        "Between 21 October and 20 November 2026, Alarm panel (monitored since 20 "
        "November), which you monitor for me, was offline once, for 10 min. That is "
        "an uptime of 4.69 %. In the same period, Leak sensor hub (monitored since "
        "20 November) was offline once, for 10 min. That is an uptime of 4.69 %. "
        "Causes: undetermined 2. Each outage was noticed within 10 s of its start "
        "(10 s on average).\n\n"
    )
    assert f"`{markdown}`" in message
    text = markdown.read_text(encoding="utf-8")
    assert "| ongoing | 10 min | 10.17 |" in text  # 610 s since the first failure

    page = markdown.with_suffix(".html")
    assert f"Saved as `{page}`, `{markdown}`" in message
    links = [part.split(")")[0] for part in message.split("](")[1:]]
    assert [link.split("?")[0] for link in links] == [
        f"/api/provider_watch/reports/{page.name}",
        f"/api/provider_watch/reports/{markdown.name}",
        f"/api/provider_watch/reports/{markdown.with_suffix('.csv').name}",
    ]
    client = await hass_client_no_auth()
    # the page to read or print: HTML, which the browser may not run scripts in
    await assert_served_page(await client.get(links[0]), page)
    response = await client.get(links[1])
    assert response.status == HTTPStatus.OK
    assert response.headers["Content-Type"].startswith("text/markdown")
    assert await response.text() == text
    response = await client.get(links[2])
    assert response.status == HTTPStatus.OK
    assert (await response.text()).startswith("record,system_id,")
    # without the signature, or for anything but a report: nothing
    for link in links:
        response = await client.get(link.split("?")[0])
        assert response.status == HTTPStatus.UNAUTHORIZED
    for name in ("missing.md", "notes.txt", ".hidden.md", "Report.MD", "a.htm"):
        response = await client.get(report_link(hass, Path(name), session.id))
        assert response.status == HTTPStatus.NOT_FOUND, name
    # a way out of the folder never reaches a file
    response = await client.get(
        report_link(hass, Path("..%2F.storage%2Fauth.md"), session.id)
    )
    assert response.status == HTTPStatus.NOT_FOUND
