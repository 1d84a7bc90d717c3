"""The accountability report: figures, Markdown, CSV and HTML. Pure: no Home Assistant.

Besides uptime and outages it weighs the downtime against the fee ("What you paid
for vs what you got", see logic/cost.py for the arithmetic) and shows, for each
outage, whether the provider told the owner about it.

What goes in is report_input.py's ReportInput; the words are report_words.py's, the
files report_markdown.py's, report_csv.py's and report_html.py's, and the message to
the provider's account contact report_message.py's.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .cause import Cause
from .cost import Contract, Cost, cost_of
from .figures import Figures, figures
from .outages import NoticeCounts, OutageRecord, notice_counts
from .report_csv import render_csv
from .report_html import render_html
from .report_input import CAUSES, ReportInput, Texts, local, minutes
from .report_locale import locale_for
from .report_markdown import render_markdown
from .report_message import build_message
from .report_words import summary
from .rollups import Rollup, rollup_figures, with_rollups


@dataclass(frozen=True, kw_only=True, slots=True)
class Report:
    """A report: the service's response data, and the files' contents."""

    data: dict[str, Any]
    markdown: str
    csv: str
    html: str


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _money(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def build_report(report: ReportInput, texts: Texts) -> Report:
    """Compute the report's figures and write its Markdown, CSV and HTML."""
    data = report_data(report, texts)
    return Report(
        data=data,
        markdown=render_markdown(data, report, texts),
        csv=render_csv(data),
        html=render_html(data, report, texts),
    )


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
    summarised = [
        r for r in report.rollups if r.system_id in ids and r.share(window) > 0
    ]
    for system in report.systems:
        result = figures(
            [
                interval
                for r in report.outages
                if r.system_id == system.id
                for interval in r.intervals
            ],
            window,
            added=system.added,
            now=now,
        )
        if rollups := [r for r in summarised if r.system_id == system.id]:
            seen = window.clipped(system.added, now)
            result = with_rollups(result, rollup_figures(rollups, seen))
        per_system[system.id] = result
        uptime = result.uptime
        systems.append(
            {
                "id": system.id,
                "name": system.name,
                "monitored_since": local(system.added, zone),
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
    billing = cost_of(
        [per_system[system.id] for system in report.systems],
        window,
        fee=report.contract.monthly_fee,
        zone=zone,
        now=now,
    )
    notices = _with_summaries(notice_counts(listed), summarised)
    contacts = report.contacts
    causes = Counter(o["cause"] for o in outages)
    for rollup in summarised:
        causes.update(rollup.causes)
    noticed = [
        o["noticed_after_s"] for o in outages if o["noticed_after_s"] is not None
    ]
    data: dict[str, Any] = {
        "provider": {
            "id": report.provider_id,
            "name": report.provider,
            "contacts": {
                "support": {
                    "phone": contacts.support_phone,
                    "url": contacts.support_url,
                },
                "account": contacts.account,
                "feedback": contacts.feedback,
            },
        },
        "period": {
            "kind": report.period,
            "start": local(window.start, zone),
            "end": local(window.end, zone),
            "timezone": report.zone_name,
        },
        "generated": local(now, zone),
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
    } | (
        {"summarised": [_summary_data(r, report) for r in summarised]}
        if summarised
        else {}
    )
    # {"subject", "body", "to"}: for any notify service (see report_message.py)
    data["message"] = build_message(data, report, texts, locale_for(report.language))
    return data


def _with_summaries(counts: NoticeCounts, rollups: Sequence[Rollup]) -> NoticeCounts:
    return NoticeCounts(
        told=counts.told + sum(r.told for r in rollups),
        not_told=counts.not_told + sum(r.not_told for r in rollups),
        unanswered=counts.unanswered + sum(r.unanswered for r in rollups),
    )


def _summary_data(rollup: Rollup, report: ReportInput) -> dict[str, Any]:
    """A month of one system's outages the history keeps only as a summary."""
    names = {s.id: s.name for s in report.systems}
    return {
        "system_id": rollup.system_id,
        "system": names.get(rollup.system_id, rollup.system_id),
        "month": rollup.month,
        "first": local(rollup.first, report.zone),
        "last": local(rollup.last, report.zone),
        "outages": rollup.outages,
        "offline": rollup.offline,
        "flaps": rollup.flaps,
        "downtime_s": _seconds(rollup.downtime),
        "downtime_min": minutes(rollup.downtime),
        "longest_s": _seconds(rollup.longest),
        "causes": {cause: rollup.causes.get(cause, 0) for cause in CAUSES},
        "in_period": round(rollup.share(report.window), 4),
    }


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
        "start": local(record.start, zone),
        "end": local(record.end, zone),
        "ongoing": record.open,
        "duration_s": _seconds(duration),
        "duration_min": minutes(duration),
        "cause": record.cause if record.cause in CAUSES else Cause.UNKNOWN.value,
        "detected_at": local(record.detected_at, zone),
        "noticed_after_s": _seconds(record.noticed_after),
        "detected_kind": record.detected_kind,
        "detected_reason": record.detected_reason,
        "alert_sent": local(record.alert_sent, zone),
        "acknowledged_at": local(record.acknowledged_at, zone),
        "acknowledged_by": report.users.get(by, by) if by else None,
        "provider_told": record.provider_told,
        "notice": record.notice.value,  # told, not_told, unanswered, not_asked
        "provider_note": record.notice_note,
        "self_healed": record.self_healed,
        "flaps": record.flaps,  # came back and dropped again inside this outage
    }
