"""The fault catalogue's HTML-report cases (issue 17): real outages, real history.

Each case breaks something on the bench (bench.py: a real Home Assistant, two phones,
the device on 127.0.0.1, the frozen clock), then writes the HTML report and the
message to the provider from the provider's real outage history, the way the report
service gathers it, and ends with `bench.verify` (no unhandled exception, one
offline per outage, one alert per outage and phone, a record for every outage, a log
line). What each case adds: the outage the bench saw is the one the page shows.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser
import logging
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.provider_watch.logic.figures import last
from custom_components.provider_watch.logic.report import Report, build_report
from custom_components.provider_watch.logic.report_input import (
    Contacts,
    ReportInput,
    ReportSystem,
)
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from testkit.report_sample import en_texts

from ..helpers import provider_entry, setup_entry
from .bench import PANEL, Bench, http_data
from .servers import FaultyDevice

HOSTILE = "<script>alert(\"pw\")</script> & 'Co'"


def html_report(b: Bench, language: str = "en") -> Report:
    """The last 30 days of the bench's provider, from its real outage history."""
    assert b.entry is not None
    runtime = b.entry.runtime_data
    now = dt_util.utcnow()
    window = last(timedelta(days=30), now)
    outages = runtime.history.between(window.start, window.end, runtime.systems)
    contacts = runtime.settings.contacts
    return build_report(
        ReportInput(
            provider=b.entry.title,
            provider_id=b.entry.entry_id,
            contacts=Contacts(
                support_phone=contacts.support_phone,
                support_url=contacts.support_url,
                account=contacts.account,
                feedback=contacts.feedback,
            ),
            period="last_30_days",
            window=window,
            zone=dt_util.get_default_time_zone(),
            zone_name=b.hass.config.time_zone,
            now=now,
            systems=[
                ReportSystem(
                    id=system_id,
                    name=system.subentry.title,
                    added=runtime.history.added(system_id),
                )
                for system_id, system in runtime.systems.items()
            ],
            outages=outages,
            contract=runtime.settings.contract,
            language=language,
        ),
        en_texts(),
    )


class Tags(HTMLParser):
    """The tags and attributes of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.attrs: list[tuple[str, str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attrs += [(tag, name, value) for name, value in attrs]


def assert_self_contained(html: str) -> None:
    """No script, no handler, nothing fetched."""
    tags = Tags()
    tags.feed(html)
    assert "<script" not in html.lower()
    for tag, name, value in tags.attrs:
        assert tag not in {"script", "img", "link", "iframe", "object"}, tag
        assert name not in {"src", "href"}, (tag, name)
        assert not name.startswith("on"), (tag, name)
        assert "http" not in (value or ""), (tag, name)


async def outage_then_back(b: Bench, device: FaultyDevice) -> None:
    """The device stops: offline after three failures; it comes back."""
    await device.stop()
    await b.advance(30, 5, 5)
    assert b.shown()[0] == "off"
    await b.advance(30, 30, 30, 60, 300)
    await device.start()
    await b.advance(30, 5)
    assert b.shown()[0] == "on"


@dataclass(frozen=True)
class Case:
    run: Callable[[Bench, FaultyDevice], Awaitable[None]]


CASES: dict[str, Case] = {}


def fault(name: str) -> Callable[..., Any]:
    def register(run: Callable[[Bench, FaultyDevice], Awaitable[None]]) -> Any:
        CASES[name] = Case(run)
        return run

    return register


@fault("html_report_shows_the_real_outage")
async def real_outage(b: Bench, device: FaultyDevice) -> None:
    await b.provider({PANEL: http_data(device.url)})
    await outage_then_back(b, device)
    record = b.records()[0]
    report = html_report(b)
    html = report.html
    assert_self_contained(html)
    assert f"<tr><td>{record['id']}</td><td>Alarm panel</td>" in html
    assert report.data["outages"][0]["id"] == record["id"]
    minutes = int(record["duration"] // 60)
    assert f"1 outage, {minutes} min offline, you were told about 0" in html
    assert "offline (" in html  # today's bar says how much of the day was offline
    assert html.count("<title>") >= 30 + 1  # a bar a day (31 local days) + outage
    # the bench's provider stores only a support phone: never the message's address
    message = report.data["message"]
    assert message["to"] is None
    assert "+1 555 0100" not in message["body"]
    assert "No account or product contact is stored" in html
    b.verify(offline=1, online=1, log="is offline", log_level=logging.WARNING)


@fault("html_report_escapes_hostile_names")
async def hostile_names(b: Bench, device: FaultyDevice) -> None:
    entry: MockConfigEntry = provider_entry(
        {PANEL: http_data(device.url)},
        title=f"Acme {HOSTILE}",
        options={"phones": [phone.device_id for phone in b.phones]},
    )
    b.entry = await setup_entry(b.hass, entry)
    subentry = next(iter(entry.subentries.values()))
    b.hass.config_entries.async_update_subentry(
        entry, subentry, title=f"Panel {HOSTILE}"
    )
    await outage_then_back(b, device)
    html = html_report(b, language="de").html
    assert_self_contained(html)
    assert '<html lang="de">' in html
    escaped = "&lt;script&gt;alert(&quot;pw&quot;)&lt;/script&gt; &amp; &#x27;Co&#x27;"
    assert f"<h1>Outage report: Acme {escaped}</h1>" in html
    assert f"Panel {escaped}" in html
    b.verify(offline=1, online=1, log="is offline", log_level=logging.WARNING)


@pytest.mark.parametrize("case", [pytest.param(c, id=n) for n, c in CASES.items()])
async def test_fault(
    case: Case,
    request: pytest.FixtureRequest,
    make_bench: Callable[..., Awaitable[Bench]],
    faulty_device: FaultyDevice,
    hass: HomeAssistant,
) -> None:
    bench = await make_bench(request.getfixturevalue("freezer"))
    await case.run(bench, faulty_device)
