"""The accountability report: data, Markdown and CSV. Pure: no Home Assistant.

Besides uptime and outages it weighs the downtime against the fee ("What you paid
for vs what you got", see core/cost.py for the arithmetic) and shows, for each
outage, whether the provider told the owner about it.

The words come from translations/en.json (the "exceptions" table holds the report's
templates, like the alerts' words), passed in as `texts(key, **placeholders)`.
CSV column names are fixed identifiers, not words: spreadsheets and scripts rely
on them.
"""

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
import csv
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
import io
from typing import Any

from .cause import Cause
from .cost import Contract, Cost, Timeline, cost
from .figures import Figures, Window, figures
from .outages import OutageRecord, notice_counts
from .text import format_duration

type Texts = Callable[..., str]  # (key, **placeholders) -> words

CSV_COLUMNS = (
    "record",  # "system" or "outage"
    "system_id",
    "system",
    "monitored_since",
    "uptime_pct",
    "outages",
    "downtime_min",
    "longest_min",
    "outage_id",
    "start",
    "end",
    "duration_min",
    "cause",
    "detected_at",
    "noticed_after_min",
    "detected_kind",
    "detected_reason",
    "alert_sent",
    "acknowledged_at",
    "acknowledged_by",
    "provider_told",  # yes, no, or blank (not answered)
    "provider_note",
)
# the provider's side first: that is what the report is for
CAUSES = (
    Cause.PROVIDER_CLOUD.value,
    Cause.INTERNET.value,
    Cause.SYSTEM.value,
    Cause.AUTH.value,
    Cause.UNKNOWN.value,
)


@dataclass(frozen=True, kw_only=True)
class Contacts:
    """The provider's contacts, by who they are for."""

    support_phone: str | None = None
    support_url: str | None = None
    account: str | None = None
    feedback: str | None = None


@dataclass(frozen=True, kw_only=True)
class ReportSystem:
    """A system in the report."""

    id: str
    name: str
    added: datetime | None


@dataclass(frozen=True, kw_only=True)
class ReportInput:
    """Everything a report is made of."""

    provider: str
    provider_id: str
    contacts: Contacts
    period: str  # last_30_days, calendar_month or custom
    window: Window  # the period asked for: [start, end)
    zone: tzinfo
    zone_name: str
    now: datetime
    systems: Sequence[ReportSystem]
    outages: Sequence[OutageRecord]  # the provider's outages (any period)
    users: Mapping[str, str] = field(default_factory=dict)  # user id -> name
    contract: Contract = field(default_factory=Contract)


@dataclass(frozen=True, kw_only=True)
class Report:
    """A report: the service's response data, and the two files' contents."""

    data: dict[str, Any]
    markdown: str
    csv: str


