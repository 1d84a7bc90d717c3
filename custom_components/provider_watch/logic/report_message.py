"""A message to the provider's account or product contact. Pure: no Home Assistant.

Short, factual and polite: what the owner pays for (the contract's fee), what was
observed in the period (the outages, how long, who noticed first: the provider, or
only Provider Watch), what the downtime was worth at the fee's rate, and one
question: do you monitor my system, and will you alert me when it goes offline?

Nothing in it is made up about the provider: every sentence is a translated template
filled in with the report's figures and what the owner stored (the contract, the
contacts, the notes on outages). It goes to the account / sales contact (else the
product feedback contact), never to support: it is about the service, not a fault.

`to` is the e-mail address in that contact when it holds one (so a notify service
can send it as it is), else the contact as stored, else None.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
import re
from typing import Any

from .outages import Notice
from .report_input import ReportInput, Texts
from .report_locale import Locale
from .report_words import local_days, month_names
from .text import format_duration

MAX_LISTED = 10  # outages listed one by one; the rest are counted
EMAIL = re.compile(r"[^\s,;:<>()\[\]\"']+@[^\s,;:<>()\[\]\"']+\.[^\s,;:<>()\[\]\"']+")


def recipient(contacts: Mapping[str, Any]) -> str | None:
    """Who the message is for: the account contact, else product feedback."""
    for contact in (contacts.get("account"), contacts.get("feedback")):
        if contact and contact.strip():
            found = EMAIL.search(contact)
            return found.group(0) if found else contact.strip()
    return None


def headline_figures(data: Mapping[str, Any]) -> tuple[int, float]:
    """(outages, seconds offline) over the systems, as the summary counts them."""
    systems = data["systems"]
    return (
        sum(s["outages"] for s in systems),
        sum(s["downtime_s"] or 0.0 for s in systems),
    )


def _outage_line(
    outage: Mapping[str, Any], report: ReportInput, texts: Texts, loc: Locale
) -> str:
    start = datetime.fromisoformat(outage["start"]).astimezone(report.zone)
    when = f"{loc.long_day(start.date(), month_names(texts))} {start:%H:%M}"
    cause = texts(f"report_summary_cause_{outage['cause']}")
    duration = format_duration(outage["duration_s"])
    if outage["ongoing"]:
        line = texts(
            "report_message_outage_ongoing",
            start=when,
            system=outage["system"],
            duration=duration,
            cause=cause,
        )
    else:
        line = texts(
            "report_message_outage",
            start=when,
            system=outage["system"],
            duration=duration,
            cause=cause,
        )
    if outage["notice"] == Notice.TOLD:
        line = texts("report_message_outage_told", outage=line)
    elif outage["notice"] == Notice.NOT_TOLD:
        line = texts("report_message_outage_not_told", outage=line)
    if outage["provider_note"]:
        line = texts(
            "report_message_outage_note", outage=line, note=outage["provider_note"]
        )
    return line


def _observed(
    data: Mapping[str, Any], report: ReportInput, texts: Texts, loc: Locale
) -> list[str]:
    """What was observed: the count, the time offline, and the outages."""
    months = month_names(texts)
    first, last = local_days(report.window, report.zone)
    start, end = loc.long_day(first, months), loc.long_day(last, months)
    count, downtime = headline_figures(data)
    outages: Sequence[Mapping[str, Any]] = data["outages"]
    if not outages:
        return [texts("report_message_observed_none", start=start, end=end)]
    key = (
        "report_message_observed_one" if count == 1 else "report_message_observed_many"
    )
    lines = [
        texts(
            key,
            start=start,
            end=end,
            count=str(count),
            downtime=format_duration(downtime),
        )
    ]
    lines += [_outage_line(o, report, texts, loc) for o in outages[:MAX_LISTED]]
    if len(outages) > MAX_LISTED:
        lines.append(texts("report_message_more", count=str(len(outages) - MAX_LISTED)))
    return lines


def build_message(
    data: Mapping[str, Any], report: ReportInput, texts: Texts, loc: Locale
) -> dict[str, str | None]:
    """{"subject", "body", "to"}: plain text, ready for any notify service."""
    months = month_names(texts)
    first, last = local_days(report.window, report.zone)
    cost = data["cost"]
    provider = report.provider
    systems = ", ".join(s["name"] for s in data["systems"])
    paragraphs = [texts("report_message_greeting")]
    if cost["monthly_fee"] is not None:
        fee = loc.money(cost["monthly_fee"], cost["currency"])
        paragraphs.append(
            texts("report_message_fee", provider=provider, fee=fee, systems=systems)
        )
    else:
        paragraphs.append(
            texts("report_message_no_fee", provider=provider, systems=systems)
        )
    paragraphs.append("\n".join(_observed(data, report, texts, loc)))
    facts = []
    notice = data["provider_notice"]
    if notice["told"] or notice["not_told"]:
        facts.append(
            texts(
                "report_summary_notice",
                told=str(notice["told"]),
                not_told=str(notice["not_told"]),
            )
        )
    if cost["downtime_value"] is not None and cost["paid"] is not None:
        facts.append(
            texts(
                "report_message_value",
                value=loc.money(cost["downtime_value"], cost["currency"]),
                paid=loc.money(cost["paid"], cost["currency"]),
            )
        )
    if facts:
        paragraphs.append(" ".join(facts))
    one = len(data["systems"]) == 1
    paragraphs.append(
        texts("report_message_question_one")
        if one
        else texts("report_message_question_many")
    )
    renews = report.contract.renews
    if renews is not None and renews >= report.now.astimezone(report.zone).date():
        paragraphs.append(
            texts("report_message_renewal", date=loc.long_day(renews, months))
        )
    paragraphs.append(texts("report_message_closing"))
    return {
        "subject": texts(
            "report_message_subject",
            provider=provider,
            start=loc.long_day(first, months),
            end=loc.long_day(last, months),
        ),
        "body": "\n\n".join(paragraphs),
        "to": recipient(data["provider"]["contacts"]),
    }
