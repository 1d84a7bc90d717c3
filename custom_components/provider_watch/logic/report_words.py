"""The report's words: month names, dates and the summary paragraph.

Pure: no Home Assistant. The words are the translations' (see report_input.py).
"""

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, time, timedelta, tzinfo
from typing import Any

from .figures import Figures, Window
from .report_input import CAUSES, ReportInput, Texts
from .report_locale import LOCALES, Locale, locale_for
from .text import counted, format_duration


def month_names(texts: Texts) -> list[str]:
    """January … December, from the translations."""
    names = [n.strip() for n in texts("report_months").split(",")]
    return names if len(names) == 12 else [str(m) for m in range(1, 13)]


def day_text(
    day: date,
    months: Sequence[str],
    *,
    year: bool = True,
    loc: Locale = LOCALES["en"],
) -> str:
    """'1 October 2026', '1. Oktober 2026', '1 de octubre de 2026' (or no year)."""
    return loc.long_day(day, months, year=year)


def date_range(
    first: date, last: date, months: Sequence[str], loc: Locale = LOCALES["en"]
) -> tuple[str, str]:
    """'1' and '31 October 2026'; '27 October' and '26 November 2026'; ..."""
    end = day_text(last, months, loc=loc)
    if first.year != last.year:
        return day_text(first, months, loc=loc), end
    if first.month != last.month:
        return day_text(first, months, year=False, loc=loc), end
    return loc.day_alone.format(day=first.day), end


def local_days(window: Window, zone: tzinfo) -> tuple[date, date]:
    """The first and the last local day of a window."""
    first = window.start.astimezone(zone).date()
    last = (window.end - timedelta(microseconds=1)).astimezone(zone).date()
    return first, max(first, last)


def whole_days(window: Window, zone: tzinfo) -> bool:
    """The window runs from a local midnight to a local midnight."""
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
    loc = locale_for(report.language)  # 98.77 (en), 98,77 (de)
    start, end = date_range(*local_days(report.window, report.zone), months, loc)
    sentences: list[str] = []
    for system in report.systems:
        result = per_system[system.id]
        name = system.name
        if system.added is not None and system.added > report.window.start:
            since = system.added.astimezone(report.zone).date()
            name = texts(
                "report_summary_since",
                system=name,
                since=day_text(since, months, year=False, loc=loc),
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
        said = (
            texts("report_summary_none", lead=lead)
            if result.outages == 0
            else counted(
                texts,
                "report_summary_outages",
                result.outages,
                lead=lead,
                downtime=format_duration(result.downtime),
                longest=format_duration(result.longest),
            )
        )
        uptime = texts("report_summary_uptime", uptime=loc.number(result.uptime))
        sentences.append(f"{said} {uptime}")
    if outages:
        by_cause = Counter(o["cause"] for o in outages)
        causes = ", ".join(
            f"{texts(f'report_summary_cause_{cause}')} {by_cause[cause]}"
            for cause in CAUSES
            if by_cause[cause]
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
