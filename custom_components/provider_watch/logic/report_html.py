"""The accountability report as one HTML file. Pure: no Home Assistant.

Self-contained: its style sheet and charts are inline (CSS and SVG), with no script
and nothing to fetch (no fonts, images or links), so it reads the same offline, as a
mail attachment and on paper. Printing fits A4 and Letter (the printer's paper size,
margins of 12 to 16 mm); a table row is never cut across pages, and every page
repeats the provider and the period at its top (the page's table header).

It holds the same figures as the Markdown (report.py's data), and shows them: the
headline, an uptime strip and an outage timeline per system (report_svg.py), the
causes, what was paid against the downtime, whether the provider told the owner,
every outage with its ID, the provider's contacts, and the message to the provider
(report_message.py). Every word comes from the translations; numbers, dates and
money are written as the report's language writes them (report_locale.py); every
text the owner or the provider stored (names, notes, contacts) is escaped.
"""

from collections.abc import Mapping
import re
from typing import Any

from .report_charts import systems_section
from .report_input import ReportInput, Texts
from .report_locale import locale_for
from .report_message import headline_figures
from .report_page import Page, esc, prose
from .report_style import CSS
from .report_svg import DEFS
from .report_words import month_names
from .text import format_duration

DATE = re.compile(r"\d{4}-\d\d-\d\d|\d\d[./-]\d\d[./-]\d{4}")  # the locales' dates
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*")


def render_html(data: Mapping[str, Any], report: ReportInput, texts: Texts) -> str:
    """The report as a self-contained HTML page."""
    page = Page(
        data=data,
        report=report,
        texts=texts,
        loc=locale_for(report.language),
        months=month_names(texts),
    )
    title = texts("report_title", provider=report.provider)
    start, end = page.period()
    running = texts(
        "report_html_running", provider=report.provider, start=start, end=end
    )
    body = "".join(
        (
            f"<h1>{esc(title)}</h1>",
            _period_line(page),
            _headline(page),
            f"<p>{esc(data['summary'])}</p>",
            systems_section(page),
            _cost(page),
            _causes(page),
            _outages(page),
            _contacts(page),
            _message(page),
            _note(texts("report_note", timezone=report.zone_name)),
        )
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{_language(report.language)}">\n<head>\n'
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"{DEFS}\n"
        '<table class="page" role="presentation"><thead><tr><td>'
        f'<div class="running">{esc(running)}</div></td></tr></thead>\n'
        f"<tbody><tr><td>\n{body}\n</td></tr></tbody></table>\n</body>\n</html>\n"
    )


def _language(language: str) -> str:
    """The page's lang attribute: the report's language (its words' language)."""
    if LANGUAGE_TAG.fullmatch(language):
        return language.replace("_", "-")
    return "en"


def _note(text: str) -> str:
    return f'<p class="muted">{esc(text)}</p>'


def _period_line(page: Page) -> str:
    start, end = page.period()
    line = page.texts(
        "report_period",
        start=start,
        end=end,
        timezone=page.report.zone_name,
        generated=page.loc.moment(page.report.now, page.report.zone),
    )
    return f'<p class="muted">{esc(line)}</p>'


def _headline(page: Page) -> str:
    count, downtime = headline_figures(page.data)
    told = str(page.data["provider_notice"]["told"])
    if count == 0:
        text = page.texts("report_html_headline_none", told=told)
    elif count == 1:
        text = page.texts(
            "report_html_headline_one", downtime=format_duration(downtime), told=told
        )
    else:
        text = page.texts(
            "report_html_headline_many",
            count=str(count),
            downtime=format_duration(downtime),
            told=told,
        )
    return f'<p class="headline">{esc(text)}</p>'


def _causes(page: Page) -> str:
    texts = page.texts
    causes: Mapping[str, int] = page.data["causes"]
    most = max(causes.values(), default=0) or 1
    rows = "".join(
        f"<tr><td>{esc(texts(f'report_cause_{cause}'))}</td>"
        f'<td class="n">{count}</td><td><span class="bar" '
        f'style="width:{100 * count / most:.0f}%"></span></td></tr>'
        for cause, count in causes.items()
    )
    return (
        f"<h2>{esc(texts('report_causes_heading'))}</h2>"
        f"<table><thead><tr><th>{esc(texts('report_col_cause'))}</th>"
        f'<th class="n">{esc(texts("report_col_outages"))}</th><th></th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def _cost(page: Page) -> str:
    texts, loc, report = page.texts, page.loc, page.report
    cost = page.data["cost"]
    currency = cost["currency"]
    items = [
        (
            texts("report_cost_fee"),
            loc.money(cost["monthly_fee"], currency)
            if cost["monthly_fee"] is not None
            else texts("report_cost_no_fee"),
        )
    ]
    if cost["paid"] is not None:
        items.append((texts("report_cost_paid"), loc.money(cost["paid"], currency)))
    items.append(
        (
            texts("report_cost_downtime"),
            texts(
                "report_cost_downtime_value",
                duration=format_duration(cost["downtime_s"]),
                minutes=loc.number(cost["downtime_min"], 2),
            ),
        )
    )
    share = cost["offline_share_pct"]
    items.append(
        (
            texts("report_cost_share"),
            texts("report_cost_share_value", share=page.pct(share))
            if share is not None
            else texts("report_unknown"),
        )
    )
    if cost["downtime_value"] is not None:
        amount = loc.money(cost["downtime_value"], currency)
        items.append(
            (
                texts("report_cost_value"),
                texts("report_cost_value_value", amount=amount),
            )
        )
    renews = report.contract.renews
    if renews is not None:
        items.append(
            (texts("report_html_renewal_date"), loc.long_day(renews, page.months))
        )
    listed = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in items)
    parts = [
        f"<h2>{esc(texts('report_cost_heading'))}</h2>",
        f'<div class="card"><dl>{listed}</dl></div>',
    ]
    if renews is not None and renews >= report.now.astimezone(report.zone).date():
        renewal = texts("report_cost_renewal", date=loc.long_day(renews, page.months))
        parts.append(f"<p><strong>{esc(renewal)}</strong></p>")
    notices = page.data["provider_notice"]
    parts.append(
        f"<h3>{esc(texts('report_cost_notice', provider=report.provider))}</h3>"
        '<div class="counts">'
        f'<div class="told"><b>{notices["told"]}</b>'
        f"{esc(texts('report_html_told', provider=report.provider))}</div>"
        f'<div class="not_told"><b>{notices["not_told"]}</b>'
        f"{esc(texts('report_html_not_told'))}</div>"
        f'<div class="unanswered"><b>{notices["unanswered"]}</b>'
        f"{esc(texts('report_html_unanswered'))}</div></div>"
    )
    parts.append(f'<p class="muted">{esc(texts("report_cost_explained"))}</p>')
    return "\n".join(parts)