def minutes(seconds: float | None) -> float | None:
    """Seconds as minutes, to 2 decimals (None stays None)."""
    return None if seconds is None else round(seconds / 60, 2)


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _money(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def build_report(report: ReportInput, texts: Texts) -> Report:
    """Compute the report's figures and write its Markdown and CSV."""
    data = report_data(report, texts)
    return Report(
        data=data,
        markdown=render_markdown(data, report, texts),
        csv=render_csv(data),
    )


# --- data ----------------------------------------------------------------------


def report_data(report: ReportInput, texts: Texts) -> dict[str, Any]:
    """The report as JSON-friendly data (the service's response)."""
    window, now, zone = report.window, report.now, report.zone
    end = min(window.end, now)
    ids = {s.id for s in report.systems}
    listed = [
        r
        for r in sorted(report.outages, key=lambda r: r.start)
        if r.system_id in ids
        and r.start < end
        and (r.end is None or r.end > window.start)
    ]
    systems = []
    per_system: dict[str, Figures] = {}
    for system in report.systems:
        result = figures(
            [r.interval for r in report.outages if r.system_id == system.id],
            window,
            added=system.added,
            now=now,
        )
        per_system[system.id] = result
        uptime = result.uptime
        systems.append(
            {
                "id": system.id,
                "name": system.name,
                "monitored_since": _local(system.added, zone),
                "uptime_pct": round(uptime, 2) if uptime is not None else None,
                "observed_s": _seconds(result.observed),
                "outages": result.outages,
                "downtime_s": _seconds(result.downtime),
                "downtime_min": minutes(result.downtime),
                "longest_s": _seconds(result.longest),
                "longest_min": minutes(result.longest),
            }
        )
    outages = [_outage_data(r, report) for r in listed]
    billing = cost(
        [_timeline(system, report.outages) for system in report.systems],
        window,
        fee=report.contract.monthly_fee,
        zone=zone,
        now=now,
    )
    notices = notice_counts(listed)
    causes = Counter(o["cause"] for o in outages)
    noticed = [
        o["noticed_after_s"] for o in outages if o["noticed_after_s"] is not None
    ]
    return {
        "provider": {
            "id": report.provider_id,
            "name": report.provider,
            "contacts": {
                "support": {
                    "phone": report.contacts.support_phone,
                    "url": report.contacts.support_url,
                },
                "account": report.contacts.account,
                "feedback": report.contacts.feedback,
            },
        },
        "period": {
            "kind": report.period,
            "start": _local(window.start, zone),
            "end": _local(window.end, zone),
            "timezone": report.zone_name,
        },
        "generated": _local(now, zone),
        "systems": systems,
        "outages": outages,
        "causes": {cause: causes.get(cause, 0) for cause in CAUSES},
        "noticed": {
            "max_s": max(noticed) if noticed else None,
            "average_s": round(sum(noticed) / len(noticed), 1) if noticed else None,
        },
        "cost": _cost_data(billing, report.contract),
        "provider_notice": {
            "told": notices.told,
            "not_told": notices.not_told,
            "unanswered": notices.unanswered,
        },
        "summary": summary(report, per_system, outages, texts),
    }


def _timeline(system: ReportSystem, outages: Sequence[OutageRecord]) -> Timeline:
    intervals = [r.interval for r in outages if r.system_id == system.id]
    return Timeline(added=system.added, intervals=intervals)


def _cost_data(billing: Cost, contract: Contract) -> dict[str, Any]:
    share = billing.offline_share
    return {
        "monthly_fee": contract.monthly_fee,
        "currency": contract.currency,
        "paid": _money(billing.paid),
        "downtime_s": _seconds(billing.downtime),
        "downtime_min": minutes(billing.downtime),
        "monitored_s": _seconds(billing.monitored),
        "offline_share_pct": round(100 * share, 4) if share is not None else None,
        "downtime_value": _money(billing.value),
        "renewal_date": contract.renews.isoformat() if contract.renews else None,
    }


def _outage_data(record: OutageRecord, report: ReportInput) -> dict[str, Any]:
    zone = report.zone
    duration = record.duration_at(report.now)
    by = record.acknowledged_by
    return {
        "id": record.id,
        "system_id": record.system_id,
        "system": record.system,
        "start": _local(record.start, zone),
        "end": _local(record.end, zone),
        "ongoing": record.open,
        "duration_s": _seconds(duration),
        "duration_min": minutes(duration),
        "cause": record.cause if record.cause in CAUSES else Cause.UNKNOWN.value,
        "detected_at": _local(record.detected_at, zone),
        "noticed_after_s": _seconds(record.noticed_after),
        "detected_kind": record.detected_kind,
        "detected_reason": record.detected_reason,
        "alert_sent": _local(record.alert_sent, zone),
        "acknowledged_at": _local(record.acknowledged_at, zone),
        "acknowledged_by": report.users.get(by, by) if by else None,
        "provider_told": record.provider_told,
        "notice": record.notice.value,  # told, not_told, unanswered, not_asked
        "provider_note": record.notice_note,
        "self_healed": record.self_healed,
    }


def _local(value: datetime | None, zone: tzinfo) -> str | None:
    return value.astimezone(zone).isoformat() if value is not None else None


# --- words ---------------------------------------------------------------------


def month_names(texts: Texts) -> list[str]:
    """January … December, from the translations."""
    names = [n.strip() for n in texts("report_months").split(",")]
    return names if len(names) == 12 else [str(m) for m in range(1, 13)]


def day_text(day: date, months: Sequence[str], *, year: bool = True) -> str:
    """'1 October 2026' (or without the year)."""
    text = f"{day.day} {months[day.month - 1]}"
    return f"{text} {day.year}" if year else text


def date_range(first: date, last: date, months: Sequence[str]) -> tuple[str, str]:
    """'1' and '31 October 2026'; '27 October' and '26 November 2026'; ..."""
    end = day_text(last, months)
    if first.year != last.year:
        return day_text(first, months), end
    if first.month != last.month:
        return day_text(first, months, year=False), end
    return str(first.day), end


def _days(window: Window, zone: tzinfo) -> tuple[date, date]:
    first = window.start.astimezone(zone).date()
    last = (window.end - timedelta(microseconds=1)).astimezone(zone).date()
    return first, max(first, last)


def _whole_days(window: Window, zone: tzinfo) -> bool:
    return all(
        moment.astimezone(zone).time() == time(0)
        for moment in (window.start, window.end)
    )


def summary(
    report: ReportInput,
    per_system: Mapping[str, Figures],
    outages: Sequence[Mapping[str, Any]],
    texts: Texts,
) -> str:
    """The factual paragraph to paste into an e-mail to the provider."""
    months = month_names(texts)
    start, end = date_range(*_days(report.window, report.zone), months)
    sentences: list[str] = []
    for system in report.systems:
        result = per_system[system.id]
        name = system.name
        if system.added is not None and system.added > report.window.start:
            since = system.added.astimezone(report.zone).date()
            name = texts(
                "report_summary_since",
                system=name,
                since=day_text(since, months, year=False),
            )
        lead = texts(
            "report_summary_lead" if not sentences else "report_summary_lead_next",
            start=start,
            end=end,
            system=name,
        )
        if result.uptime is None:
            sentences.append(texts("report_summary_not_monitored", lead=lead))
            continue
        if result.outages == 0:
            key = "report_summary_none"
        elif result.outages == 1:
            key = "report_summary_once"
        else:
            key = "report_summary_many"
        sentences.append(
            texts(
                key,
                lead=lead,
                count=str(result.outages),
                downtime=format_duration(result.downtime),
                longest=format_duration(result.longest),
            )
            + " "
            + texts("report_summary_uptime", uptime=f"{result.uptime:.2f}")
        )
    if outages:
        counted = Counter(o["cause"] for o in outages)
        causes = ", ".join(
            f"{texts(f'report_summary_cause_{cause}')} {counted[cause]}"
            for cause in CAUSES
            if counted[cause]
        )
        sentences.append(texts("report_summary_causes", causes=causes))
        noticed = [
            o["noticed_after_s"] for o in outages if o["noticed_after_s"] is not None
        ]
        if noticed:
            sentences.append(
                texts(
                    "report_summary_noticed",
                    max=format_duration(max(noticed)),
                    average=format_duration(sum(noticed) / len(noticed)),
                )
            )
        told = [o["provider_told"] for o in outages if o["provider_told"] is not None]
        if told:
            sentences.append(
                texts(
                    "report_summary_notice",
                    told=str(told.count(True)),
                    not_told=str(told.count(False)),
                )
            )
    return " ".join(sentences)


# --- Markdown --------------------------------------------------------------------


def _cell(value: object) -> str:
    """A Markdown table cell: pipes escaped, never empty."""
    text = "—" if value is None or value == "" else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _table(
    headers: Sequence[str], rows: Sequence[Sequence[object]], numbers: set[int]
) -> list[str]:
    """A Markdown table; the columns in `numbers` are right-aligned."""
    align = ["---:" if i in numbers else "---" for i in range(len(headers))]
    lines = [
        "| " + " | ".join(_cell(h) for h in headers) + " |",
        "| " + " | ".join(align) + " |",
    ]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


def _when(value: str | None, zone: tzinfo) -> str | None:
    """An ISO time as 'YYYY-MM-DD HH:MM CEST' (the zone tells DST hours apart)."""
    if value is None:
        return None
    return datetime.fromisoformat(value).astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def _period_line(report: ReportInput, texts: Texts) -> str:
    window, zone = report.window, report.zone
    if _whole_days(window, zone):
        months = month_names(texts)
        first, last = _days(window, zone)
        start, end = day_text(first, months), day_text(last, months)
    else:
        start = _when(_local(window.start, zone), zone) or ""
        end = _when(_local(window.end, zone), zone) or ""
    return texts(
        "report_period",
        start=start,
        end=end,
        timezone=report.zone_name,
        generated=_when(_local(report.now, zone), zone) or "",
    )


def render_markdown(data: Mapping[str, Any], report: ReportInput, texts: Texts) -> str:
    """The report as Markdown."""
    provider = report.provider
    unknown = texts("report_unknown")
    lines = [
        f"# {texts('report_title', provider=provider)}",
        "",
        _period_line(report, texts),
        "",
        f"## {texts('report_summary_heading')}",
        "",
        data["summary"],
        "",
        f"## {texts('report_systems_heading')}",
        "",
    ]
    lines += _table(
        [
            texts("report_col_system"),
            texts("report_col_monitored_since"),
            texts("report_col_uptime"),
            texts("report_col_outages"),
            texts("report_col_downtime"),
            texts("report_col_longest"),
        ],
        [
            [
                s["name"],
                _when(s["monitored_since"], report.zone),
                f"{s['uptime_pct']:.2f}" if s["uptime_pct"] is not None else unknown,
                s["outages"],
                f"{s['downtime_min']:.2f}",
                f"{s['longest_min']:.2f}",
            ]
            for s in data["systems"]
        ],
        numbers={2, 3, 4, 5},
    )
    lines += ["", *_cost_lines(data, report, texts)]
    lines += ["", f"## {texts('report_causes_heading')}", ""]
    lines += _table(
        [texts("report_col_cause"), texts("report_col_outages")],
        [[texts(f"report_cause_{c}"), n] for c, n in data["causes"].items()],
        numbers={1},
    )
    lines += ["", f"## {texts('report_outages_heading')}", ""]
    if data["outages"]:
        lines += _table(
            [
                texts("report_col_id"),
                texts("report_col_system"),
                texts("report_col_start"),
                texts("report_col_end"),
                texts("report_col_duration"),
                texts("report_col_minutes"),
                texts("report_col_cause"),
                texts("report_col_noticed"),
                texts("report_col_detected"),
                texts("report_col_alert"),
                texts("report_col_ack"),
                texts("report_col_told"),
            ],
            [_outage_row(o, texts, report.zone) for o in data["outages"]],
            numbers={5},
        )
        lines += ["", f"_{texts('report_told_how', provider=provider)}_"]
    else:
        lines.append(texts("report_no_outages"))
    lines += ["", f"## {texts('report_contacts_heading', provider=provider)}", ""]
    contacts = data["provider"]["contacts"]
    support = " · ".join(
        v for v in (contacts["support"]["phone"], contacts["support"]["url"]) if v
    )
    none = texts("report_contact_none")
    for key, value in (
        ("support", support),
        ("account", contacts["account"]),
        ("feedback", contacts["feedback"]),
    ):
        lines.append(f"- **{texts(f'report_contact_{key}')}**: {value or none}")
    lines += ["", f"_{texts('report_note', timezone=report.zone_name)}_", ""]
    return "\n".join(lines)


def _cost_lines(
    data: Mapping[str, Any], report: ReportInput, texts: Texts
) -> list[str]:
    """What you paid for vs what you got: fee, downtime, its value, told or not."""
    cost_data = data["cost"]
    currency = cost_data["currency"] or ""

    def money(amount: float) -> str:
        return f"{amount:.2f} {currency}".strip()

    def item(key: str, value: str) -> str:
        return f"- **{texts(key, provider=report.provider)}**: {value}"

    fee = cost_data["monthly_fee"]
    lines = [f"## {texts('report_cost_heading')}", ""]
    lines.append(
        item(
            "report_cost_fee",
            money(fee) if fee is not None else texts("report_cost_no_fee"),
        )
    )
    if cost_data["paid"] is not None:
        lines.append(item("report_cost_paid", money(cost_data["paid"])))
    lines.append(
        item(
            "report_cost_downtime",
            texts(
                "report_cost_downtime_value",
                duration=format_duration(cost_data["downtime_s"]),
                minutes=f"{cost_data['downtime_min']:.2f}",
            ),
        )
    )
    share = cost_data["offline_share_pct"]
    lines.append(
        item(
            "report_cost_share",
            texts("report_cost_share_value", share=f"{share:.2f}")
            if share is not None
            else texts("report_unknown"),
        )
    )
    if cost_data["downtime_value"] is not None:
        lines.append(
            item(
                "report_cost_value",
                texts(
                    "report_cost_value_value", amount=money(cost_data["downtime_value"])
                ),
            )
        )
    notices = data["provider_notice"]
    lines.append(
        item(
            "report_cost_notice",
            texts(
                "report_cost_notice_value",
                told=str(notices["told"]),
                not_told=str(notices["not_told"]),
                unanswered=str(notices["unanswered"]),
            ),
        )
    )
    renews = report.contract.renews
    if renews is not None and renews >= report.now.astimezone(report.zone).date():
        renewal = texts(
            "report_cost_renewal", date=day_text(renews, month_names(texts))
        )
        lines += ["", f"**{renewal}**"]
    lines += ["", f"_{texts('report_cost_explained')}_"]
    return lines


def _told(outage: Mapping[str, Any], texts: Texts) -> str:
    answer = texts(f"report_told_{outage['notice']}")
    if outage["provider_note"]:
        return texts("report_told_note", answer=answer, note=outage["provider_note"])
    return answer


def _ended(outage: Mapping[str, Any], texts: Texts, zone: tzinfo) -> str | None:
    end = _when(outage["end"], zone)
    if end and outage.get("self_healed"):
        return texts("report_self_healed", end=end)
    return end


def _outage_row(outage: Mapping[str, Any], texts: Texts, zone: tzinfo) -> list[object]:
    ongoing = texts("report_ongoing")
    noticed = outage["noticed_after_s"]
    detected = ": ".join(
        v for v in (outage["detected_kind"], outage["detected_reason"]) if v
    )
    ack = _when(outage["acknowledged_at"], zone)
    if ack and outage["acknowledged_by"]:
        ack = texts("report_ack_by", at=ack, by=outage["acknowledged_by"])
    return [
        outage["id"],
        outage["system"],
        _when(outage["start"], zone),
        _ended(outage, texts, zone) or ongoing,
        format_duration(outage["duration_s"]),
        f"{outage['duration_min']:.2f}",
        texts(f"report_cause_{outage['cause']}"),
        format_duration(noticed) if noticed is not None else None,
        detected or None,
        _when(outage["alert_sent"], zone),
        ack,
        _told(outage, texts),
    ]


# --- CSV -----------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str | None) -> str | None:
    """Text a spreadsheet must not run as a formula (names, a provider's reason)."""
    if value is not None and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def render_csv(data: Mapping[str, Any]) -> str:
    """The report as CSV: one row per system, then one per outage."""
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for s in data["systems"]:
        writer.writerow(
            {
                "record": "system",
                "system_id": s["id"],
                "system": csv_text(s["name"]),
                "monitored_since": s["monitored_since"],
                "uptime_pct": s["uptime_pct"],
                "outages": s["outages"],
                "downtime_min": s["downtime_min"],
                "longest_min": s["longest_min"],
            }
        )
    for o in data["outages"]:
        writer.writerow(
            {
                "record": "outage",
                "system_id": o["system_id"],
                "system": csv_text(o["system"]),
                "outage_id": o["id"],
                "start": o["start"],
                "end": o["end"],
                "duration_min": o["duration_min"],
                "cause": o["cause"],
                "detected_at": o["detected_at"],
                "noticed_after_min": minutes(o["noticed_after_s"]),
                "detected_kind": csv_text(o["detected_kind"]),
                "detected_reason": csv_text(o["detected_reason"]),
                "alert_sent": o["alert_sent"],
                "acknowledged_at": o["acknowledged_at"],
                "acknowledged_by": csv_text(o["acknowledged_by"]),
                "provider_told": {True: "yes", False: "no"}.get(o["provider_told"]),
                "provider_note": csv_text(o["provider_note"]),
            }
        )
    return out.getvalue()
