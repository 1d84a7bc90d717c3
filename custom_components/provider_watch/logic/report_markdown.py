"""The accountability report as Markdown. Pure: no Home Assistant."""

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any

from .report_input import ReportInput, Texts, local
from .report_locale import locale_for
from .report_words import day_text, local_days, month_names, whole_days
from .text import format_duration


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
    if whole_days(window, zone):
        months = month_names(texts)
        first, last = local_days(window, zone)
        loc = locale_for(report.language)
        start = day_text(first, months, loc=loc)
        end = day_text(last, months, loc=loc)
    else:
        start = _when(local(window.start, zone), zone) or ""
        end = _when(local(window.end, zone), zone) or ""
    return texts(
        "report_period",
        start=start,
        end=end,
        timezone=report.zone_name,
        generated=_when(local(report.now, zone), zone) or "",
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
    if data.get("summarised"):
        lines += ["", *_summarised_lines(data["summarised"], texts)]
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
            "report_cost_renewal",
            date=day_text(renews, month_names(texts), loc=locale_for(report.language)),
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


def _summarised_lines(
    summarised: Sequence[Mapping[str, Any]], texts: Texts
) -> list[str]:
    """The months whose outages the history keeps only as a summary."""
    lines = [f"## {texts('report_summarised_heading')}", ""]
    lines += _table(
        [
            texts("report_col_system"),
            texts("report_col_month"),
            texts("report_col_outages"),
            texts("report_col_offline"),
            texts("report_col_downtime"),
            texts("report_col_longest"),
        ],
        [
            [
                s["system"],
                s["month"],
                s["outages"],
                s["offline"],
                f"{s['downtime_min']:.2f}",
                f"{s['longest_s'] / 60:.2f}",
            ]
            for s in summarised
        ],
        numbers={2, 3, 4, 5},
    )
    return [*lines, "", f"_{texts('report_summarised_note')}_"]


def _duration(outage: Mapping[str, Any], texts: Texts) -> str:
    duration = format_duration(outage["duration_s"])
    if outage.get("flaps"):
        return texts("report_flapped", duration=duration, times=outage["flaps"] + 1)
    return duration


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
        _duration(outage, texts),
        f"{outage['duration_min']:.2f}",
        texts(f"report_cause_{outage['cause']}"),
        format_duration(noticed) if noticed is not None else None,
        detected or None,
        _when(outage["alert_sent"], zone),
        ack,
        _told(outage, texts),
    ]