def _told(page: Page, outage: Mapping[str, Any]) -> str:
    answer = page.texts(f"report_told_{outage['notice']}")
    if outage["provider_note"]:
        return page.texts(
            "report_told_note", answer=answer, note=outage["provider_note"]
        )
    return answer


def _outage_row(page: Page, outage: Mapping[str, Any]) -> str:
    texts = page.texts
    end = page.when(outage["end"])
    if end is None:
        end = texts("report_ongoing")
    elif outage["self_healed"]:
        end = texts("report_self_healed", end=end)
    ack = page.when(outage["acknowledged_at"])
    if ack and outage["acknowledged_by"]:
        ack = texts("report_ack_by", at=ack, by=outage["acknowledged_by"])
    noticed = outage["noticed_after_s"]
    detected = ": ".join(
        v for v in (outage["detected_kind"], outage["detected_reason"]) if v
    )
    cells = (
        outage["id"],
        outage["system"],
        page.when(outage["start"]),
        end,
        format_duration(outage["duration_s"]),
        texts(f"report_cause_{outage['cause']}"),
        format_duration(noticed) if noticed is not None else None,
        detected or None,
        page.when(outage["alert_sent"]),
        ack,
        _told(page, outage),
    )
    return "<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in cells) + "</tr>"


def _cell(value: str | None) -> str:
    """A table cell's text; its dates never break at their hyphens or dots."""
    return DATE.sub(r"<span class=d>\g<0></span>", esc(value or "—"))


def _outages(page: Page) -> str:
    texts, outages = page.texts, page.data["outages"]
    heading = f"<h2>{esc(texts('report_outages_heading'))}</h2>"
    if not outages:
        return f"{heading}<p>{esc(texts('report_no_outages'))}</p>"
    columns = (
        "report_col_id",
        "report_col_system",
        "report_col_start",
        "report_col_end",
        "report_col_duration",
        "report_col_cause",
        "report_col_noticed",
        "report_col_detected",
        "report_col_alert",
        "report_col_ack",
        "report_col_told",
    )
    head = "".join(f"<th>{esc(texts(key))}</th>" for key in columns)
    rows = "\n".join(_outage_row(page, outage) for outage in outages)
    how = texts("report_told_how", provider=page.report.provider)
    return (
        f'{heading}<table class="outages"><thead><tr>{head}</tr></thead>\n'
        f'<tbody>\n{rows}\n</tbody></table><p class="muted">{prose(how)}</p>'
    )


def _contacts(page: Page) -> str:
    texts = page.texts
    contacts = page.data["provider"]["contacts"]
    support = " · ".join(
        v for v in (contacts["support"]["phone"], contacts["support"]["url"]) if v
    )
    none = texts("report_contact_none")
    items = "".join(
        f"<dt>{esc(texts(f'report_contact_{key}'))}</dt><dd>{esc(value or none)}</dd>"
        for key, value in (
            ("support", support),
            ("account", contacts["account"]),
            ("feedback", contacts["feedback"]),
        )
    )
    heading = texts("report_contacts_heading", provider=page.report.provider)
    return f"<h2>{esc(heading)}</h2><dl>{items}</dl>"


def _message(page: Page) -> str:
    texts, provider = page.texts, page.report.provider
    message = page.data["message"]
    to = message["to"] or texts("report_html_message_no_contact")
    return (
        f"<h2>{esc(texts('report_html_message_heading', provider=provider))}</h2>"
        f'<p class="muted">{esc(texts("report_html_message_intro"))}</p>'
        f'<div class="card"><dl><dt>{esc(texts("report_html_message_to"))}</dt>'
        f"<dd>{esc(to)}</dd><dt>{esc(texts('report_html_message_subject'))}</dt>"
        f"<dd>{esc(message['subject'])}</dd></dl>"
        f"<pre>{esc(message['body'])}</pre></div>"
    )
