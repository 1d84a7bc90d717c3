"""The report's fixture data: one provider, two systems, October 2026 in Berlin.

Used by tests/test_report.py and by scripts/devtools/sample_report.py, which writes
docs/sample-report.md (shown in docs/evidence.md). Known answers:

- Alarm panel (monitored since 1 September): 4 outages, 9 h 12 min (552 min) in
  total, the longest 6 h 40 min; October has 745 hours (the clocks go back on the
  25th), so its uptime is 100 * (44700 - 552) / 44700 = 98.77 %. One outage spans
  the DST change: 01:30 CEST to 02:20 CET is 1 h 50 min.
- Leak sensor hub (monitored from 15 October 12:00): 397 hours observed; 25 min
  down on the 20th and, of the outage from 31 October 23:30 to 1 November 00:45,
  30 min inside October: 55 min, 99.77 %.
- Causes: 3 on the provider's side, 1 the home's internet, 2 the system.
- Did the provider tell you: yes for the leak hub's cloud outage (sample-5), no for
  sample-2, -4 and -6 (found only by Provider Watch), not answered for sample-1;
  sample-3 (the home's internet) is not the provider's to tell and not counted.
- What it cost: 39.90 EUR a month. 607 system-minutes down (552 + 55) of 1142
  system-hours monitored (745 + 397), an offline share of 36420 / 4111200 s =
  0.8859 %; October is paid in full, so the downtime was worth 39.90 * 0.008859 =
  0.35 EUR. The contract renews on 15 January 2027 (after the report: mentioned).
"""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
import json
from pathlib import Path
from zoneinfo import ZoneInfo

from custom_components.provider_watch.logic.cost import Contract
from custom_components.provider_watch.logic.figures import Window, calendar_month
from custom_components.provider_watch.logic.outages import OutageRecord
from custom_components.provider_watch.logic.report_input import (
    Contacts,
    ReportInput,
    ReportSystem,
    Texts,
)

EN_JSON = (
    Path(__file__).resolve().parents[1]
    / "custom_components/provider_watch/translations/en.json"
)
BERLIN = ZoneInfo("Europe/Berlin")
PANEL = "system_alarm_panel"
HUB = "system_leak_hub"
PROVIDER = "Acme Alarm Monitoring"
CONTRACT = Contract(monthly_fee=39.9, currency="EUR", renews=date(2027, 1, 15))
# the same contract as the provider's options (the live service's sample entry)
OPTIONS = {"monthly_fee": 39.9, "currency": "EUR", "renewal_date": "2027-01-15"}


def local(
    month: int, day: int, hour: int, minute: int, second: int = 0, fold: int = 0
) -> datetime:
    """A Berlin wall-clock time in 2026, as UTC."""
    return datetime(
        2026, month, day, hour, minute, second, fold=fold, tzinfo=BERLIN
    ).astimezone(UTC)


def record(
    number: int,
    system_id: str,
    start: datetime,
    end: datetime | None,
    cause: str,
    *,
    noticed: float | None,
    kind: str,
    reason: str,
    alert: float | None = None,
    ack: float | None = None,
    by: str | None = None,
    told: bool | None = None,
    note: str | None = None,
) -> OutageRecord:
    """An outage; noticed/alert/ack are seconds after the start.

    told: the owner's answer to "did the provider tell you?" (a day after the start).
    """

    def after(seconds: float | None) -> datetime | None:
        return None if seconds is None else start + timedelta(seconds=seconds)

    return OutageRecord(
        id=f"sample-{number}",
        system_id=system_id,
        system="Alarm panel" if system_id == PANEL else "Leak sensor hub",
        provider=PROVIDER,
        start=start,
        end=end,
        cause=cause,
        detected_at=after(noticed),
        detected_kind=kind,
        detected_reason=reason,
        alert_sent=after(alert),
        acknowledged_at=after(ack),
        acknowledged_by=by,
        provider_told=told,
        answered_at=None if told is None else after(86400),
        answered_by=None if told is None else by,
        answered_via=None if told is None else "phone",
        notice_note=note,
    )


