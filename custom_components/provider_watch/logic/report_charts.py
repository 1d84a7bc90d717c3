"""The HTML report's systems: an uptime strip and an outage timeline for each.

Pure: no Home Assistant. The geometry and the SVG are report_svg.py's; this module
gives every bar and every outage its words (the SVG titles shown on hover), each
system its figures line, and the charts their legends.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from .report_input import CAUSES
from .report_page import Page, esc
from .report_style import BAND, CAUSE_COLOURS, UNMONITORED
from .report_svg import (
    FILL,
    MINOR_BELOW,
    SEVERE_FROM,
    DayBar,
    Level,
    Span,
    band,
    day_bars,
    strip_svg,
    swatch,
    timeline,
    timeline_svg,
)
from .text import format_duration


def _day_title(page: Page, bar: DayBar) -> str:
    day = page.loc.long_day(bar.day, page.months)
    share = bar.share
    if share is None:
        return page.texts("report_html_day_unmonitored", day=day)
    if share <= 0:
        return page.texts("report_html_day_up", day=day)
    return page.texts(
        "report_html_day",
        day=day,
        downtime=format_duration(bar.downtime),
        share=page.pct(100 * share),
    )


def _span_title(page: Page, span: Span) -> str:
    record = span.record
    cause = record.cause if record.cause in CAUSES else "unknown"
    return page.texts(
        "report_html_outage",
        id=record.id,
        start=page.loc.moment(record.start, page.report.zone),
        end=page.loc.moment(record.end, page.report.zone)
        if record.end is not None
        else page.texts("report_ongoing"),
        duration=format_duration(record.duration_at(page.report.now)),
        cause=page.texts(f"report_cause_{cause}"),
    )


def _system_line(page: Page, figures: Mapping[str, Any]) -> str:
    if figures["uptime_pct"] is None:
        return page.texts("report_html_system_unmonitored")
    return page.texts(
        "report_html_system_line",
        uptime=page.pct(figures["uptime_pct"]),
        outages=str(figures["outages"]),
        downtime=format_duration(figures["downtime_s"]),
        longest=format_duration(figures["longest_s"]),
    )


def _legend(items: Sequence[tuple[str, str]]) -> str:
    entries = "".join(f"<li>{swatch(fill)}{esc(text)}</li>" for fill, text in items)
    return f'<ul class="legend">{entries}</ul>'


def _strip_legend(page: Page) -> str:
    texts, loc = page.texts, page.loc
    minor, severe = loc.number(100 * MINOR_BELOW, 0), loc.number(100 * SEVERE_FROM, 0)
    return _legend(
        [
            (FILL[Level.UP], texts("report_html_level_up")),
            (FILL[Level.MINOR], texts("report_html_level_minor", limit=minor)),
            (
                FILL[Level.MAJOR],
                texts("report_html_level_major", low=minor, high=severe),
            ),
            (FILL[Level.SEVERE], texts("report_html_level_severe", limit=severe)),
            (UNMONITORED, texts("report_html_level_unmonitored")),
        ]
    )


def _timeline_legend(page: Page) -> str:
    return _legend(
        [
            (BAND, page.texts("report_html_band")),
            *(
                (CAUSE_COLOURS[cause], page.texts(f"report_cause_{cause}"))
                for cause in CAUSES
            ),
        ]
    )


def systems_section(page: Page) -> str:
    """Per system: its figures, its strip and its timeline; then the legends."""
    report, texts = page.report, page.texts
    first, last = page.period()
    ends = f'<div class="ends"><span>{esc(first)}</span><span>{esc(last)}</span></div>'
    parts = [f"<h2>{esc(texts('report_systems_heading'))}</h2>"]
    parts.append(f'<p class="muted">{esc(texts("report_html_strip_caption"))}</p>')
    for system, figures in zip(report.systems, page.data["systems"], strict=True):
        records = [r for r in report.outages if r.system_id == system.id]
        bars = day_bars(
            [part for r in records for part in r.intervals],
            report.window,
            report.zone,
            added=system.added,
            now=report.now,
        )
        spans = timeline(records, report.window, report.now)
        strip = strip_svg(
            bars,
            [_day_title(page, bar) for bar in bars],
            texts("report_html_strip_label", system=system.name),
        )
        line = timeline_svg(
            spans,
            [_span_title(page, span) for span in spans],
            band(report.window, system.added, report.now),
            texts("report_html_timeline_label", system=system.name),
        )
        parts.append(
            f'<section class="system"><h3>{esc(system.name)}</h3>'
            f'<p class="muted">{esc(_system_line(page, figures))}</p>'
            f"<figure>{strip}{line}{ends}</figure></section>"
        )
    parts.append(_strip_legend(page))
    parts.append(_timeline_legend(page))
    return "\n".join(parts)