OUTAGES = (
    record(
        1,
        PANEL,
        local(10, 3, 8, 10),
        local(10, 3, 8, 40),
        "provider_cloud",
        noticed=95,
        kind="cloud",
        reason="HTTP 503",
        alert=100,
        ack=600,
        by="user-alex",
    ),
    record(
        2,
        PANEL,
        local(10, 12, 22, 5),
        local(10, 13, 4, 45),
        "system",
        noticed=150,
        kind="cloud",
        reason="online is false",
        alert=155,
        ack=4200,
        by="user-alex",
        told=False,
        note="Support knew nothing of it the next morning",
    ),
    record(
        3,
        PANEL,
        local(10, 25, 1, 30),  # CEST
        local(10, 25, 2, 20, fold=1),  # CET: 1 h 50 min later
        "internet",
        noticed=60,
        kind="cloud",
        reason="timeout after 10 s",
    ),
    record(
        4,
        PANEL,
        local(10, 30, 14, 0),
        local(10, 30, 14, 12),
        "provider_cloud",
        noticed=45,
        kind="cloud",
        reason="connection refused",
        alert=50,
        told=False,
    ),
    record(
        5,
        HUB,
        local(10, 20, 9, 0),
        local(10, 20, 9, 25),
        "provider_cloud",
        noticed=300,
        kind="heartbeat",
        reason="no heartbeat for 6 min",
        alert=305,
        ack=900,
        by="user-sam",
        told=True,
        note="SMS from Acme at 09:20",
    ),
    record(
        6,
        HUB,
        local(10, 31, 23, 30),
        local(11, 1, 0, 45),
        "system",
        noticed=360,
        kind="heartbeat",
        reason="no heartbeat for 6 min",
        alert=365,
        told=False,
    ),
    # outside October: not in the report
    record(
        7,
        PANEL,
        local(9, 20, 10, 0),
        local(9, 20, 11, 0),
        "system",
        noticed=60,
        kind="cloud",
        reason="online is false",
    ),
)


def sample_input() -> ReportInput:
    """The October 2026 report of the sample provider, generated on 2 November."""
    return ReportInput(
        provider=PROVIDER,
        provider_id="01JSAMPLEPROVIDER",
        contacts=Contacts(
            support_phone="+1 555 0100",
            support_url="https://support.acme.example/tickets",
            account="Dana Whitfield, accounts@acme.example",
            feedback="product@acme.example",
        ),
        period="calendar_month",
        window=calendar_month(2026, 10, BERLIN),
        zone=BERLIN,
        zone_name="Europe/Berlin",
        now=local(11, 2, 9, 0),
        systems=[
            ReportSystem(id=PANEL, name="Alarm panel", added=local(9, 1, 12, 0)),
            ReportSystem(id=HUB, name="Leak sensor hub", added=local(10, 15, 12, 0)),
        ],
        outages=OUTAGES,
        users={"user-alex": "Alex", "user-sam": "Sam"},
        contract=CONTRACT,
    )


def long_history_input(days: int = 400, outages: int = 2000) -> ReportInput:
    """The sample's two systems over `days` (the history's limit), `outages` outages.

    The size and speed check of the HTML report (tests/logic/test_report_html.py,
    scripts/devtools/bench_report.py): outages of 5 to 94 minutes every few hours,
    with real-length IDs, alternating between the systems.
    """
    base = sample_input()
    end = local(11, 1, 0, 0)
    window = Window(start=end - timedelta(days=days), end=end)
    step = window.seconds / outages
    records = []
    for n in range(outages):
        start = window.start + timedelta(seconds=step * n)
        records.append(
            replace(
                OUTAGES[n % 6],
                id=f"01JB2Q8ZK4W0A6M3R5T7V9{n:04d}",
                system_id=base.systems[n % 2].id,
                start=start,
                end=start + timedelta(minutes=5 + n % 90),
                detected_at=start + timedelta(seconds=60),
            )
        )
    return replace(
        base,
        period="custom",
        window=window,
        systems=[replace(s, added=window.start) for s in base.systems],
        outages=records,
    )


def en_texts() -> Texts:
    """The report's words from translations/en.json, as Home Assistant fills them."""
    strings = json.loads(EN_JSON.read_text(encoding="utf-8"))["exceptions"]

    def texts(key: str, **placeholders: str) -> str:
        return str(strings[key]["message"]).format(**placeholders)

    return texts
